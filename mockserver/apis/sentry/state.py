"""Sentry's world as tables in the store, and ``SentryState``, a stateless facade with the lookups the domain needs.

Rows keep what Sentry stores; ``views`` computes the rest (short version, counts, authors) at
read time. A release's projects, commits, deploys and files are rows of their own tables,
found by the release's (organization, version); file contents live in the store's blobs, the
file row keeping their digest. Moments are kept as ``clock.iso_stored`` strings.
"""

from __future__ import annotations

import datetime as dt
import re
import typing as t

from ...clock import iso_stored, stored_from
from ...ids import numeric_id
from ...store import ApiData, Index, Row, Table, TableSpec

RELEASE = ("organization_id", "version")
"""The fields naming a release in the tables that hang off it."""

TABLES = (
    TableSpec("organizations", key=("id",)),
    TableSpec("projects", key=("id",), indexes={"organization": Index(partition=("organization_id",), order=("id",))}),
    TableSpec("repositories", key=("organization_id", "id")),
    TableSpec("users", key=("id",)),
    TableSpec("tokens", key=("token",)),
    TableSpec(
        "releases",
        key=RELEASE,
        indexes={
            "date": Index(partition=("organization_id",), order=("date_created", "id")),
            "status_date": Index(partition=("organization_id", "status"), order=("date_created", "id")),
        },
    ),
    # Which projects a release belongs to, in the order they were linked. Each row repeats the
    # release's status and date, so that one project's list is a window of one index partition.
    TableSpec(
        "release_projects",
        key=(*RELEASE, "project_id"),
        indexes={
            "release": Index(partition=RELEASE, order=("position",)),
            "project_status_date": Index(
                partition=("organization_id", "project_id", "status"), order=("date_created", "release_id")
            ),
        },
    ),
    # A release's session figures per project (fixtures and scenarios only: no sessions reach the mock).
    TableSpec(
        "release_health",
        key=(*RELEASE, "project_id"),
        indexes={"release": Index(partition=RELEASE, order=("project_id",))},
    ),
    TableSpec(
        "commits", key=(*RELEASE, "position"), indexes={"release": Index(partition=RELEASE, order=("position",))}
    ),
    TableSpec(
        "deploys", key=(*RELEASE, "id"), indexes={"release": Index(partition=RELEASE, order=("date_finished", "id"))}
    ),
    TableSpec(
        "files",
        key=(*RELEASE, "id"),
        indexes={
            "release": Index(partition=RELEASE, order=("name", "id")),
            # How many files share a content: the last one deleted takes the blob with it.
            "digest": Index(partition=("sha1",), order=("organization_id", "version", "id")),
        },
    ),
)

ID_COUNTER = "id"
"""One sequence for release, deploy and file ids, as the legacy state had."""
FIRST_IDS_AFTER = 1000
"""Ids handed out start above this even when the fixtures hold smaller ones."""


class SentryState:
    """Lookups and writes over one ``ApiData``; holds nothing but the data it wraps."""

    def __init__(self, data: ApiData) -> None:
        self.data = data

    def table(self, name: str) -> Table:
        return self.data.table(name)

    # -- organizations, projects, repositories, tokens -----------------------------------------------

    def organization(self, id_or_slug: str) -> Row | None:
        number = numeric_id(id_or_slug)
        if number is not None:
            return self.table("organizations").get(number)
        return next((org for org in self.table("organizations") if org["slug"] == id_or_slug), None)

    def projects_of(self, organization_id: int) -> list[Row]:
        return list(self.table("projects").ordered("organization", (organization_id,)))

    def project(self, organization_id: int, id_or_slug: t.Any) -> Row | None:
        text = str(id_or_slug)
        number = numeric_id(text)
        if number is not None:
            project = self.table("projects").get(number)
            return project if project is not None and project["organization_id"] == organization_id else None
        return next((project for project in self.projects_of(organization_id) if project["slug"] == text), None)

    def repositories_of(self, organization_id: int) -> list[Row]:
        return [repo for repo in self.table("repositories") if repo["organization_id"] == organization_id]

    def repository(self, organization_id: int, name: str) -> Row | None:
        return next((repo for repo in self.repositories_of(organization_id) if repo["name"] == name), None)

    def token(self, value: str) -> Row | None:
        return self.table("tokens").get(value)

    # -- releases and what hangs off them --------------------------------------------------------------

    def release(self, organization_id: int, version: str) -> Row | None:
        return self.table("releases").get(organization_id, version)

    def project_ids(self, release: Row) -> list[int]:
        return [row["project_id"] for row in self.table("release_projects").ordered("release", _of(release))]

    def health(self, release: Row) -> dict[int, Row]:
        """The release's session figures by project id (projects without any are left out)."""
        return {row["project_id"]: row for row in self.table("release_health").ordered("release", _of(release))}

    def commits(self, release: Row) -> list[Row]:
        return list(self.table("commits").ordered("release", _of(release)))

    def commit_count(self, release: Row) -> int:
        return self.table("commits").count("release", _of(release))

    def first_commit(self, release: Row) -> Row | None:
        return self.table("commits").first("release", _of(release))

    def deploys(self, release: Row) -> list[Row]:
        """Newest finished first."""
        return list(self.table("deploys").ordered("release", _of(release), descending=True))

    def deploy_count(self, release: Row) -> int:
        return self.table("deploys").count("release", _of(release))

    def last_deploy(self, release: Row) -> Row | None:
        return self.table("deploys").first("release", _of(release), descending=True)

    def files(self, release: Row) -> list[Row]:
        """By name."""
        return list(self.table("files").ordered("release", _of(release)))

    def file(self, release: Row, file_id: str) -> Row | None:
        return self.table("files").get(release["organization_id"], release["version"], file_id)

    def put_release(self, release: Row) -> Row:
        """Write a release row, and carry a changed status to its project links (their index sorts on it)."""
        self.table("releases").put(release)
        links = self.table("release_projects")
        for link in links.ordered("release", _of(release)):
            if link["status"] != release["status"]:
                links.put({**link, "status": release["status"]})
        return release

    def link_projects(self, release: Row, project_ids: t.Iterable[int]) -> None:
        """Add projects to a release after the ones it has."""
        links = self.table("release_projects")
        position = links.count("release", _of(release))
        for project_id in project_ids:
            links.put(
                {
                    "organization_id": release["organization_id"],
                    "version": release["version"],
                    "project_id": project_id,
                    "position": position,
                    "release_id": release["id"],
                    "status": release["status"],
                    "date_created": release["date_created"],
                }
            )
            position += 1

    def set_commits(self, release: Row, commits: t.Sequence[Row]) -> None:
        """Replace the release's commits (rows as ``commit_row`` makes them) by these, in this order."""
        table = self.table("commits")
        for old in table.ordered("release", _of(release)):
            table.delete(*table.key_of(old))
        for position, commit in enumerate(commits):
            table.put(
                {
                    **commit,
                    "organization_id": release["organization_id"],
                    "version": release["version"],
                    "position": position,
                }
            )

    def put_file(self, file: Row, content: bytes | None = None) -> Row:
        """Write a file row; with ``content``, keep it among the blobs first (``BlobTooLarge`` before any write)."""
        if content is not None:
            self.data.blobs.put(content)
        return self.table("files").put(file)

    def delete_file(self, file: Row) -> None:
        files = self.table("files")
        files.delete(*files.key_of(file))
        if not files.count("digest", (file["sha1"],)):
            self.data.blobs.delete(file["sha1"])

    def delete_release(self, release: Row) -> None:
        """The release and everything that hangs off it."""
        for name in ("release_projects", "release_health", "commits", "deploys"):
            table = self.table(name)
            for row in table.ordered("release", _of(release)):
                table.delete(*table.key_of(row))
        for file in self.files(release):
            self.delete_file(file)
        self.table("releases").delete(release["organization_id"], release["version"])

    def next_id(self) -> int:
        return self.data.next_id(ID_COUNTER)


def _of(release: Row) -> tuple[int, str]:
    return (release["organization_id"], release["version"])


def commit_row(raw: t.Mapping[str, t.Any], default_time: dt.datetime) -> Row:
    """A commit as a fixture or a request (``commits[]``) gives it, in stored form (without its place)."""
    return {
        "id": str(raw["id"]),
        "repository": raw.get("repository"),
        "message": raw.get("message"),
        "author_name": raw.get("author_name"),
        "author_email": author_email(raw.get("author_name"), raw.get("author_email")),
        "timestamp": stored_from(raw["timestamp"]) if raw.get("timestamp") else iso_stored(default_time),
        "patch_set": list(raw.get("patch_set") or []),
    }


def author_email(name: str | None, email: str | None) -> str | None:
    """As Sentry's ``create_commit_authors``: an author with a name but no email gets ``<name>@localhost``."""
    if email is None and name:
        return re.sub(r"[^a-zA-Z0-9\-_\.]*", "", name).lower() + "@localhost"
    return email
