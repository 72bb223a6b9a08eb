"""``release-mock seed``: put a scenario on a server, through the mock's admin API or any server's public APIs.

Through the admin API (``--via admin``, what a mock offers) the compiled state document replaces the
mock's state in one ``PUT /__admin/state``. Through the public APIs (``--via api``, or a real GitLab or
Sentry, which have no admin API) the scenario's GitLab tags, releases and release links and Sentry
releases (with their commits) and deploys are created one by one, each only when the server does not
have it yet, so a second run creates nothing. What the public APIs cannot create is named in the
summary: projects, organizations, milestones and GitLab commits must already be there, and Chkk's API
is read-only.

Speaks HTTP only: httpx for the public APIs, ``admin_client`` for the admin API; the document comes
from ``scenarios.compile_scenario``.
"""

from __future__ import annotations

import collections
import dataclasses
import sys
import typing as t
from urllib.parse import quote

import httpx

from .admin_client import ADMIN_PATH, AdminClient, AdminError

VIA_ADMIN = "admin"
VIA_API = "api"
PAGE_SIZE = 100
"""Items asked for per page when listing what a server already has."""
READ_ONLY_APIS = {"chkk": "Chkk's API is read-only: its releases cannot be created through it"}


class SeedError(Exception):
    """The seeding could not be done at all (no admin API, a refused document); the CLI prints it, exit 1."""


@dataclasses.dataclass(frozen=True)
class Api:
    """Where one API is on the server and how its token travels."""

    name: str
    mount: str
    headers: t.Mapping[str, str]


@dataclasses.dataclass
class Tally:
    """What a run did, per API and kind of thing: created, already there, failed; and what it could not seed."""

    created: collections.Counter[tuple[str, str]] = dataclasses.field(default_factory=collections.Counter)
    skipped: collections.Counter[tuple[str, str]] = dataclasses.field(default_factory=collections.Counter)
    failures: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    def total_created(self) -> int:
        return sum(self.created.values())

    def lines(self) -> list[str]:
        apis = sorted({api for api, _ in self.created} | {api for api, _ in self.skipped})
        lines = []
        for api in apis:
            kinds = sorted({kind for name, kind in self.created | self.skipped if name == api})
            created = ", ".join(f"{self.created[api, kind]} {kind}" for kind in kinds)
            skipped = ", ".join(f"{self.skipped[api, kind]} {kind}" for kind in kinds)
            lines.append(f"{api}: created {created}; already there {skipped}")
        lines.extend(f"not seeded: {note}" for note in self.notes)
        lines.extend(f"failed: {failure}" for failure in self.failures)
        return lines


class Progress:
    """A one-line counter on stderr (only on a terminal): no dependency for a progress bar."""

    def __init__(self, total: int, stream: t.TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self._stream = stream or sys.stderr
        self._live = self._stream.isatty()

    def step(self) -> None:
        self.done += 1
        if self._live:
            self._stream.write(f"\rseeding: {self.done}/{self.total}")
            self._stream.flush()

    def close(self) -> None:
        if self._live and self.total:
            self._stream.write("\n")


def has_admin_api(admin: AdminClient) -> bool:
    """Whether the server has the mock's admin API (a real GitLab or Sentry has not); one asking for a token has."""
    try:
        admin.health()
    except AdminError as error:
        return error.status in (401, 403)
    return True


def seed_via_admin(admin: AdminClient, document: t.Mapping[str, t.Any]) -> None:
    """Replace the mock's whole state with ``document``; ``SeedError`` if refused (the state then stays as it was)."""
    try:
        admin.import_state(document)
    except AdminError as error:
        if error.status == 404:
            raise SeedError(f"{admin.base_url} has no admin API ({ADMIN_PATH}/state is a 404): use --via api") from None
        reasons = "".join(f"\n  {problem.get('where') or '/'}: {problem.get('reason')}" for problem in error.problems)
        raise SeedError(f"the admin API did not load the scenario: {error}{reasons}") from None


def seed_via_api(client: httpx.Client, document: t.Mapping[str, t.Any], apis: t.Sequence[Api]) -> Tally:
    """Create what the server lacks of the document's GitLab and Sentry data, through their public APIs."""
    tally = Tally()
    parts = document.get("apis", {})
    chosen = [(api, parts[api.name]) for api in apis if api.name in parts]
    seeders = [(SEEDERS[api.name](client, api, tally), part) for api, part in chosen if api.name in SEEDERS]
    tally.notes.extend(READ_ONLY_APIS[api.name] for api, _ in chosen if api.name in READ_ONLY_APIS)
    tally.notes.extend(seeder.unseeded for seeder, _ in seeders)
    progress = Progress(sum(seeder.count(part) for seeder, part in seeders))
    try:
        for seeder, part in seeders:
            seeder.seed(part, progress)
    finally:
        progress.close()
    return tally


def _segment(value: t.Any) -> str:
    """A path segment as clients send it: ``/``, ``+`` and the rest percent-encoded."""
    return quote(str(value), safe="")


class GitLabSeeder:
    """A GitLab document part's tags, releases and links, created where missing."""

    unseeded = "GitLab projects, milestones and commits (no public API creates them; tags use their target)"

    def __init__(self, client: httpx.Client, api: Api, tally: Tally) -> None:
        self._client = client
        self._api = api
        self._tally = tally

    def count(self, part: t.Mapping[str, t.Any]) -> int:
        return sum(self._items(project) for project in part.get("projects", []))

    @staticmethod
    def _items(project: t.Mapping[str, t.Any]) -> int:
        """Progress steps of a project: a tag, a release, a link each."""
        releases = project.get("releases", [])
        return len(project.get("tags", [])) + sum(1 + len(r.get("assets", {}).get("links", [])) for r in releases)

    def _url(self, path: str) -> str:
        return self._api.mount + path

    def _get(self, path: str) -> httpx.Response:
        return self._client.get(self._url(path), headers=self._api.headers)

    def _post(self, path: str, body: t.Mapping[str, t.Any]) -> httpx.Response:
        return self._client.post(self._url(path), json=body, headers=self._api.headers)

    def _created(self, kind: str, response: httpx.Response, what: str) -> bool:
        if response.status_code in (200, 201):
            self._tally.created["gitlab", kind] += 1
            return True
        self._tally.failures.append(f"gitlab {what}: {response.status_code} {response.text[:200]}")
        return False

    def seed(self, part: t.Mapping[str, t.Any], progress: Progress) -> None:
        for project in part.get("projects", []):
            path = f"{project['namespace']['full_path']}/{project['path']}"
            found = self._get(f"/projects/{_segment(path)}")
            if found.status_code != 200:
                self._tally.failures.append(f"gitlab project {path}: not on the server ({found.status_code}), skipped")
                for _ in range(self._items(project)):
                    progress.step()
                continue
            self._seed_project(found.json(), project, progress)

    def _seed_project(self, served: t.Mapping[str, t.Any], project: t.Mapping[str, t.Any], progress: Progress) -> None:
        base = f"/projects/{served['id']}"
        branch = served.get("default_branch") or "main"
        for tag in project.get("tags", []):
            name = tag["name"]
            if self._get(f"{base}/repository/tags/{_segment(name)}").status_code == 200:
                self._tally.skipped["gitlab", "tags"] += 1
            else:
                body = {"tag_name": name, "ref": tag.get("target") or branch}
                if tag.get("message"):
                    body["message"] = tag["message"]
                response = self._post(f"{base}/repository/tags", body)
                if response.status_code == 400 and body["ref"] != branch:
                    # A real repository lacks the scenario's made-up commits: tag the default branch instead.
                    response = self._post(f"{base}/repository/tags", {**body, "ref": branch})
                self._created("tags", response, f"tag {name} in {served['id']}")
            progress.step()
        for release in project.get("releases", []):
            self._seed_release(base, branch, release, progress)

    def _seed_release(self, base: str, branch: str, release: t.Mapping[str, t.Any], progress: Progress) -> None:
        tag = release["tag_name"]
        at = f"{base}/releases/{_segment(tag)}"
        present = self._get(at).status_code == 200
        if present:
            self._tally.skipped["gitlab", "releases"] += 1
        else:
            body = {key: release[key] for key in ("tag_name", "name", "description", "released_at") if key in release}
            # Only used when the tag is missing, which the tags created above make rare.
            body["ref"] = branch
            present = self._created("releases", self._post(f"{base}/releases", body), f"release {tag}")
        progress.step()
        links = release.get("assets", {}).get("links", [])
        existing = {link["name"] for link in self._get(f"{at}/assets/links").json()} if present else set()
        for link in links:
            if link["name"] in existing:
                self._tally.skipped["gitlab", "links"] += 1
            elif present:
                body = {key: link[key] for key in ("name", "url", "direct_asset_path", "link_type") if link.get(key)}
                self._created("links", self._post(f"{at}/assets/links", body), f"link {link['name']} of {tag}")
            progress.step()


class SentrySeeder:
    """A Sentry document part's releases (with commits) and deploys, created where missing."""

    unseeded = "Sentry organizations, projects, repositories and release files"

    def __init__(self, client: httpx.Client, api: Api, tally: Tally) -> None:
        self._client = client
        self._api = api
        self._tally = tally

    def count(self, part: t.Mapping[str, t.Any]) -> int:
        return sum(
            1 + len(release.get("deploys", []))
            for organization in part.get("organizations", [])
            for release in organization.get("releases", [])
        )

    def _url(self, path: str) -> str:
        return self._api.mount + path

    def _created(self, kind: str, response: httpx.Response, what: str) -> bool:
        if response.status_code in (200, 201):
            self._tally.created["sentry", kind] += 1
            return True
        self._tally.failures.append(f"sentry {what}: {response.status_code} {response.text[:200]}")
        return False

    def _listed(self, path: str) -> list[t.Mapping[str, t.Any]]:
        """Every item of a Sentry list, page after page: its ``Link`` says ``results="true"`` while more follow."""
        items: list[t.Mapping[str, t.Any]] = []
        url: str | None = self._url(path)
        params: dict[str, t.Any] | None = {"per_page": PAGE_SIZE}
        while url is not None:
            response = self._client.get(url, params=params, headers=self._api.headers)
            if response.status_code != 200:
                self._tally.failures.append(f"sentry {path}: {response.status_code} {response.text[:200]}")
                break
            items.extend(response.json())
            following = response.links.get("next", {})
            url = following.get("url") if following.get("results") == "true" else None
            params = None
        return items

    def seed(self, part: t.Mapping[str, t.Any], progress: Progress) -> None:
        for organization in part.get("organizations", []):
            base = f"/organizations/{_segment(organization['slug'])}/releases/"
            for release in organization.get("releases", []):
                self._seed_release(base, release, progress)

    def _seed_release(self, base: str, release: t.Mapping[str, t.Any], progress: Progress) -> None:
        version = release["version"]
        at = f"{base}{_segment(version)}/"
        found = self._client.get(self._url(at), headers=self._api.headers)
        present = found.status_code == 200
        if present:
            self._tally.skipped["sentry", "releases"] += 1
            # Commits are set with the release it creates, so an existing release keeps its own.
            self._tally.skipped["sentry", "commits"] += len(release.get("commits") or [])
        else:
            keys = ("version", "projects", "ref", "url", "dateReleased", "dateStarted", "status")
            body = {key: release[key] for key in keys if release.get(key) is not None}
            if release.get("commits"):
                body["commits"] = [
                    {key: value for key, value in commit.items() if value is not None} for commit in release["commits"]
                ]
            response = self._client.post(self._url(base), json=body, headers=self._api.headers)
            present = self._created("releases", response, f"release {version}")
            if present and release.get("commits"):
                self._tally.created["sentry", "commits"] += len(release["commits"])
        progress.step()
        deploys = release.get("deploys", [])
        existing: set[tuple[t.Any, t.Any]] = set()
        if present and deploys:
            existing = {(deploy.get("environment"), deploy.get("name")) for deploy in self._listed(f"{at}deploys/")}
        for deploy in deploys:
            if (deploy.get("environment"), deploy.get("name")) in existing:
                self._tally.skipped["sentry", "deploys"] += 1
            elif present:
                fields = ("environment", "name", "url", "dateStarted", "dateFinished", "projects")
                body = {key: deploy[key] for key in fields if deploy.get(key) is not None}
                response = self._client.post(self._url(f"{at}deploys/"), json=body, headers=self._api.headers)
                self._created("deploys", response, f"deploy of {version} to {deploy.get('environment')}")
            progress.step()


SEEDERS: dict[str, type[GitLabSeeder] | type[SentrySeeder]] = {"gitlab": GitLabSeeder, "sentry": SentrySeeder}
"""The APIs whose public API can create what a scenario holds (see ``READ_ONLY_APIS`` for the others)."""
