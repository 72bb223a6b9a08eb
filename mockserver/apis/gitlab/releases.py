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

from ...clock import iso_stored, parse_iso
from ...errors import BadRequest, Conflict, Forbidden, InvalidParameter, NotFound, Unprocessable
from ...store import Row
from . import links as link_rules
from . import tags as tag_rules
from .state import GitLabState, lean_release

NOT_FOUND = "404 Not Found"


def find_release(state: GitLabState, project: Row, tag_name: str) -> Row:
    release = state.release(project["id"], tag_name)
    if release is None:
        raise NotFound(NOT_FOUND)
    return release


def release_for_write(state: GitLabState, project: Row, tag_name: str) -> Row:
    """Update and delete authorize against the release; with none, GitLab answers 403, not 404."""
    release = state.release(project["id"], tag_name)
    if release is None:
        raise Forbidden("403 Forbidden")
    return release


def parse_time(name: str, value: t.Any) -> str:
    """A moment from a request body, in the stored form; 400 naming the field if unreadable."""
    try:
        return iso_stored(parse_iso(str(value)))
    except (ValueError, OverflowError):
        # OverflowError: a moment that in UTC falls outside the years the store keeps.
        raise InvalidParameter("body", name, "invalid") from None


def page_of_releases(
    state: GitLabState,
    project: Row,
    *,
    order_by: str,
    sort: str,
    offset: int,
    limit: int,
    updated_before: str | None = None,
    updated_after: str | None = None,
) -> tuple[list[Row], int]:
    """One page in order, and the total. Unfiltered, the cost is that of the page, not of all releases.

    ``updated_before``/``updated_after``: moments in the stored form, compared as strings.
    """
    descending = sort == "desc"
    partition = (project["id"],)
    if updated_before is None and updated_after is None:
        total = state.releases.count(order_by, partition)
        return state.releases.window(order_by, partition, offset=offset, limit=limit, descending=descending), total
    matching = [
        release
        for release in state.releases.ordered(order_by, partition, descending=descending)
        if (updated_before is None or release["updated_at"] < updated_before)
        and (updated_after is None or release["updated_at"] > updated_after)
    ]
    return matching[offset : offset + limit], len(matching)


def group_page(
    state: GitLabState, projects: list[Row], *, sort: str, offset: int, limit: int
) -> tuple[list[tuple[Row, Row]], int]:
    """A page across several projects, merged by ``released_at``.

    No project can give more than the first ``offset + limit`` of its own releases to the page,
    so only those are read, each project's as one index window.
    """
    descending = sort == "desc"
    total = sum(state.release_count(project["id"]) for project in projects)
    wanted = min(offset, total) + limit
    streams = [
        (
            (project, release)
            for release in state.releases.window(
                "released_at", (project["id"],), offset=0, limit=wanted, descending=descending
            )
        )
        for project in projects
    ]
    merged = heapq.merge(*streams, key=lambda pair: (pair[1]["released_at"], pair[1]["id"]), reverse=descending)
    # islice takes no index above sys.maxsize, and a page number may be anything up to that.
    start = min(offset, total)
    return list(itertools.islice(merged, start, min(offset + limit, total))), total


def _milestone_ids(state: GitLabState, project: Row, body: dict[str, t.Any]) -> list[int] | None:
    """Milestones by title or by id (never both); None when the request names neither."""
    if "milestones" in body and "milestone_ids" in body:
        raise BadRequest(
            {"error": "milestones, milestone_ids Cannot specify milestones and milestone_ids at the same time"}
        )
    if "milestones" in body:
        titles = _listed(body["milestones"])
        by_title = {milestone["title"]: milestone["id"] for milestone in state.milestones_of(project["id"])}
        missing = [title for title in titles if title not in by_title]
        if missing:
            raise BadRequest(f"Milestone(s) not found: {', '.join(missing)}")
        return [by_title[title] for title in titles]
    if "milestone_ids" in body:
        wanted = _listed(body["milestone_ids"])
        known = {str(milestone["id"]) for milestone in state.milestones_of(project["id"])}
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
    state: GitLabState, project: Row, author_id: int | None, body: dict[str, t.Any], now: dt.datetime
) -> Row:
    tag_name = body["tag_name"]
    links = _links_from(body)
    milestone_ids = _milestone_ids(state, project, body) or []
    released_at = parse_time("released_at", body["released_at"]) if body.get("released_at") else None
    if state.release(project["id"], tag_name) is not None:
        raise Conflict("Release already exists")
    tag = state.tag(project["id"], tag_name)
    new_tag_target = None
    if tag is None:
        if not body.get("ref"):
            raise Unprocessable("Ref is not specified")
        new_tag_target = tag_rules.check_new_tag(state, project, tag_name, body["ref"])
    if tag_name in project["protected_tags"]:
        raise Forbidden("You are not allowed to create this tag as it is protected.")

    created_at = iso_stored(now)
    if new_tag_target is not None:
        tag_rules.add_tag(state, project, tag_name, new_tag_target, body.get("tag_message"), created_at)
    release: Row = {
        "project_id": project["id"],
        "tag_name": tag_name,
        "id": state.next_id(),
        "name": body.get("name") or tag_name,
        "description": body.get("description"),
        "created_at": created_at,
        "released_at": released_at or created_at,
        "updated_at": created_at,
        "author_id": author_id,
        "milestone_ids": milestone_ids,
        "evidences": [],
    }
    # Evidence is collected at once only for a release that is neither upcoming nor historical.
    if release["released_at"] == created_at:
        release["evidences"] = [new_evidence(release["id"], tag_name, now, created_at)]
    state.releases.put(lean_release(release))
    for fields in links:
        state.links.put(link_rules.new_link(state, project, tag_name, fields, created_at))
    return release


def new_evidence(release_id: int, tag_name: str, collected_at: dt.datetime, stored_at: str) -> Row:
    """``stored_at``: ``collected_at`` in the stored form (the release's own moment string, shared)."""
    digest = hashlib.sha256(f"{release_id}:{tag_name}:{collected_at.isoformat()}".encode()).hexdigest()
    return {"sha": digest[:42], "collected_at": stored_at}


UPDATABLE = ("name", "description", "released_at", "milestones", "milestone_ids")


def update_release(state: GitLabState, project: Row, tag_name: str, body: dict[str, t.Any], now: dt.datetime) -> Row:
    release = release_for_write(state, project, tag_name)
    if not any(key in body for key in UPDATABLE):
        raise BadRequest("params is empty")
    milestone_ids = _milestone_ids(state, project, body)
    changes: dict[str, t.Any] = {"updated_at": iso_stored(now)}
    if "name" in body:
        changes["name"] = body["name"] or release["tag_name"]
    if "description" in body:
        changes["description"] = body["description"]
    if body.get("released_at"):
        changes["released_at"] = parse_time("released_at", body["released_at"])
    if milestone_ids is not None:
        changes["milestone_ids"] = milestone_ids
    return state.releases.put(lean_release({**release, **changes}))


def delete_release(state: GitLabState, project: Row, tag_name: str) -> Row:
    """Removes the release and its links; the Git tag stays."""
    release = release_for_write(state, project, tag_name)
    state.delete_release_links(project["id"], tag_name)
    state.releases.delete(project["id"], tag_name)
    return release


def collect_evidence(state: GitLabState, project: Row, tag_name: str, now: dt.datetime) -> None:
    release = find_release(state, project, tag_name)
    evidence = new_evidence(release["id"], tag_name, now, iso_stored(now))
    state.releases.put({**release, "evidences": [*release.get("evidences", ()), evidence]})


def latest_location(
    state: GitLabState,
    project: Row,
    api_url: str,
    *,
    order_by: str,
    suffix: str | None,
    query: t.Sequence[tuple[str, str]],
) -> str:
    """Where ``permalink/latest[/suffix]`` redirects: the newest release's own URL, query kept, order_by dropped."""
    if suffix is not None and (suffix.startswith("/") or any(part in ("", ".", "..") for part in suffix.split("/"))):
        raise BadRequest({"error": "suffix_path should be a valid file path"})
    latest = state.releases.first(order_by, (project["id"],), descending=True)
    if latest is None:
        raise NotFound(NOT_FOUND)
    location = f"{api_url}/projects/{project['id']}/releases/{quote(latest['tag_name'], safe='')}"
    if suffix:
        location += "/" + "/".join(quote(part, safe="") for part in suffix.split("/"))
    kept = [(key, value) for key, value in query if key != "order_by"]
    return f"{location}?{urlencode(kept)}" if kept else location


def asset_location(state: GitLabState, project: Row, tag_name: str, direct_asset_path: str) -> str:
    find_release(state, project, tag_name)
    filepath = "/" + direct_asset_path.lstrip("/")
    link = next((row for row in state.links_of(project["id"], tag_name) if row["filepath"] == filepath), None)
    if link is None:
        raise NotFound(link_rules.LINK_NOT_FOUND)
    return t.cast(str, link["url"])
