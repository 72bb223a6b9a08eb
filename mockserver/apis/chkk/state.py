"""Chkk's world in memory: Projects with their ProjectReleases, and the bearer tokens that see them.

Built from the fixture data by ``build_state``; lives in the store under ``chkk``. A release row
is the API's own JSON for it (the fixtures hold it in that form), replaced, never mutated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import pathlib
import typing as t

from ...clock import parse_iso
from ...fixtures import FixtureError
from ...store.legacy import Table

Release = dict[str, t.Any]


def _newest_first_key(release: Release) -> tuple[t.Any, str]:
    # Sorted ascending and read backwards: newest created_on first, then descending version.
    return parse_iso(release["created_on"]), release["version"]


@dataclasses.dataclass
class Project:
    id: str
    name: str
    releases: Table[str, Release] = dataclasses.field(default_factory=lambda: Table({"created_on": _newest_first_key}))


@dataclasses.dataclass(frozen=True)
class Token:
    value: str
    projects: frozenset[str] | None
    """The Projects the token sees; ``None`` for every Project."""
    active: bool

    def sees(self, project_id: str) -> bool:
        return self.projects is None or project_id in self.projects


@dataclasses.dataclass
class ChkkState:
    projects: dict[str, Project]
    tokens: dict[str, Token]

    def put_release(self, release: Release) -> Release:
        """Store a release (the API's JSON for it) under its Project and version."""
        return self.projects[release["project"]].releases.put(release["version"], dict(release))


def check_references(folder: pathlib.Path, seed: dict[str, t.Any]) -> None:
    """What the fixture schema cannot see: every Project named exists, and versions are unique per Project."""
    known = {project["id"] for project in seed.get("projects", [])}
    seen: set[tuple[str, str]] = set()
    for index, release in enumerate(seed.get("releases", [])):
        if release["project"] not in known:
            raise FixtureError(folder / "releases.yaml", f"/{index}/project", f"no Project {release['project']!r}")
        key = (release["project"], release["version"])
        if key in seen:
            raise FixtureError(folder / "releases.yaml", f"/{index}/version", f"{key[1]!r} appears twice in {key[0]}")
        seen.add(key)
    for index, token in enumerate(seed.get("tokens", [])):
        for position, project in enumerate(token["projects"] if token["projects"] != "*" else []):
            if project not in known:
                raise FixtureError(folder / "tokens.yaml", f"/{index}/projects/{position}", f"no Project {project!r}")


def build_state(seed: dict[str, t.Any], now: dt.datetime) -> ChkkState:
    """``now`` is unused: every date chkk serves is in its fixtures."""
    projects = {raw["id"]: Project(id=raw["id"], name=raw.get("name", raw["id"])) for raw in seed.get("projects", [])}
    tokens = {
        raw["token"]: Token(
            value=raw["token"],
            projects=None if raw["projects"] == "*" else frozenset(raw["projects"]),
            active=not raw.get("revoked", False),
        )
        for raw in seed.get("tokens", [])
    }
    state = ChkkState(projects=projects, tokens=tokens)
    for release in seed.get("releases", []):
        state.put_release(release)
    return state
