"""Releases: listing, creating, updating, deleting, evidence and the latest-release permalink (§A.3–A.7, A.10).

Every write checks everything first and only then changes state, so a rejected request
leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import itertools
import typing as t
from urllib.parse import quote, urlencode

from ...clock import parse_iso
from ...errors import BadRequest, Conflict, Forbidden, InvalidParameter, NotFound, Unprocessable
from . import links as link_rules
from . import tags as tag_rules
from .state import GitLabState, Project

NOT_FOUND = "404 Not Found"


def find_release(project: Project, tag_name: str) -> dict[str, t.Any]:
    release = project.releases.get(tag_name)
    if release is None:
        raise NotFound(NOT_FOUND)
    return release


def release_for_write(project: Project, tag_name: str) -> dict[str, t.Any]:
    """Update and delete authorize against the release; with none, GitLab answers 403, not 404."""
    release = project.releases.get(tag_name)
    if release is None:
        raise Forbidden("403 Forbidden")
    return release


def parse_time(name: str, value: t.Any) -> dt.datetime:
    try:
        return parse_iso(str(value))
    except ValueError:
        raise InvalidParameter("body", name, "invalid") from None


def page_of_releases(
    project: Project,
    *,
    order_by: str,
    sort: str,
    offset: int,
    limit: int,
    updated_before: dt.datetime | None = None,
    updated_after: dt.datetime | None = None,
) -> tuple[list[dict[str, t.Any]], int]:
    """One page in order, and the total. Unfiltered, the cost is that of the page, not of all releases."""
    descending = sort == "desc"
    if updated_before is None and updated_after is None:
        total = len(project.releases)
        return project.releases.window(order_by, offset=offset, limit=limit, descending=descending), total
    matching = [
        release
        for release in project.releases.ordered(order_by, descending=descending)
        if (updated_before is None or release["updated_at"] < updated_before)
        and (updated_after is None or release["updated_at"] > updated_after)
    ]
    return matching[offset : offset + limit], len(matching)


def group_page(
    projects: list[Project], *, sort: str, offset: int, limit: int
) -> tuple[list[tuple[Project, dict[str, t.Any]]], int]:
    """A page across several projects, merged lazily by ``released_at``."""
    descending = sort == "desc"
    streams = [
        ((project, release) for release in project.releases.ordered("released_at", descending=descending))
        for project in projects
    ]
    merged = heapq.merge(*streams, key=lambda pair: (pair[1]["released_at"], pair[1]["id"]), reverse=descending)
    total = sum(len(project.releases) for project in projects)
    # islice takes no index above sys.maxsize, and a page number may be anything up to that.
    start = min(offset, total)
    return list(itertools.islice(merged, start, min(offset + limit, total))), total


def _milestone_ids(project: Project, body: dict[str, t.Any]) -> list[int] | None:
    """Milestones by title or by id (never both); None when the request names neither."""
    if "milestones" in body and "milestone_ids" in body:
        raise BadRequest({"error": "milestones, milestone_ids are mutually exclusive"})
    if "milestones" in body:
        titles = _listed(body["milestones"])
        by_title = {milestone["title"]: milestone["id"] for milestone in project.milestones.values()}
        missing = [title for title in titles if title not in by_title]
        if missing:
            raise BadRequest(f"Milestone(s) not found: {', '.join(missing)}")
        return [by_title[title] for title in titles]
    if "milestone_ids" in body:
        wanted = _listed(body["milestone_ids"])
        known = {str(milestone_id) for milestone_id in project.milestones}
        missing = [str(value) for value in wanted if str(value) not in known]
        if missing:
            raise BadRequest(f"Milestone id(s) not found: {', '.join(missing)}")
        return [int(value) for value in wanted]
    return None


def _listed(value: t.Any) -> list[t.Any]:
    """GitLab takes arrays or comma-separated strings."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value or [])


def _links_from(body: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    assets = body.get("assets")
    if assets is None:
        return []
    if not isinstance(assets, dict):
        raise InvalidParameter("body", "assets", "invalid")
    candidates = [link_rules.link_fields(raw) for raw in assets.get("links") or []]
    for position, candidate in enumerate(candidates):
        problems = link_rules.link_problems(candidate, candidates[:position])
        if problems:
            raise BadRequest(f"Validation failed: Links {problems[0][0].lower()}{problems[0][1:]}")
    return candidates


def create_release(
    state: GitLabState, project: Project, author_id: int | None, body: dict[str, t.Any], now: dt.datetime
) -> dict[str, t.Any]:
    tag_name = body["tag_name"]
    links = _links_from(body)
    milestone_ids = _milestone_ids(project, body) or []
    released_at = parse_time("released_at", body["released_at"]) if body.get("released_at") else None
    if tag_name in project.releases:
        raise Conflict("Release already exists")
    tag = project.tags.get(tag_name)
    new_tag_target = None
    if tag is None:
        if not body.get("ref"):
            raise Unprocessable("Ref is not specified")
        new_tag_target = tag_rules.check_new_tag(project, tag_name, body["ref"])
    if tag_name in project.protected_tags:
        raise Forbidden("You are not allowed to create this tag as it is protected.")

    created_at = now
    if new_tag_target is not None:
        tag = tag_rules.add_tag(project, tag_name, new_tag_target, body.get("tag_message"), now)
    release = {
        "id": state.next_id(),
        "tag_name": tag_name,
        "name": body.get("name") or tag_name,
        "description": body.get("description"),
        "created_at": created_at,
        "released_at": released_at or created_at,
        "updated_at": created_at,
        "author_id": author_id,
        "milestone_ids": milestone_ids,
        "sha": tag["target"] if tag else None,
        "evidences": [],
    }
    # Evidence is collected at once only for a release that is neither upcoming nor historical.
    if release["released_at"] == created_at:
        release["evidences"].append(new_evidence(release, now))
    project.releases.put(tag_name, release)
    table = project.links_of(tag_name)
    for fields in links:
        link = link_rules.new_link(state, fields, now)
        table.put(link["id"], link)
    return release


def new_evidence(release: dict[str, t.Any], collected_at: dt.datetime) -> dict[str, t.Any]:
    digest = hashlib.sha256(f"{release['id']}:{release['tag_name']}:{collected_at.isoformat()}".encode()).hexdigest()
    return {"sha": digest[:42], "collected_at": collected_at}


UPDATABLE = ("name", "description", "released_at", "milestones", "milestone_ids")


def update_release(project: Project, tag_name: str, body: dict[str, t.Any], now: dt.datetime) -> dict[str, t.Any]:
    release = release_for_write(project, tag_name)
    if not any(key in body for key in UPDATABLE):
        raise BadRequest("params is empty")
    milestone_ids = _milestone_ids(project, body)
    changes: dict[str, t.Any] = {"updated_at": now}
    if "name" in body:
        changes["name"] = body["name"] or release["tag_name"]
    if "description" in body:
        changes["description"] = body["description"]
    if body.get("released_at"):
        changes["released_at"] = parse_time("released_at", body["released_at"])
    if milestone_ids is not None:
        changes["milestone_ids"] = milestone_ids
    return project.releases.put(tag_name, {**release, **changes})


def delete_release(project: Project, tag_name: str) -> dict[str, t.Any]:
    """Removes the release and its links; the Git tag stays."""
    release = release_for_write(project, tag_name)
    project.releases.delete(tag_name)
    project.links.pop(tag_name, None)
    return release


def collect_evidence(project: Project, tag_name: str, now: dt.datetime) -> None:
    release = find_release(project, tag_name)
    project.releases.put(tag_name, {**release, "evidences": [*release["evidences"], new_evidence(release, now)]})


def latest_location(
    project: Project, api_url: str, *, order_by: str, suffix: str | None, query: t.Sequence[tuple[str, str]]
) -> str:
    """Where ``permalink/latest[/suffix]`` redirects: the newest release's own URL, query kept, order_by dropped."""
    if suffix is not None and (suffix.startswith("/") or any(part in ("", ".", "..") for part in suffix.split("/"))):
        raise BadRequest({"error": "suffix_path should be a valid file path"})
    latest = project.releases.first(order_by, descending=True)
    if latest is None:
        raise NotFound(NOT_FOUND)
    location = f"{api_url}/projects/{project.id}/releases/{quote(latest['tag_name'], safe='')}"
    if suffix:
        location += "/" + "/".join(quote(part, safe="") for part in suffix.split("/"))
    kept = [(key, value) for key, value in query if key != "order_by"]
    return f"{location}?{urlencode(kept)}" if kept else location


def asset_location(project: Project, tag_name: str, direct_asset_path: str) -> str:
    find_release(project, tag_name)
    filepath = "/" + direct_asset_path.lstrip("/")
    table = project.links.get(tag_name)
    link = next((row for row in (table or []) if row.get("filepath") == filepath), None)
    if link is None:
        raise NotFound(link_rules.LINK_NOT_FOUND)
    return t.cast(str, link["url"])
