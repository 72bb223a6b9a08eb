"""GitLab's world in memory: users and tokens, groups, projects with their tags, releases and links.

Built from the fixture data by ``build_state``; lives in the store under ``gitlab``. Rows are
plain dicts replaced on every write (see ``mockserver.store.Table``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import pathlib
import typing as t

from ...clock import parse_iso
from ...fixtures import FixtureError
from ...store.legacy import Table

GUEST, REPORTER, DEVELOPER, MAINTAINER, OWNER = 10, 20, 30, 40, 50
ROLE_LEVELS = {"guest": GUEST, "reporter": REPORTER, "developer": DEVELOPER, "maintainer": MAINTAINER, "owner": OWNER}


@dataclasses.dataclass
class Token:
    value: str
    user_id: int
    kind: str  # personal, oauth or job
    scopes: tuple[str, ...]
    active: bool
    project_id: int | None = None  # for job tokens: the job's project


@dataclasses.dataclass
class Group:
    id: int
    name: str
    path: str
    full_path: str
    visibility: str
    members: dict[int, int]  # user id -> access level
    description: str = ""


@dataclasses.dataclass
class Project:
    id: int
    name: str
    path: str
    namespace: dict[str, t.Any]
    visibility: str
    default_branch: str
    created_at: dt.datetime
    description: str | None
    members: dict[int, int]
    group_id: int | None
    branches: dict[str, str]
    commits: dict[str, dict[str, t.Any]]
    protected_tags: list[str]
    milestones: dict[int, dict[str, t.Any]]
    tags: Table[str, dict[str, t.Any]] = dataclasses.field(
        default_factory=lambda: Table({"name": lambda tag: tag["name"]})
    )
    releases: Table[str, dict[str, t.Any]] = dataclasses.field(
        default_factory=lambda: Table(
            {
                "released_at": lambda release: (release["released_at"], release["id"]),
                "created_at": lambda release: (release["created_at"], release["id"]),
            }
        )
    )
    links: dict[str, Table[int, dict[str, t.Any]]] = dataclasses.field(default_factory=dict)

    @property
    def full_path(self) -> str:
        return f"{self.namespace['full_path']}/{self.path}"

    def links_of(self, tag_name: str) -> Table[int, dict[str, t.Any]]:
        table = self.links.get(tag_name)
        if table is None:
            table = self.links[tag_name] = Table({"created_at": lambda link: (link["created_at"], link["id"])})
        return table


@dataclasses.dataclass
class GitLabState:
    users: dict[int, dict[str, t.Any]]
    tokens: dict[str, Token]
    groups: dict[int, Group]
    projects: dict[int, Project]
    last_id: int
    """One sequence for new releases and links: ids only need to be unique."""

    def project_by_path(self, full_path: str) -> Project | None:
        wanted = full_path.lower()
        return next((project for project in self.projects.values() if project.full_path.lower() == wanted), None)

    def group_by_path(self, full_path: str) -> Group | None:
        wanted = full_path.lower()
        return next((group for group in self.groups.values() if group.full_path.lower() == wanted), None)

    def user_by_name(self, username: str) -> dict[str, t.Any]:
        return next(user for user in self.users.values() if user["username"] == username)

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id


def check_references(folder: pathlib.Path, seed: dict[str, t.Any]) -> None:
    """What the fixture schema cannot see: every member names a user of ``users.yaml``."""
    usernames = {user["username"] for user in seed.get("users", [])}
    for stem in ("groups", "projects"):
        for index, record in enumerate(seed.get(stem, [])):
            for name in record.get("members") or {}:
                if name not in usernames:
                    where = f"/{index}/members/{name.replace('~', '~0').replace('/', '~1')}"
                    raise FixtureError(folder / f"{stem}.yaml", where, f"no user named {name!r} in users.yaml")


def _when(value: t.Any, default: dt.datetime) -> dt.datetime:
    if value is None:
        return default
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return parse_iso(str(value))


def build_state(seed: dict[str, t.Any], now: dt.datetime) -> GitLabState:
    """``now``: the app clock's moment, given to what the fixtures leave undated."""
    users: dict[int, dict[str, t.Any]] = {}
    tokens: dict[str, Token] = {}
    for user in seed.get("users", []):
        record = {key: value for key, value in user.items() if key != "tokens"}
        users[user["id"]] = record
        for token in user.get("tokens", []):
            tokens[token["token"]] = Token(
                value=token["token"],
                user_id=user["id"],
                kind=token.get("kind", "personal"),
                scopes=tuple(token.get("scopes", ["api"])),
                active=not token.get("revoked", False),
                project_id=token.get("project_id"),
            )
    by_name = {user["username"]: user["id"] for user in users.values()}

    def members(raw: dict[str, str] | None) -> dict[int, int]:
        return {by_name[name]: ROLE_LEVELS[role] for name, role in (raw or {}).items()}

    groups = {
        raw["id"]: Group(
            id=raw["id"],
            name=raw["name"],
            path=raw["path"],
            full_path=raw.get("full_path", raw["path"]),
            visibility=raw.get("visibility", "public"),
            members=members(raw.get("members")),
            description=raw.get("description", ""),
        )
        for raw in seed.get("groups", [])
    }
    max_id = 0
    projects: dict[int, Project] = {}
    for raw in seed.get("projects", []):
        created = _when(raw.get("created_at"), now)
        project = Project(
            id=raw["id"],
            name=raw.get("name", raw["path"]),
            path=raw["path"],
            namespace=dict(raw["namespace"]),
            visibility=raw.get("visibility", "public"),
            default_branch=raw.get("default_branch", "main"),
            created_at=created,
            description=raw.get("description"),
            members=members(raw.get("members")),
            group_id=raw.get("group_id"),
            branches=dict(raw.get("branches", {})),
            commits={commit["id"]: dict(commit) for commit in raw.get("commits", [])},
            protected_tags=list(raw.get("protected_tags", [])),
            milestones={milestone["id"]: dict(milestone) for milestone in raw.get("milestones", [])},
        )
        for tag in raw.get("tags", []):
            project.tags.put(
                tag["name"],
                {
                    "name": tag["name"],
                    "target": tag["target"],
                    "message": tag.get("message"),
                    "created_at": _when(tag.get("created_at"), created),
                },
            )
        for release in raw.get("releases", []):
            max_id = max(max_id, release.get("id", 0))
            released_at = _when(release.get("released_at"), created)
            created_at = _when(release.get("created_at"), released_at)
            titles = release.get("milestones", [])
            project.releases.put(
                release["tag_name"],
                {
                    "id": release.get("id", 0),
                    "tag_name": release["tag_name"],
                    "name": release.get("name") or release["tag_name"],
                    "description": release.get("description"),
                    "created_at": created_at,
                    "released_at": released_at,
                    "updated_at": _when(release.get("updated_at"), created_at),
                    "author_id": by_name.get(release.get("author", ""), None),
                    "milestone_ids": [m["id"] for m in project.milestones.values() if m["title"] in titles],
                    "evidences": [
                        {"sha": evidence["sha"], "collected_at": _when(evidence.get("collected_at"), created_at)}
                        for evidence in release.get("evidences", [])
                    ],
                },
            )
            links = project.links_of(release["tag_name"])
            for link in release.get("assets", {}).get("links", []):
                max_id = max(max_id, link.get("id", 0))
                links.put(
                    link["id"],
                    {
                        "id": link["id"],
                        "name": link["name"],
                        "url": link["url"],
                        "filepath": link.get("direct_asset_path") or link.get("filepath"),
                        "link_type": link.get("link_type", "other"),
                        # Links are listed newest first; fixture order breaks ties in id order.
                        "created_at": _when(link.get("created_at"), created_at) + dt.timedelta(microseconds=link["id"]),
                    },
                )
        projects[project.id] = project
    for releases in projects.values():
        for release in releases.releases:
            if release["id"] == 0:
                max_id += 1
                releases.releases.put(release["tag_name"], {**release, "id": max_id})
    return GitLabState(users=users, tokens=tokens, groups=groups, projects=projects, last_id=max_id)
