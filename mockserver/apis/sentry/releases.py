"""Organization releases: list with filters and sorts, idempotent create, update, delete (§B.3, §B.6).

Each write checks everything first and only then replaces rows, so a rejected request changes nothing.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from ...clock import parse_iso
from ...errors import BadRequest, NotFound
from .auth import DOES_NOT_EXIST, Access
from .state import Organization, commit_row
from .versions import build_key, is_valid_version, semver_key

SESSION_SORTS = frozenset({"crash_free_sessions", "crash_free_users", "sessions", "users", "sessions_24h", "users_24h"})


def find_release(access: Access, version: str) -> dict[str, t.Any]:
    """A release the caller can see; one whose projects they cannot see does not exist for them."""
    release = access.organization.releases.get(version)
    if release is None or not access.can_see_release(release):
        raise NotFound(DOES_NOT_EXIST)
    return release


def resolve_projects(access: Access, refs: t.Iterable[t.Any], *, field: str = "projects") -> list[int]:
    """Project ids or slugs -> ids; any unknown or hidden one rejects the whole list."""
    found = [access.organization.project(ref) for ref in refs]
    if any(project is None or not access.can_see(project) for project in found):
        raise BadRequest({field: ["Invalid project ids or slugs"]})
    return list(dict.fromkeys(project.id for project in found if project is not None))


def list_releases(access: Access, params: t.Mapping[str, t.Any]) -> list[dict[str, t.Any]]:
    """Every matching release in order; the caller pages the result."""
    sort = params.get("sort") or "date"
    if sort in SESSION_SORTS and params.get("flatten") != "1":
        raise BadRequest("sorting by crash statistics requires flattening (flatten=1)")
    wanted = [str(ref) for ref in params.get("project") or [] if str(ref) != "-1"]
    project_ids = set(resolve_projects(access, wanted, field="project")) if wanted else None
    status = params.get("status") or "open"
    query = (params.get("query") or "").strip().lower()
    environments = set(params.get("environment") or [])
    rows = [
        release
        for release in access.organization.releases.ordered("date", descending=True)
        if access.can_see_release(release)
        and release["status"] == status
        and (project_ids is None or project_ids.intersection(release["project_ids"]))
        and (not query or query in release["version"].lower())
        and (not environments or environments.intersection(deploy["environment"] for deploy in release["deploys"]))
    ]
    if sort == "semver":
        rows.sort(key=lambda release: semver_key(release["version"]), reverse=True)
    elif sort == "build":
        rows.sort(key=lambda release: build_key(release["version"]), reverse=True)
    return rows


def commits_from(
    organization: Organization, body: t.Mapping[str, t.Any], moment: dt.datetime
) -> list[dict[str, t.Any]] | None:
    """The commits a create or update sets, from ``commits`` or ``refs``; None when it sets none."""
    if body.get("commits"):
        return [commit_row(commit, moment) for commit in body["commits"]]
    if "refs" not in body or body["refs"] is None:
        return None
    unknown = [ref["repository"] for ref in body["refs"] if organization.repository(ref["repository"]) is None]
    if unknown:
        raise BadRequest({"refs": [f"Invalid repository names: {','.join(unknown)}"]})
    commits = []
    for ref in body["refs"]:
        previous, _, current = ref["commit"].rpartition("..")
        commits.append(commit_row({"id": current, "repository": ref["repository"]}, moment))
        if previous or ref.get("previousCommit"):
            commits.append(
                commit_row({"id": previous or ref["previousCommit"], "repository": ref["repository"]}, moment)
            )
    return commits


def _time(body: t.Mapping[str, t.Any], key: str) -> t.Any:
    return parse_iso(body[key]) if body.get(key) else None


def create_release(
    access: Access, body: t.Mapping[str, t.Any], next_id: t.Callable[[], int], now: dt.datetime
) -> tuple[dict, bool]:
    """Get or create by version; True when something new happened (a release or a linked project)."""
    version = body["version"]
    if not is_valid_version(version):
        raise BadRequest({"version": [f"Release with name {version} is not allowed"]})
    project_ids = resolve_projects(access, body.get("projects") or [])
    commits = commits_from(access.organization, body, now)
    releases = access.organization.releases
    existing = releases.get(version)
    if existing is not None and not access.can_see_release(existing):
        hidden = [str(pid) for pid in existing["project_ids"]]
        raise BadRequest({"projects": [f"You do not have permission to one of the projects: {', '.join(hidden)}"]})
    if existing is None:
        release = {
            "id": next_id(),
            "version": version,
            "status": body.get("status") or "open",
            "ref": body.get("ref"),
            "url": body.get("url"),
            "date_created": now,
            "date_released": _time(body, "dateReleased"),
            "date_started": _time(body, "dateStarted"),
            "owner": body.get("owner"),
            "user_agent": None,
            "project_ids": project_ids,
            "commits": commits or [],
            "deploys": [],
            "files": {},
            "health_data": False,
        }
        return releases.put(version, release), True
    added = [pid for pid in project_ids if pid not in existing["project_ids"]]
    changes: dict[str, t.Any] = {"project_ids": [*existing["project_ids"], *added]}
    if body.get("status"):
        changes["status"] = body["status"]
    if commits is not None:
        changes["commits"] = commits
    return releases.put(version, {**existing, **changes}), bool(added)


def update_release(access: Access, version: str, body: t.Mapping[str, t.Any], now: dt.datetime) -> dict[str, t.Any]:
    """Only truthy values are applied, as Sentry's serializer does; ``refs: []`` clears the commits."""
    release = find_release(access, version)
    changes: dict[str, t.Any] = {}
    for key in ("ref", "url", "status"):
        if body.get(key):
            changes[key] = body[key]
    if body.get("dateReleased"):
        changes["date_released"] = parse_iso(body["dateReleased"])
    commits = commits_from(access.organization, body, now)
    if commits is not None:
        changes["commits"] = commits
    return access.organization.releases.put(version, {**release, **changes})


def delete_release(access: Access, version: str) -> None:
    release = find_release(access, version)
    if release.get("health_data"):
        raise BadRequest("This release has health data and cannot be removed.")
    access.organization.releases.delete(version)


def previous_with_commits(access: Access, version: str) -> dict[str, t.Any] | None:
    """The newest earlier release, sharing a project, that has commits; None if there is none."""
    release = find_release(access, version)
    for candidate in access.organization.releases.ordered("date", descending=True):
        if (
            candidate["date_created"] < release["date_created"]
            and candidate["commits"]
            and access.can_see_release(candidate)
            and (not release["project_ids"] or set(candidate["project_ids"]) & set(release["project_ids"]))
        ):
            return candidate
    return None
