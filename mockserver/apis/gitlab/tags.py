"""A project's Git tags and refs: enough of a repository for a CI job to tag, then release (§A.4)."""

from __future__ import annotations

import datetime as dt
import re
import typing as t

from ...errors import BadRequest, Conflict, NotFound
from .state import Project

_SHA = re.compile(r"\A[0-9a-fA-F]{7,40}\Z")
# git check-ref-format, reduced to what a tag name can break.
_BAD_REF = re.compile(r"(\.\.|[\x00-\x20\x7f~^:?*\[\\]|@\{|//|\A[-/.]|[/.]\Z|\.lock\Z|/\.)")


def valid_tag_name(name: str) -> bool:
    return bool(name) and name != "HEAD" and not _BAD_REF.search(name)


def resolve_ref(project: Project, ref: str) -> str | None:
    """A branch, a tag or a commit SHA -> the commit SHA, or None if it names nothing.

    Any well-formed SHA is accepted: a CI job tags the commit it runs on, which no fixture knows.
    """
    if ref in project.branches:
        return project.branches[ref]
    tag = project.tags.get(ref)
    if tag is not None:
        return tag["target"]
    if _SHA.match(ref):
        return next((sha for sha in project.commits if sha.startswith(ref.lower())), ref.lower())
    return None


def check_new_tag(project: Project, name: str, ref: str | None) -> str:
    """Validate a tag about to be created from ``ref``; the target SHA. Changes nothing."""
    if not valid_tag_name(name):
        raise BadRequest("Tag name invalid")
    if name in project.tags:
        raise Conflict(f"Tag {name} already exists")
    target = resolve_ref(project, ref or "")
    if target is None:
        raise BadRequest(f"Target {ref} is invalid")
    return target


def add_tag(project: Project, name: str, target: str, message: str | None, now: dt.datetime) -> dict[str, t.Any]:
    return project.tags.put(name, {"name": name, "target": target, "message": message or None, "created_at": now})


def find_tag(project: Project, name: str) -> dict[str, t.Any]:
    tag = project.tags.get(name)
    if tag is None:
        raise NotFound("404 Tag Not Found")
    return tag


def delete_tag(project: Project, name: str) -> None:
    """Deleting a tag deletes its release too, as in GitLab."""
    find_tag(project, name)
    project.tags.delete(name)
    project.releases.delete(name)
    project.links.pop(name, None)


def list_tags(project: Project, *, order_by: str, sort: str, search: str | None) -> list[dict[str, t.Any]]:
    tags = list(project.tags)
    if search:
        if search.startswith("^"):
            tags = [tag for tag in tags if tag["name"].startswith(search[1:])]
        elif search.endswith("$"):
            tags = [tag for tag in tags if tag["name"].endswith(search[:-1])]
        else:
            tags = [tag for tag in tags if search.lower() in tag["name"].lower()]
    keys: dict[str, t.Callable[[dict[str, t.Any]], t.Any]] = {
        "name": lambda tag: tag["name"],
        "updated": lambda tag: (tag["created_at"], tag["name"]),
        "version": lambda tag: _version_key(tag["name"]),
    }
    return sorted(tags, key=keys[order_by], reverse=(sort == "desc"))


def _version_key(name: str) -> tuple[t.Any, ...]:
    return tuple(_version_part(part) for part in re.split(r"[.\-+]", name.lstrip("vV")))


def _version_part(part: str) -> tuple[int, int, str]:
    """Numbers before words; numbers by length, then digits (int() refuses more than 4,300 digits)."""
    if part.isascii() and part.isdigit():
        number = part.lstrip("0")
        return (0, len(number), number)
    return (1, 0, part)
