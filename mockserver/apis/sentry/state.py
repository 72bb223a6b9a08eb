"""Sentry's world in memory: organizations, projects, tokens with scopes, repositories and releases.

A release row keeps what Sentry stores (projects, commits, deploys, files); ``views`` computes
the rest (short version, counts, authors) at read time. Rows are replaced, never mutated in place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing as t

from ...clock import parse_iso
from ...ids import numeric_id
from ...store.legacy import Table


@dataclasses.dataclass
class Token:
    value: str
    user_id: int
    scopes: frozenset[str]
    organizations: frozenset[str]
    """Slugs of the organizations the token may act in."""
    projects: frozenset[str] | None
    """Slugs the token may see; None means every project of its organizations."""
    active: bool


@dataclasses.dataclass
class Project:
    id: int
    slug: str
    name: str
    platform: str | None
    has_health_data: bool


@dataclasses.dataclass
class Organization:
    id: int
    slug: str
    name: str
    projects: dict[int, Project]
    repositories: list[dict[str, t.Any]]
    releases: Table[str, dict[str, t.Any]] = dataclasses.field(
        default_factory=lambda: Table({"date": lambda release: (release["date_created"], release["id"])})
    )

    def project(self, id_or_slug: t.Any) -> Project | None:
        text = str(id_or_slug)
        number = numeric_id(text)
        if number is not None:
            return self.projects.get(number)
        return next((project for project in self.projects.values() if project.slug == text), None)

    def repository(self, name: str) -> dict[str, t.Any] | None:
        return next((repo for repo in self.repositories if repo["name"] == name), None)


@dataclasses.dataclass
class SentryState:
    organizations: dict[int, Organization]
    users: dict[int, dict[str, t.Any]]
    tokens: dict[str, Token]
    last_id: int

    def organization(self, id_or_slug: str) -> Organization | None:
        number = numeric_id(id_or_slug)
        if number is not None:
            return self.organizations.get(number)
        return next((org for org in self.organizations.values() if org.slug == id_or_slug), None)

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id


def when(value: t.Any, default: dt.datetime | None = None) -> dt.datetime | None:
    if value is None:
        return default
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return parse_iso(str(value))


def commit_row(raw: dict[str, t.Any], default_time: dt.datetime) -> dict[str, t.Any]:
    """A commit as given in a fixture or a request (``commits[]``), in stored form."""
    return {
        "id": str(raw["id"]),
        "repository": raw.get("repository"),
        "message": raw.get("message"),
        "author_name": raw.get("author_name"),
        "author_email": author_email(raw.get("author_name"), raw.get("author_email")),
        "timestamp": when(raw.get("timestamp"), default_time),
        "patch_set": list(raw.get("patch_set") or []),
    }


def author_email(name: str | None, email: str | None) -> str | None:
    """As Sentry's ``create_commit_authors``: an author with a name but no email gets ``<name>@localhost``."""
    if email is None and name:
        return re.sub(r"[^a-zA-Z0-9\-_\.]*", "", name).lower() + "@localhost"
    return email


def build_state(seed: dict[str, t.Any], now: dt.datetime) -> SentryState:
    """``now``: the app clock's moment, given to releases the fixtures leave undated."""
    users = {user["id"]: dict(user) for user in seed.get("users", [])}
    tokens = {
        token["token"]: Token(
            value=token["token"],
            user_id=token["user"],
            scopes=frozenset(token.get("scopes", [])),
            organizations=frozenset(token.get("organizations", [])),
            projects=frozenset(token["projects"]) if "projects" in token else None,
            active=not token.get("revoked", False),
        )
        for token in seed.get("tokens", [])
    }
    last_id = 0
    organizations: dict[int, Organization] = {}
    for raw in seed.get("organizations", []):
        organization = Organization(
            id=raw["id"],
            slug=raw["slug"],
            name=raw.get("name", raw["slug"]),
            projects={
                project["id"]: Project(
                    id=project["id"],
                    slug=project["slug"],
                    name=project.get("name", project["slug"]),
                    platform=project.get("platform"),
                    has_health_data=bool(project.get("hasHealthData", False)),
                )
                for project in raw.get("projects", [])
            },
            repositories=[dict(repo) for repo in raw.get("repositories", [])],
        )
        for release in raw.get("releases", []):
            last_id = max(last_id, release.get("id", 0))
            created = when(release.get("dateCreated"), now)
            assert created is not None
            projects = [organization.project(ref) for ref in release.get("projects", [])]
            organization.releases.put(
                release["version"],
                {
                    "id": release.get("id", 0),
                    "version": release["version"],
                    "status": release.get("status", "open"),
                    "ref": release.get("ref"),
                    "url": release.get("url"),
                    "date_created": created,
                    "date_released": when(release.get("dateReleased")),
                    "date_started": when(release.get("dateStarted")),
                    "owner": release.get("owner"),
                    "user_agent": release.get("userAgent"),
                    "project_ids": [project.id for project in projects if project is not None],
                    "commits": [commit_row(commit, created) for commit in release.get("commits", [])],
                    "deploys": [
                        {
                            "id": str(deploy["id"]),
                            "environment": deploy["environment"],
                            "name": deploy.get("name"),
                            "url": deploy.get("url"),
                            "date_started": when(deploy.get("dateStarted")),
                            "date_finished": when(deploy.get("dateFinished"), created),
                            "project_ids": [project.id for project in projects if project is not None],
                        }
                        for deploy in release.get("deploys", [])
                    ],
                    "files": {},
                    "health_data": bool(release.get("hasHealthData", False)),
                },
            )
        organizations[organization.id] = organization
    for organization in organizations.values():
        for release in list(organization.releases):
            if release["id"] == 0:
                last_id += 1
                organization.releases.put(release["version"], {**release, "id": last_id})
    return SentryState(organizations=organizations, users=users, tokens=tokens, last_id=max(last_id, 1000))
