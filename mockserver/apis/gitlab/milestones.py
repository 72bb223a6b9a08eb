"""Project milestones: listed with GitLab's filters (and the project's group milestones on request),
created and updated under GitLab's rules (titles unique across a project and its group).

Rules first, then one write: a refused create or update changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import typing as t

from ...errors import BadRequest, NotFound
from ...ids import read_integer
from ...store import Row
from .state import GitLabState, full_path, lean_release

MILESTONE_NOT_FOUND = "404 Not found"
"""``milestones.find`` raises ActiveRecord's RecordNotFound, which GitLab words in lower case."""
TITLE_TAKEN = "already being used for another group or project milestone."
UPDATABLE = ("title", "description", "start_date", "due_date", "state_event")
STATE_EVENTS = {"close": "closed", "activate": "active"}


class Filters(t.NamedTuple):
    state: str = "all"
    title: str | None = None
    search: str | None = None
    iids: tuple[int, ...] = ()
    with_group: bool = False
    updated_before: str | None = None
    updated_after: str | None = None


def list_milestones(state: GitLabState, project: Row, filters: Filters) -> list[Row]:
    """The project's milestones (and its group's, when asked) that pass every filter, in GitLab's order:
    due date first (none last), then title, then id."""
    rows = list(state.milestones_of(project["id"]))
    if filters.with_group and project.get("group_id") is not None:
        rows += list(state.milestones_of_group(project["group_id"]))
    search = filters.search.lower() if filters.search else None
    chosen = [
        row
        for row in rows
        if (filters.state == "all" or row["state"] == filters.state)
        and (filters.title is None or row["title"] == filters.title)
        and (not filters.iids or row["iid"] in filters.iids)
        and (search is None or search in row["title"].lower() or search in (row["description"] or "").lower())
        and (filters.updated_before is None or row["updated_at"] < filters.updated_before)
        and (filters.updated_after is None or row["updated_at"] > filters.updated_after)
    ]
    return sorted(chosen, key=lambda row: (row["due_date"] is None, row["due_date"] or "", row["title"], row["id"]))


def find_milestone(state: GitLabState, project: Row, milestone_id: int | None) -> Row:
    """``None``: an id that names no row (``record_id``)."""
    milestone = None if milestone_id is None else state.milestone(project["id"], milestone_id)
    if milestone is None:
        raise NotFound(MILESTONE_NOT_FOUND)
    return milestone


# ActiveModel's integer type casts a string to nil unless it starts (after spaces and a sign) with
# a digit; other strings are Ruby's ``to_i``: the leading integer, ``0d`` prefix and ``_`` included.
_CASTS_TO_NUMBER = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]")
_LEADING_INTEGER = re.compile(r"[ \t\n\v\f\r]*([+-]?)(?:0[dD](?=[0-9]))?([0-9]+(?:_[0-9]+)*)")


def record_id(text: str) -> int | None:
    """The id ActiveRecord's ``find`` looks up for a parameter the endpoint leaves untyped
    (``12abc`` is 12), or ``None`` for text that casts to no number."""
    if _CASTS_TO_NUMBER.match(text) is None:
        return None
    leading = _LEADING_INTEGER.match(text)
    assert leading is not None  # a digit after spaces and a sign is a leading integer
    sign, digits = leading.groups()
    return read_integer(sign + digits.replace("_", ""))


def create_milestone(state: GitLabState, project: Row, body: t.Mapping[str, t.Any], now: str) -> Row:
    """``now``: the moment in the stored form."""
    fields = _checked_fields(state, project, body, None, "create")
    iids = [row["iid"] for row in state.milestones_of(project["id"])]
    row = {
        "project_id": project["id"],
        "id": state.next_milestone_id(),
        "iid": max(iids, default=0) + 1,
        "title": fields["title"],
        "description": fields.get("description"),
        "state": "active",
        "created_at": now,
        "updated_at": now,
        "due_date": fields.get("due_date"),
        "start_date": fields.get("start_date"),
        "issue_stats": {"total": 0, "closed": 0},
    }
    return state.milestones.put(row)


def update_milestone(state: GitLabState, project: Row, milestone_id: int, body: t.Mapping[str, t.Any], now: str) -> Row:
    milestone = find_milestone(state, project, milestone_id)
    if not any(name in body for name in UPDATABLE):
        raise BadRequest({"error": f"{', '.join(UPDATABLE)} are missing, at least one parameter must be provided"})
    fields = _checked_fields(state, project, body, milestone, "update")
    changed = {**milestone, **fields, "updated_at": now}
    if "state_event" in body:
        changed["state"] = STATE_EVENTS[body["state_event"]]
    return state.milestones.put(changed)


def delete_milestone(state: GitLabState, project: Row, milestone_id: int | None) -> None:
    """Releases that named the milestone lose it, as GitLab drops the release's link to it.

    ``milestone_id``: as ``record_id`` reads it, since GitLab's delete endpoint declares no type for it."""
    milestone = find_milestone(state, project, milestone_id)
    for release in list(state.releases.ordered("released_at", (project["id"],))):
        named = release.get("milestone_ids", ())
        if milestone["id"] in named:
            kept = [other for other in named if other != milestone["id"]]
            state.releases.put(lean_release({**release, "milestone_ids": kept}))
    state.milestones.delete(project["id"], milestone["id"])


def _checked_fields(
    state: GitLabState, project: Row, body: t.Mapping[str, t.Any], current: Row | None, verb: str
) -> dict[str, t.Any]:
    """The new values of title, description and dates, or GitLab's 400 naming every attribute that fails."""
    fields: dict[str, t.Any] = {}
    if "title" in body or current is None:
        fields["title"] = str(body.get("title") or "").strip()
    if "description" in body:
        fields["description"] = body["description"]
    for name in ("start_date", "due_date"):
        if name in body:
            # Rails casts a string that is not a date to nil rather than refusing it.
            fields[name] = _date(body[name])
    errors: dict[str, list[str]] = {}
    if "title" in fields:
        title = fields["title"]
        if not title:
            errors["title"] = ["can't be blank"]
        elif (current is None or title != current["title"]) and _title_taken(state, project, title):
            errors["title"] = [TITLE_TAKEN]
    start = fields.get("start_date", current["start_date"] if current else None)
    due = fields.get("due_date", current["due_date"] if current else None)
    if start and due and due < start:
        errors["due_date"] = ["must be greater than start date"]
    if errors:
        raise BadRequest(f"Failed to {verb} milestone {_ruby_hash(errors)}")
    return fields


def _title_taken(state: GitLabState, project: Row, title: str) -> bool:
    """Titles are unique across the project's milestones and its group's."""
    if any(row["title"] == title for row in state.milestones_of(project["id"])):
        return True
    group_id = project.get("group_id")
    return group_id is not None and any(row["title"] == title for row in state.milestones_of_group(group_id))


def _date(value: t.Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _ruby_hash(errors: t.Mapping[str, list[str]]) -> str:
    """``errors.messages`` as GitLab's Ruby prints a Hash into the message: ``{:title=>["..."]}``."""
    parts = (f":{name}=>[{', '.join(_ruby_string(m) for m in messages)}]" for name, messages in errors.items())
    return "{" + ", ".join(parts) + "}"


def _ruby_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def milestone_view(milestone: Row, base_url: str, today: str, owner: Row) -> dict[str, t.Any]:
    """GitLab's milestone entity. ``owner`` is the project (or the group) the milestone belongs to;
    ``today``: the request's date, ISO form, against which ``expired`` is measured."""
    body: dict[str, t.Any] = {"id": milestone["id"], "iid": milestone["iid"]}
    if "project_id" in milestone:
        body["project_id"] = milestone["project_id"]
        web = f"{base_url}/{full_path(owner)}/-/milestones/{milestone['iid']}"
    else:
        body["group_id"] = milestone["group_id"]
        web = f"{base_url}/groups/{owner['full_path']}/-/milestones/{milestone['iid']}"
    due = milestone["due_date"]
    body.update(
        {
            "title": milestone["title"],
            "description": milestone["description"],
            "state": milestone["state"],
            "created_at": milestone["created_at"][:23] + "Z",
            "updated_at": milestone["updated_at"][:23] + "Z",
            "due_date": due,
            "start_date": milestone["start_date"],
            # Ruby's `due_date && due_date < today`: nil without a due date.
            "expired": None if due is None else due < today,
            "web_url": web,
        }
    )
    return body
