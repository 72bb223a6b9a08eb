"""Fixture data in and out of the store: ``load_state`` fills the tables, ``dump_state`` gives the fixture form back.

The dump says everything the tables hold (ids, dates, deploys, files with their contents in
base64, the id counter under ``sequences``), so loading it gives the same rows again.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import pathlib
import typing as t

from ...clock import iso_stored, stored_from
from ...fixtures import FixtureError, validate_seed
from ...store import ApiData, Row, digest_of
from .bundle_seed import check_bundle_references, dump_bundles, load_bundles
from .bundles import LINK_COUNTER
from .state import FIRST_IDS_AFTER, ID_COUNTER, SentryState, commit_row

FIXTURE_SCHEMA = pathlib.Path(__file__).with_name("fixture_schema.yaml")

Seed = dict[str, t.Any]


def load_state(data: ApiData, seed: Seed, now: dt.datetime, *, consume: bool = False) -> None:
    """``now``: the app clock's moment, given to releases the fixtures leave undated.

    ``consume`` is not used: no scenario makes Sentry worlds large enough for it to matter.
    """
    state = SentryState(data)
    for user in seed.get("users", []):
        data.table("users").put(dict(user))
    for token in seed.get("tokens", []):
        data.table("tokens").put(dict(token))
    last_id = 0
    undated: list[Row] = []
    for raw in seed.get("organizations", []):
        organization = {
            "id": raw["id"],
            "slug": raw["slug"],
            "name": raw.get("name", raw["slug"]),
            "assembly_seconds": raw.get("assemblySeconds", 0),
        }
        data.table("organizations").put(organization)
        for project in raw.get("projects", []):
            data.table("projects").put(
                {
                    "id": project["id"],
                    "organization_id": raw["id"],
                    "slug": project["slug"],
                    "name": project.get("name", project["slug"]),
                    "platform": project.get("platform"),
                    "hasHealthData": bool(project.get("hasHealthData", False)),
                }
            )
        for repository in raw.get("repositories", []):
            data.table("repositories").put({**repository, "organization_id": raw["id"]})
        for release in raw.get("releases", []):
            last_id = max(last_id, release.get("id", 0), *(_number(item["id"]) for item in release.get("deploys", [])))
            last_id = max(last_id, 0, *(_number(item["id"]) for item in release.get("files", [])))
            row = _load_release(state, raw["id"], release, now)
            if not release.get("id"):
                undated.append(row)
    # Releases the fixtures give no id get theirs after every given one, in fixture order.
    data.set_counter(ID_COUNTER, max(last_id, FIRST_IDS_AFTER, seed.get("sequences", {}).get(ID_COUNTER, 0)))
    for row in undated:
        renumbered = {**row, "id": state.next_id()}
        state.table("releases").put(renumbered)
        links = state.table("release_projects")
        for link in list(links.ordered("release", (row["organization_id"], row["version"]))):
            links.put({**link, "release_id": renumbered["id"]})
    load_bundles(data, seed)


HEALTH_FIELDS = {
    "sessions": ("sessions", 0),
    "sessionsCrashed": ("sessions_crashed", 0),
    "sessionsErrored": ("sessions_errored", 0),
    "users": ("users", 0),
    "usersCrashed": ("users_crashed", 0),
    "sessions24h": ("sessions_24h", 0),
    "users24h": ("users_24h", 0),
    "projectSessions24h": ("project_sessions_24h", 0),
    "projectUsers24h": ("project_users_24h", 0),
    "durationP50": ("duration_p50", None),
    "durationP90": ("duration_p90", None),
}
"""A health record's figures: fixture name -> (row field, default)."""
HEALTH_MOMENTS = {"adopted": "adopted", "unadopted": "unadopted"}


def _number(value: t.Any) -> int:
    """A deploy's or file's id as a number, for the counter (ids that are no numerals count as 0)."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 20 else 0


def _stored(value: t.Any) -> str | None:
    return None if value is None else stored_from(value)


def _load_release(state: SentryState, organization_id: int, raw: t.Mapping[str, t.Any], now: dt.datetime) -> Row:
    created = stored_from(raw["dateCreated"]) if raw.get("dateCreated") else iso_stored(now)
    release = {
        "organization_id": organization_id,
        "id": raw.get("id", 0),
        "version": raw["version"],
        "status": raw.get("status", "open"),
        "ref": raw.get("ref"),
        "url": raw.get("url"),
        "date_created": created,
        "date_released": _stored(raw.get("dateReleased")),
        "date_started": _stored(raw.get("dateStarted")),
        "owner": raw.get("owner"),
        "user_agent": raw.get("userAgent"),
        # Session figures are health data, whatever the flag says.
        "health_data": bool(raw.get("hasHealthData", False)) or any(item["sessions"] for item in raw.get("health", [])),
    }
    state.put_release(release)
    projects = [state.project(organization_id, ref) for ref in raw.get("projects", [])]
    project_ids = list(dict.fromkeys(project["id"] for project in projects if project is not None))
    state.link_projects(release, project_ids)
    for item in raw.get("health", []):
        project = state.project(organization_id, item["project"])
        assert project is not None  # check_references saw to it
        state.table("release_health").put(
            {"organization_id": organization_id, "version": raw["version"], "project_id": project["id"]}
            | {field: item.get(name, default) for name, (field, default) in HEALTH_FIELDS.items()}
            | {field: _stored(item.get(name)) for name, field in HEALTH_MOMENTS.items()}
        )
    moment = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    state.set_commits(release, [commit_row(commit, moment) for commit in raw.get("commits", [])])
    for deploy in raw.get("deploys", []):
        # A deploy names its projects when the dump wrote them; a hand-written one is for the release's.
        named = [state.project(organization_id, ref) for ref in deploy.get("projects") or []]
        state.table("deploys").put(
            {
                "organization_id": organization_id,
                "version": raw["version"],
                "id": str(deploy["id"]),
                "environment": deploy["environment"],
                "name": deploy.get("name"),
                "url": deploy.get("url"),
                "date_started": _stored(deploy.get("dateStarted")),
                "date_finished": _stored(deploy.get("dateFinished")) or created,
                "project_ids": [project["id"] for project in named if project]
                if "projects" in deploy
                else list(project_ids),
            }
        )
    for file in raw.get("files", []):
        content = base64.b64decode(file["content"])
        state.put_file(
            {
                "organization_id": organization_id,
                "version": raw["version"],
                "id": str(file["id"]),
                "name": file["name"],
                "dist": file.get("dist"),
                "headers": dict(file.get("headers") or {}),
                "sha1": digest_of(content),
                "size": len(content),
                "date_created": _stored(file.get("dateCreated")) or created,
            },
            content,
        )
    return release


def dump_state(data: ApiData) -> Seed:
    """The fixture form of everything the tables hold, valid by ``fixture_schema.yaml``.

    Rows are written in the order the tables hold them (the order they were first put), so
    that loading the dump puts them in that order again.
    """
    state = SentryState(data)
    hanging = {
        name: _by_release(data, name) for name in ("release_projects", "release_health", "commits", "deploys", "files")
    }
    by_organization = _grouped(data.table("releases"), lambda release: release["organization_id"])
    organizations = []
    for organization in data.table("organizations"):
        slugs = {project["id"]: project["slug"] for project in state.projects_of(organization["id"])}
        releases = by_organization.get(organization["id"], [])
        organizations.append(
            {
                "id": organization["id"],
                "slug": organization["slug"],
                "name": organization["name"],
                "projects": [
                    {key: project[key] for key in ("id", "slug", "name", "platform", "hasHealthData")}
                    for project in state.projects_of(organization["id"])
                ],
                "repositories": [
                    {key: value for key, value in repository.items() if key != "organization_id"}
                    for repository in state.repositories_of(organization["id"])
                ],
                "releases": [_dump_release(state, release, slugs, hanging) for release in releases],
            }
        )
        if organization["assembly_seconds"]:  # left out at 0, so that a world without it dumps as it always did
            organizations[-1]["assemblySeconds"] = organization["assembly_seconds"]
    sequences = {ID_COUNTER: data.counter(ID_COUNTER)}
    if data.counter(LINK_COUNTER):
        sequences[LINK_COUNTER] = data.counter(LINK_COUNTER)
    return {
        "organizations": organizations,
        "users": list(data.table("users")),
        "tokens": list(data.table("tokens")),
        **dump_bundles(data),
        "sequences": sequences,
    }


def _grouped(rows: t.Iterable[Row], key: t.Callable[[Row], t.Any]) -> dict[t.Any, list[Row]]:
    groups: dict[t.Any, list[Row]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


def _by_release(data: ApiData, table: str) -> dict[t.Any, list[Row]]:
    return _grouped(data.table(table), lambda row: (row["organization_id"], row["version"]))


def _dump_release(
    state: SentryState, release: Row, slugs: t.Mapping[int, str], hanging: t.Mapping[str, t.Mapping[t.Any, list[Row]]]
) -> Row:
    def rows(table: str) -> list[Row]:
        return hanging[table].get((release["organization_id"], release["version"]), [])

    links = sorted(rows("release_projects"), key=lambda link: link["position"])
    commits = sorted(rows("commits"), key=lambda commit: commit["position"])
    dumped: Row = {
        "id": release["id"],
        "version": release["version"],
        "status": release["status"],
        "ref": release["ref"],
        "url": release["url"],
        "dateCreated": release["date_created"],
        "dateReleased": release["date_released"],
        "dateStarted": release["date_started"],
        "owner": release["owner"],
        "hasHealthData": release["health_data"],
        "projects": [slugs[link["project_id"]] for link in links],
        "commits": [
            {
                key: commit[key]
                for key in ("id", "repository", "message", "author_name", "author_email", "timestamp", "patch_set")
            }
            for commit in commits
        ],
        "deploys": [
            {
                "id": deploy["id"],
                "environment": deploy["environment"],
                "name": deploy["name"],
                "url": deploy["url"],
                "dateStarted": deploy["date_started"],
                "dateFinished": deploy["date_finished"],
                "projects": [slugs[project_id] for project_id in deploy["project_ids"]],
            }
            for deploy in rows("deploys")
        ],
        "files": [
            {
                "id": file["id"],
                "name": file["name"],
                "dist": file["dist"],
                "headers": file["headers"],
                "sha1": file["sha1"],
                "dateCreated": file["date_created"],
                "content": base64.b64encode(state.data.blobs.get(file["sha1"]) or b"").decode("ascii"),
            }
            for file in rows("files")
        ],
    }
    if release["user_agent"] is not None:
        dumped["userAgent"] = release["user_agent"]
    health = rows("release_health")
    if health:
        dumped["health"] = [
            {"project": slugs[row["project_id"]]}
            | {name: row[field] for name, (field, _default) in HEALTH_FIELDS.items()}
            | {name: row[field] for name, field in HEALTH_MOMENTS.items()}
            for row in health
        ]
    return dumped


def check_seed(seed: t.Any, spec: t.Mapping[str, t.Any], origin: str = "sentry") -> Seed:
    """Fixture data held in memory, validated as files are, then checked for what the schema cannot see."""
    checked = validate_seed(seed, FIXTURE_SCHEMA, spec, origin)
    check_references(lambda stem: pathlib.Path(origin, stem), checked)
    return checked


def check_references(where: t.Callable[[str], pathlib.Path], seed: Seed) -> None:
    """Every project a release or deploy names is one of its organization's; a file's content matches its sha1."""
    check_bundle_references(where, seed)
    for org_index, organization in enumerate(seed.get("organizations", [])):
        known = {project["slug"] for project in organization.get("projects", [])}
        known |= {project["id"] for project in organization.get("projects", [])}
        for release_index, release in enumerate(organization.get("releases", [])):
            here = f"/{org_index}/releases/{release_index}"
            _known_projects(where, f"{here}/projects", release.get("projects", []), known)
            _health_projects(where, here, release, organization.get("projects", []))
            for deploy_index, deploy in enumerate(release.get("deploys", [])):
                _known_projects(where, f"{here}/deploys/{deploy_index}/projects", deploy.get("projects") or [], known)
            for file_index, file in enumerate(release.get("files", [])):
                try:
                    content = base64.b64decode(file["content"], validate=True)
                except binascii.Error:
                    raise FixtureError(
                        where("organizations"), f"{here}/files/{file_index}/content", "not base64"
                    ) from None
                if file.get("sha1") not in (None, digest_of(content)):
                    raise FixtureError(
                        where("organizations"), f"{here}/files/{file_index}/sha1", "is not the SHA-1 of the content"
                    )


def _health_projects(
    where: t.Callable[[str], pathlib.Path], here: str, release: t.Mapping[str, t.Any], projects: list[t.Any]
) -> None:
    """Each health record names one of the release's own projects, once."""
    id_of = {ref: project["id"] for project in projects for ref in (project["slug"], project["id"], str(project["id"]))}
    linked = {id_of.get(ref) for ref in release.get("projects", [])}
    seen: set[int] = set()
    for index, item in enumerate(release.get("health", [])):
        project_id = id_of.get(item["project"])
        at = f"{here}/health/{index}/project"
        if project_id is None or project_id not in linked:
            raise FixtureError(where("organizations"), at, f"{item['project']!r} is not one of this release's projects")
        if project_id in seen:
            raise FixtureError(where("organizations"), at, "a second record for this project")
        seen.add(project_id)


def _known_projects(
    where: t.Callable[[str], pathlib.Path], at: str, refs: t.Iterable[t.Any], known: set[t.Any]
) -> None:
    for index, ref in enumerate(refs):
        if ref not in known and not (isinstance(ref, str) and ref.isdigit() and int(ref) in known):
            raise FixtureError(where("organizations"), f"{at}/{index}", f"no project {ref!r} in this organization")
