"""GitLab's world as tables in the store: users and tokens, groups and their milestones, projects,
and per project its commits, milestones, tags, releases, release links, Markdown uploads and
generic packages.

``GitLabState`` is a stateless facade over the API's ``ApiData`` with the lookups the domain
modules share. Loading from fixtures and dumping back to them live in ``fixture_form``.
"""

from __future__ import annotations

import typing as t

from ...store import ApiData, Index, Row, Table, TableSpec

GUEST, REPORTER, DEVELOPER, MAINTAINER, OWNER = 10, 20, 30, 40, 50
ROLE_LEVELS = {"guest": GUEST, "reporter": REPORTER, "developer": DEVELOPER, "maintainer": MAINTAINER, "owner": OWNER}

ID_COUNTER = "id"
"""One sequence for new releases, links, uploads, packages and package files: their ids only need to be unique."""
MILESTONE_COUNTER = "milestone_id"
"""Project and group milestones share one sequence, as they share one table in GitLab."""

_PER_PROJECT = Index(partition=("project_id",), order=("id",))

TABLES = (
    # Members are kept as in fixtures, username -> role name: usernames never change.
    TableSpec("users", key=("id",)),
    TableSpec("tokens", key=("token",)),
    TableSpec("groups", key=("id",)),
    TableSpec("projects", key=("id",)),
    TableSpec("commits", key=("project_id", "id"), indexes={"project": _PER_PROJECT}),
    TableSpec("milestones", key=("project_id", "id"), indexes={"project": _PER_PROJECT}),
    TableSpec(
        "group_milestones", key=("group_id", "id"), indexes={"group": Index(partition=("group_id",), order=("id",))}
    ),
    TableSpec(
        "tags", key=("project_id", "name"), indexes={"project": Index(partition=("project_id",), order=("name",))}
    ),
    TableSpec(
        "releases",
        key=("project_id", "tag_name"),
        indexes={
            "released_at": Index(partition=("project_id",), order=("released_at", "id")),
            "created_at": Index(partition=("project_id",), order=("created_at", "id")),
        },
    ),
    TableSpec(
        "links",
        key=("project_id", "tag_name", "id"),
        # A release's links, listed newest first; links made in one moment come in id order.
        indexes={"release": Index(partition=("project_id", "tag_name"), order=("created_at", "id"))},
    ),
    # Markdown uploads: found by the secret and file name in their URL; contents are blobs.
    TableSpec("uploads", key=("project_id", "secret", "filename")),
    # Generic packages, found by name and version in their project, and their files (a name may
    # be published more than once: the newest file of a name is the one downloaded).
    TableSpec("packages", key=("project_id", "id"), indexes={"project": _PER_PROJECT}),
    TableSpec(
        "package_files",
        key=("project_id", "id"),
        indexes={"package": Index(partition=("project_id", "package_id"), order=("id",))},
    ),
)


RELEASE_LISTS = ("milestone_ids", "evidences")
"""A release row's list fields, left out while empty: most releases have neither, and a row of ten
fields or fewer is a much smaller dict (the bench keeps 100,000 of them)."""


def lean_release(row: Row) -> Row:
    """The release row without its empty list fields; read them with ``row.get(field, ())``."""
    if all(row.get(field) for field in RELEASE_LISTS):
        return row
    return {field: value for field, value in row.items() if field not in RELEASE_LISTS or value}


def full_path(project: Row) -> str:
    return f"{project['namespace']['full_path']}/{project['path']}"


def role_level(members: t.Mapping[str, str] | None, username: str) -> int:
    role = (members or {}).get(username)
    return ROLE_LEVELS[role] if role else 0


class GitLabState:
    """Domain lookups over one API's data; holds nothing of its own."""

    __slots__ = ("data",)

    def __init__(self, data: ApiData) -> None:
        self.data = data

    @property
    def users(self) -> Table:
        return self.data.table("users")

    @property
    def tokens(self) -> Table:
        return self.data.table("tokens")

    @property
    def groups(self) -> Table:
        return self.data.table("groups")

    @property
    def projects(self) -> Table:
        return self.data.table("projects")

    @property
    def commits(self) -> Table:
        return self.data.table("commits")

    @property
    def milestones(self) -> Table:
        return self.data.table("milestones")

    @property
    def tags(self) -> Table:
        return self.data.table("tags")

    @property
    def releases(self) -> Table:
        return self.data.table("releases")

    @property
    def links(self) -> Table:
        return self.data.table("links")

    @property
    def uploads(self) -> Table:
        return self.data.table("uploads")

    @property
    def packages(self) -> Table:
        return self.data.table("packages")

    @property
    def package_files(self) -> Table:
        return self.data.table("package_files")

    def next_id(self) -> int:
        return self.data.next_id(ID_COUNTER)

    def user(self, user_id: int | None) -> Row | None:
        return None if user_id is None else self.data.table("users").get(user_id)

    def user_by_name(self, username: str) -> Row | None:
        return next((user for user in self.data.table("users") if user["username"] == username), None)

    def project(self, project_id: int) -> Row | None:
        return self.data.table("projects").get(project_id)

    def project_by_path(self, path: str) -> Row | None:
        wanted = path.lower()
        return next((project for project in self.data.table("projects") if full_path(project).lower() == wanted), None)

    def group(self, group_id: int | None) -> Row | None:
        return None if group_id is None else self.data.table("groups").get(group_id)

    def group_by_path(self, path: str) -> Row | None:
        wanted = path.lower()
        return next((group for group in self.data.table("groups") if group["full_path"].lower() == wanted), None)

    def projects_of_group(self, group_id: int) -> list[Row]:
        return [project for project in self.data.table("projects") if project.get("group_id") == group_id]

    def release(self, project_id: int, tag_name: str) -> Row | None:
        return self.data.table("releases").get(project_id, tag_name)

    def release_count(self, project_id: int) -> int:
        return self.data.table("releases").count("released_at", (project_id,))

    def tag(self, project_id: int, name: str) -> Row | None:
        return self.data.table("tags").get(project_id, name)

    def links_of(self, project_id: int, tag_name: str, *, newest_first: bool = True) -> t.Iterator[Row]:
        return self.data.table("links").ordered("release", (project_id, tag_name), descending=newest_first)

    def link_count(self, project_id: int, tag_name: str) -> int:
        return self.data.table("links").count("release", (project_id, tag_name))

    def milestones_of(self, project_id: int) -> t.Iterator[Row]:
        return self.data.table("milestones").ordered("project", (project_id,))

    def milestone(self, project_id: int, milestone_id: int) -> Row | None:
        return self.data.table("milestones").get(project_id, milestone_id)

    @property
    def group_milestones(self) -> Table:
        return self.data.table("group_milestones")

    def milestones_of_group(self, group_id: int) -> t.Iterator[Row]:
        return self.data.table("group_milestones").ordered("group", (group_id,))

    def next_milestone_id(self) -> int:
        return self.data.next_id(MILESTONE_COUNTER)

    def commits_of(self, project_id: int) -> t.Iterator[Row]:
        return self.data.table("commits").ordered("project", (project_id,))

    def commit(self, project_id: int, sha: str) -> Row | None:
        return self.data.table("commits").get(project_id, sha)

    def delete_release_links(self, project_id: int, tag_name: str) -> None:
        links = self.data.table("links")
        for link in self.links_of(project_id, tag_name):
            links.delete(project_id, tag_name, link["id"])
