"""Releases as one project sees them: the project-scoped list, create (201/208), details, update and delete.

Sentry serves these under ``/projects/{org}/{project}/releases/``. A release is the
organization's, but here only a release linked to the project in the path exists; creating one
that the organization already has links it to the project. Each write checks everything first
and only then writes rows, so a rejected request changes nothing.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from ...clock import iso_stored, parse_iso
from ...errors import BadRequest, NotFound
from ...store import Row
from .auth import DOES_NOT_EXIST, Access
from .releases import Listing
from .state import commit_row
from .versions import is_valid_version

OPEN = "open"
"""The project's list shows open releases only; it has no status filter."""


def find_release(access: Access, project: Row, version: str) -> Row:
    """The release of this version, if it is linked to the project (404 otherwise)."""
    state = access.state
    linked = state.table("release_projects").get(access.organization_id, version, project["id"])
    release = state.release(access.organization_id, version) if linked is not None else None
    if release is None:
        raise NotFound(DOES_NOT_EXIST)
    return release


def list_releases(access: Access, project: Row, *, query: str = "", environment: str | None = None) -> Listing:
    """Open releases of the project, released (else created) most recently first.

    ``query`` keeps versions that contain it, whatever the case; ``environment`` keeps releases
    deployed to it for this project. Without either, a page is a window of one index partition.
    """
    state, org, project_id = access.state, access.organization_id, project["id"]
    links = state.table("release_projects")
    partition = (org, project_id, OPEN)
    needle = query.lower()

    def release_of(link: Row) -> Row | None:
        return state.release(link["organization_id"], link["version"])

    if not needle and environment is None:

        def window(offset: int, limit: int) -> list[Row]:
            found = links.window("project_status_sort_date", partition, offset=offset, limit=limit, descending=True)
            return [release for release in map(release_of, found) if release is not None]

        return Listing(window)

    def matches(release: Row) -> bool:
        return needle in release["version"].lower() and (
            environment is None
            or any(
                deploy["environment"] == environment and project_id in deploy["project_ids"]
                for deploy in state.deploys(release)
            )
        )

    ordered = links.ordered("project_status_sort_date", partition, descending=True)
    rows = [release for release in map(release_of, ordered) if release is not None and matches(release)]
    return Listing(lambda offset, limit: rows[offset : offset + limit])


def _time(body: t.Mapping[str, t.Any], key: str) -> str | None:
    return iso_stored(parse_iso(body[key])) if body.get(key) else None


def _commits(body: t.Mapping[str, t.Any], moment: dt.datetime) -> list[Row] | None:
    """The commits a request sets: only a non-empty ``commits`` list sets any (Sentry ignores ``refs`` here)."""
    return [commit_row(commit, moment) for commit in body["commits"]] if body.get("commits") else None


def create_release(
    access: Access, project: Row, body: t.Mapping[str, t.Any], now: dt.datetime, user_agent: str | None
) -> tuple[Row, bool]:
    """Get or create by version, and link the project; True when the link is new (Sentry's 201, else 208).

    An existing release keeps its fields; only a ``status`` that differs is applied to it.
    """
    version = body["version"]
    if not is_valid_version(version):
        raise BadRequest({"version": [f"Release with name {version} is not allowed"]})
    commits = _commits(body, now)
    date_released = _time(body, "dateReleased")
    state = access.state
    existing = state.release(access.organization_id, version)
    if existing is None:
        release = state.put_release(
            {
                "organization_id": access.organization_id,
                "id": state.next_id(),
                "version": version,
                "status": body.get("status") or OPEN,
                "ref": body.get("ref"),
                "url": body.get("url"),
                "date_created": iso_stored(now),
                "date_released": date_released,
                "date_started": None,
                "owner": body.get("owner"),
                "user_agent": user_agent or "",
                "health_data": False,
            }
        )
    else:
        status = body.get("status") or existing["status"]
        release = existing if status == existing["status"] else state.put_release({**existing, "status": status})
    linked = project["id"] in state.project_ids(release)
    if not linked:
        state.link_projects(release, [project["id"]])
    if commits is not None:
        state.set_commits(release, commits)
    return release, not linked


def update_release(access: Access, project: Row, version: str, body: t.Mapping[str, t.Any], now: dt.datetime) -> Row:
    """Only truthy values are applied (``ref``, ``url``, ``dateReleased``, ``status``), and commits when listed."""
    release = find_release(access, project, version)
    changes: dict[str, t.Any] = {key: body[key] for key in ("ref", "url", "status") if body.get(key)}
    if body.get("dateReleased"):
        changes["date_released"] = _time(body, "dateReleased")
    commits = _commits(body, now)
    updated = access.state.put_release({**release, **changes}) if changes else release
    if commits is not None:
        access.state.set_commits(updated, commits)
    return updated


def delete_release(access: Access, project: Row, version: str) -> None:
    """The whole release goes, with its files, as from the organization's endpoint."""
    release = find_release(access, project, version)
    if release.get("health_data"):
        raise BadRequest("This release has health data and cannot be removed.")
    access.state.delete_release(release)


def delete_files(access: Access, project: Row, version: str | None) -> None:
    """Every file of the project's release ``version`` goes (Sentry's source map archive delete).

    Without ``name`` Sentry answers a 404 with an empty body, which is no JSON: the mock answers
    its usual not-found body instead. A release the project does not have is a 404 that says so.
    """
    if not version:
        raise NotFound(DOES_NOT_EXIST)
    state = access.state
    linked = state.table("release_projects").get(access.organization_id, version, project["id"])
    release = state.release(access.organization_id, version) if linked is not None else None
    if release is None:
        raise NotFound("The provided release does not exist")
    for file in state.files(release):
        state.delete_file(file)
