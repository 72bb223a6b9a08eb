"""Release links (assets): the model's rules, checked before anything is written (§A.6)."""

from __future__ import annotations

import re
import typing as t
from urllib.parse import urlsplit

from ...errors import BadRequest, NotFound
from ...store import Row
from .state import GitLabState

ALLOWED_SCHEMES = ("http", "https", "ftp")
_FILEPATH = re.compile(r"\A/[^/](?!.*//.*)[\-.\w/]+[\da-zA-Z]+\Z")
MAX_FILEPATH = 128
LINK_NOT_FOUND = "404 Not found"


def link_problems(candidate: dict[str, t.Any], others: t.Iterable[dict[str, t.Any]]) -> list[str]:
    """Full messages, as ActiveRecord words them, for one link among its release's other links.

    In the order the model declares its validations (url, then name, then filepath), which
    is the order ActiveRecord reports them in.
    """
    siblings = [other for other in others if other.get("id") is None or other.get("id") != candidate.get("id")]
    problems = []
    name, url, filepath = candidate.get("name"), candidate.get("url"), candidate.get("filepath")
    if not (url or "").strip():
        problems.append("Url can't be blank")
    elif urlsplit(url).scheme.lower() not in ALLOWED_SCHEMES or not urlsplit(url).netloc:
        problems.append("Url is blocked: Only allowed schemes are http, https, ftp")
    if url and any(other["url"] == url for other in siblings):
        problems.append("Url has already been taken")
    if not (name or "").strip():
        problems.append("Name can't be blank")
    if name and any(other["name"] == name for other in siblings):
        problems.append("Name has already been taken")
    if filepath:
        if any(other.get("filepath") == filepath for other in siblings):
            problems.append("Filepath has already been taken")
        if len(filepath) > MAX_FILEPATH:
            problems.append(f"Filepath is too long (maximum is {MAX_FILEPATH} characters)")
        elif not _FILEPATH.match(filepath):
            problems.append("Filepath is in an invalid format")
    return problems


def link_fields(raw: dict[str, t.Any]) -> dict[str, t.Any]:
    """Request keys -> stored keys (``direct_asset_path`` wins over its deprecated alias ``filepath``)."""
    fields: dict[str, t.Any] = {}
    for key in ("name", "url", "link_type"):
        if key in raw:
            fields[key] = raw[key]
    if raw.get("direct_asset_path") or raw.get("filepath"):
        fields["filepath"] = raw.get("direct_asset_path") or raw.get("filepath")
    return fields


def new_link(state: GitLabState, project: Row, tag_name: str, fields: dict[str, t.Any], now: str) -> Row:
    """The row of a link about to be added; ``now`` in the stored form. Writes nothing but the id counter."""
    return {
        "project_id": project["id"],
        "tag_name": tag_name,
        "id": state.next_id(),
        "name": fields["name"],
        "url": fields["url"],
        "filepath": fields.get("filepath"),
        "link_type": fields.get("link_type") or "other",
        "created_at": now,
    }


def find_link(state: GitLabState, project: Row, tag_name: str, link_id: int) -> Row:
    link = state.links.get(project["id"], tag_name, link_id)
    if link is None:
        raise NotFound(LINK_NOT_FOUND)
    return link


def create_link(state: GitLabState, project: Row, tag_name: str, raw: dict[str, t.Any], now: str) -> Row:
    fields = link_fields(raw)
    problems = link_problems(fields, state.links_of(project["id"], tag_name))
    if problems:
        raise BadRequest(problems)
    return state.links.put(new_link(state, project, tag_name, fields, now))


def update_link(state: GitLabState, project: Row, tag_name: str, link_id: int, raw: dict[str, t.Any]) -> Row:
    link = find_link(state, project, tag_name, link_id)
    if "name" not in raw and "url" not in raw:
        raise BadRequest({"error": "name, url are missing, at least one parameter must be provided"})
    updated = {**link, **link_fields(raw)}
    problems = link_problems(updated, state.links_of(project["id"], tag_name))
    if problems:
        raise BadRequest(problems)
    return state.links.put(updated)


def delete_link(state: GitLabState, project: Row, tag_name: str, link_id: int) -> Row:
    link = find_link(state, project, tag_name, link_id)
    state.links.delete(project["id"], tag_name, link_id)
    return link
