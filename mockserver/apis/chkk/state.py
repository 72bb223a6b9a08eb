"""Chkk's world as tables: Projects, their ProjectReleases, and the bearer tokens that see them.

A release row keeps the API's own JSON for it untouched (the fixtures hold it in that form,
with ``created_on`` as the client wrote it), beside the fields it is found and sorted by. The
sort field is ``created_on`` in the stored form, so that comparing strings compares moments
whatever zone a fixture wrote it in. Projects and tokens are kept as their fixture rows.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import typing as t

from ...clock import stored_from
from ...fixtures import FixtureError
from ...store import ApiData, Index, Row, TableSpec

Release = dict[str, t.Any]

PROJECTS = TableSpec("projects", key=("id",))
RELEASES = TableSpec(
    "releases",
    key=("project", "version"),
    # Read backwards: newest created_on first, then descending version.
    indexes={"created": Index(partition=("project",), order=("created_at", "version"))},
)
TOKENS = TableSpec("tokens", key=("token",))
TABLES = (PROJECTS, RELEASES, TOKENS)


class ChkkState:
    """Domain lookups over Chkk's tables; holds nothing but the data it wraps."""

    def __init__(self, data: ApiData) -> None:
        self.data = data

    def project(self, project_id: str) -> Row | None:
        return self.data.table("projects").get(project_id)

    def token(self, value: str) -> Row | None:
        return self.data.table("tokens").get(value)

    def release(self, project_id: str, version: str) -> Release | None:
        row = self.data.table("releases").get(project_id, version)
        return dict(row["release"]) if row is not None else None

    def releases_newest_first(self, project_id: str, *, offset: int, limit: int) -> tuple[list[Release], int]:
        """A window of the Project's releases, newest first, and how many it has in all."""
        table = self.data.table("releases")
        rows = table.window("created", (project_id,), offset=offset, limit=limit, descending=True)
        return [dict(row["release"]) for row in rows], table.count("created", (project_id,))

    def put_release(self, release: Release) -> None:
        """Store a release (the API's JSON for it) under its Project and version."""
        self.data.table("releases").put(
            {
                "project": release["project"],
                "version": release["version"],
                "created_at": stored_from(release["created_on"]),
                "release": dict(release),
            }
        )


def check_references(seed: t.Mapping[str, t.Any], locate: t.Callable[[str], pathlib.Path]) -> None:
    """What the fixture schema cannot see: every Project named exists, and versions are unique per Project.

    ``locate`` names the place a part came from (a file, or a part of an import) in errors.
    """
    known = {project["id"] for project in seed.get("projects", [])}
    seen: set[tuple[str, str]] = set()
    for index, release in enumerate(seed.get("releases", [])):
        if release["project"] not in known:
            raise FixtureError(locate("releases"), f"/{index}/project", f"no Project {release['project']!r}")
        key = (release["project"], release["version"])
        if key in seen:
            raise FixtureError(locate("releases"), f"/{index}/version", f"{key[1]!r} appears twice in {key[0]}")
        seen.add(key)
    for index, token in enumerate(seed.get("tokens", [])):
        for position, project in enumerate(token["projects"] if token["projects"] != "*" else []):
            if project not in known:
                raise FixtureError(locate("tokens"), f"/{index}/projects/{position}", f"no Project {project!r}")


def load_state(data: ApiData, seed: t.Mapping[str, t.Any], now: dt.datetime, *, consume: bool = False) -> None:
    """Fill the empty tables from fixture data; ``now`` is unused: every date Chkk serves is in its fixtures.

    ``consume`` is not used either: Chkk's worlds stay small.
    """
    for project in seed.get("projects", []):
        data.table("projects").put(dict(project))
    for token in seed.get("tokens", []):
        data.table("tokens").put(dict(token))
    state = ChkkState(data)
    for release in seed.get("releases", []):
        state.put_release(release)


def dump_state(data: ApiData) -> dict[str, t.Any]:
    """The tables in fixture form, by file stem: ``load_state`` of it gives the same tables."""
    return {
        "projects": [dict(row) for row in data.table("projects")],
        "releases": [dict(row["release"]) for row in data.table("releases")],
        "tokens": [dict(row) for row in data.table("tokens")],
    }
