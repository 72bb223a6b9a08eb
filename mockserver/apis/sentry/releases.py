"""Organization releases: list with filters and sorts, idempotent create, update, delete (§B.3, §B.6).

Each write checks everything first and only then writes rows, so a rejected request changes nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
import typing as t

from ...clock import iso_stored, parse_iso
from ...errors import BadRequest, Forbidden, NotFound
from ...ids import read_integer
from ...store import Row, Table
from . import release_search
from .auth import DOES_NOT_EXIST, NO_PERMISSION, Access
from .state import SentryState, commit_row, sort_date_of
from .versions import build_key, is_valid_version, semver_key
from .views import adoption_stage

NOT_NUMBERS = "Invalid project parameter. Values must be numbers."
EVERY_ACCESSIBLE_PROJECT = -1
EVERY_ACCESSIBLE_SLUG = "$all"

SESSION_SORTS = frozenset({"crash_free_sessions", "crash_free_users", "sessions", "users", "sessions_24h", "users_24h"})


def find_release(access: Access, version: str) -> Row:
    """A release the caller can see; one whose projects they cannot see does not exist for them."""
    release = access.state.release(access.organization_id, version)
    if release is None or not access.can_see_release(release):
        raise NotFound(DOES_NOT_EXIST)
    return release


def resolve_projects(access: Access, refs: t.Iterable[t.Any], *, field: str = "projects") -> list[int]:
    """Project ids or slugs -> ids; any unknown or hidden one rejects the whole list."""
    found = [access.project(ref) for ref in refs]
    if any(project is None or not access.can_see(project) for project in found):
        raise BadRequest({field: ["Invalid project ids or slugs"]})
    return list(dict.fromkeys(project["id"] for project in found if project is not None))


def project_number(ref: t.Any) -> int:
    """A ``project`` query value: numeric ids only, as Sentry reads them (a slug is 400)."""
    try:
        return read_integer(str(ref))
    except ValueError:
        raise BadRequest(NOT_NUMBERS) from None


def filter_projects(access: Access, refs: t.Iterable[t.Any], slugs: t.Iterable[str] = ()) -> list[int]:
    """The ``project`` (or ``projectSlug``) filter of a list: projects the caller can see, else 403.

    None, or ``-1`` among the ids (``$all`` among the slugs), is every project the caller sees
    (an empty list here). Every id is read first, so a slug among the ids is 400 even when
    ``projectSlug`` is given, which then decides.
    """
    numbers = list(dict.fromkeys(project_number(ref) for ref in refs))
    names = list(dict.fromkeys(slug for slug in slugs if slug))
    if names:
        if EVERY_ACCESSIBLE_SLUG in names:
            return []
        wanted: list[t.Any] = names
    elif EVERY_ACCESSIBLE_PROJECT in numbers or not numbers:
        return []
    else:
        wanted = numbers
    found = [access.project(ref) for ref in wanted]
    if any(project is None or not access.can_see(project) for project in found):
        raise Forbidden(NO_PERMISSION)
    return [project["id"] for project in found if project is not None]


def described_project(access: Access, ref: t.Any) -> Row:
    """The ``project`` a single release is described within: a number, of a project the caller sees (else 404)."""
    project = access.project(project_number(ref))
    if project is None or not access.can_see(project):
        raise NotFound(DOES_NOT_EXIST)
    return project


class Listing:
    """The releases a list request matches, in order, read a window at a time (nothing counts them all)."""

    def __init__(self, rows: t.Callable[[int, int], list[Row]]) -> None:
        self._rows = rows

    def window(self, offset: int, limit: int) -> list[Row]:
        """Matches ``offset`` to ``offset + limit`` (``offset`` is never negative)."""
        return self._rows(offset, limit)


def list_releases(access: Access, params: t.Mapping[str, t.Any]) -> Listing:
    """Every matching release in order, paged by the caller; ``query`` in Sentry's release search syntax.

    The plain case (newest first, at most one project, no query or environment filter, a token
    that sees every project) is a window of one index partition; the others filter a scan.
    """
    sort = params.get("sort") or "date"
    if sort in SESSION_SORTS and params.get("flatten") != "1":
        raise BadRequest("sorting by crash statistics requires flattening (flatten=1)")
    project_ids = filter_projects(access, params.get("project") or [], params.get("projectSlug") or [])
    status = params.get("status") or "open"
    environments = set(params.get("environment") or [])
    state, org = access.state, access.organization_id
    search = release_search.ReleaseSearch(
        (params.get("query") or "").strip(), _search_scope(access, project_ids, sorted(environments))
    )
    if sort not in ("semver", "build") and not (search or environments) and access.sees_every_project:
        if len(project_ids) == 1:
            return _indexed(
                state.table("release_projects"), "project_status_date", (org, project_ids[0], status), state
            )
        if not project_ids:
            return _indexed(state.table("releases"), "status_date", (org, status))

    def matches(release: Row) -> bool:
        return (
            access.can_see_release(release)
            and (not project_ids or bool(set(project_ids).intersection(state.project_ids(release))))
            and (
                not environments
                or bool(environments.intersection(deploy["environment"] for deploy in state.deploys(release)))
            )
            and search.matches(release)
        )

    rows = [
        row for row in state.table("releases").ordered("status_date", (org, status), descending=True) if matches(row)
    ]
    if sort == "semver":
        rows.sort(key=lambda release: semver_key(release["version"]), reverse=True)
    elif sort == "build":
        # Sentry lists only releases with a build number when it sorts by them.
        rows = [release for release in rows if build_key(release["version"])[0]]
        rows.sort(key=lambda release: build_key(release["version"]), reverse=True)
    return Listing(lambda offset, limit: rows[offset : offset + limit])


def _search_scope(access: Access, project_ids: list[int], environments: list[str]) -> release_search.Scope:
    """The projects (those asked for, else every one the caller sees) and environments a search looks at."""
    state = access.state
    scope = project_ids or [
        project["id"] for project in state.projects_of(access.organization_id) if access.can_see(project)
    ]

    def stages(release: Row) -> set[str]:
        """Per project of the scope that saw the release (a deploy, or sessions), its adoption stage there."""
        figures = state.health(release)
        deployed = {project_id for deploy in state.deploys(release) for project_id in deploy["project_ids"]}
        return {
            adoption_stage(figures.get(project_id))["stage"]
            for project_id in scope
            if project_id in deployed or project_id in figures
        }

    def latest() -> set[str]:
        """Per project, the release released (else created) last, among those deployed to the environments."""
        links = state.table("release_projects")
        versions = set()
        for project_id in scope:
            candidates = [
                state.release(link["organization_id"], link["version"])
                for status in ("open", "archived")
                for link in links.ordered("project_status_sort_date", (access.organization_id, project_id, status))
            ]
            kept = [
                release
                for release in candidates
                if release is not None
                and (
                    not environments
                    or any(
                        deploy["environment"] in environments and project_id in deploy["project_ids"]
                        for deploy in state.deploys(release)
                    )
                )
            ]
            if kept:
                versions.add(max(kept, key=lambda release: (sort_date_of(release), release["id"]))["version"])
        return versions

    return release_search.Scope(project_ids=scope, environments=environments, latest=latest, stages=stages)


def _indexed(table: Table, index: str, partition: tuple[t.Any, ...], state: SentryState | None = None) -> Listing:
    """A window of one index partition, newest first; links (``state`` given) are read back as their releases."""

    def rows(offset: int, limit: int) -> list[Row]:
        found = table.window(index, partition, offset=offset, limit=limit, descending=True)
        if state is None:
            return list(found)
        releases = (state.release(link["organization_id"], link["version"]) for link in found)
        return [release for release in releases if release is not None]

    return Listing(rows)


def commits_from(access: Access, body: t.Mapping[str, t.Any], moment: dt.datetime) -> list[Row] | None:
    """The commits a create or update sets, from ``commits`` or ``refs``; None when it sets none."""
    if body.get("commits"):
        return [commit_row(commit, moment) for commit in body["commits"]]
    if "refs" not in body or body["refs"] is None:
        return None
    org = access.organization_id
    unknown = [ref["repository"] for ref in body["refs"] if access.state.repository(org, ref["repository"]) is None]
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


def _time(body: t.Mapping[str, t.Any], key: str) -> str | None:
    return iso_stored(parse_iso(body[key])) if body.get(key) else None


def create_release(access: Access, body: t.Mapping[str, t.Any], now: dt.datetime) -> tuple[Row, bool]:
    """Get or create by version; True when something new happened (a release or a linked project)."""
    version = body["version"]
    if not is_valid_version(version):
        raise BadRequest({"version": [f"Release with name {version} is not allowed"]})
    project_ids = resolve_projects(access, body.get("projects") or [])
    commits = commits_from(access, body, now)
    date_released, date_started = _time(body, "dateReleased"), _time(body, "dateStarted")
    state = access.state
    existing = state.release(access.organization_id, version)
    if existing is not None and not access.can_see_release(existing):
        hidden = [str(pid) for pid in state.project_ids(existing)]
        raise BadRequest({"projects": [f"You do not have permission to one of the projects: {', '.join(hidden)}"]})
    if existing is None:
        release = state.put_release(
            {
                "organization_id": access.organization_id,
                "id": state.next_id(),
                "version": version,
                "status": body.get("status") or "open",
                "ref": body.get("ref"),
                "url": body.get("url"),
                "date_created": iso_stored(now),
                "date_released": date_released,
                "date_started": date_started,
                "owner": body.get("owner"),
                "user_agent": None,
                "health_data": False,
            }
        )
        state.link_projects(release, project_ids)
        state.set_commits(release, commits or [])
        return release, True
    linked = state.project_ids(existing)
    added = [pid for pid in project_ids if pid not in linked]
    release = state.put_release({**existing, "status": body.get("status") or existing["status"]})
    state.link_projects(release, added)
    if commits is not None:
        state.set_commits(release, commits)
    return release, bool(added)


def update_release(access: Access, version: str, body: t.Mapping[str, t.Any], now: dt.datetime) -> Row:
    """Only truthy values are applied, as Sentry's serializer does; ``refs: []`` clears the commits."""
    release = find_release(access, version)
    changes: dict[str, t.Any] = {}
    for key in ("ref", "url", "status"):
        if body.get(key):
            changes[key] = body[key]
    if body.get("dateReleased"):
        changes["date_released"] = _time(body, "dateReleased")
    commits = commits_from(access, body, now)
    updated = access.state.put_release({**release, **changes})
    if commits is not None:
        access.state.set_commits(updated, commits)
    return updated


def delete_release(access: Access, version: str) -> None:
    release = find_release(access, version)
    if release.get("health_data"):
        raise BadRequest("This release has health data and cannot be removed.")
    access.state.delete_release(release)


def previous_with_commits(access: Access, version: str) -> Row | None:
    """The newest earlier release, sharing a project, that has commits; None if there is none."""
    release = find_release(access, version)
    state = access.state
    projects = set(state.project_ids(release))
    earlier = itertools.dropwhile(
        lambda candidate: candidate["date_created"] >= release["date_created"],
        state.table("releases").ordered("date", (access.organization_id,), descending=True),
    )
    for candidate in earlier:
        if (
            state.commit_count(candidate)
            and access.can_see_release(candidate)
            and (not projects or projects.intersection(state.project_ids(candidate)))
        ):
            return candidate
    return None
