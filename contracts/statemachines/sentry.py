"""Sentry releases: a machine that creates, re-announces, finalizes, deploys, lists and deletes against a model.

It writes through the organization's endpoints and through the sandbox project's
(``/projects/{org}/{project}/releases/``), which act on the same releases.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import secrets
import string
import time
import typing as t
import urllib.parse

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, rule

from ..artifact_bundle import artifact_bundle, checksum, chunks_of
from ..failures import ContractFailure
from ..links import MalformedLink, parse_links
from ..session import Reply, Session
from .base import MAX_PAGES, bind, call, parse_time, run_machine

# Version shapes Sentry reads differently (plain, package@semver, with build metadata, with spaces),
# all starting with the machine's own prefix, so that `query=<prefix>` lists exactly its releases.
SHAPES = ("{prefix}-{n}", "{prefix}@1.{n}.0", "{prefix}@2.0.0+build.{n}", "{prefix} rc {n}")

ASSEMBLE_POLLS = 20

refs = st.text(string.hexdigits.lower()[:16], min_size=7, max_size=40)
moments = st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2035, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0, tzinfo=dt.UTC)
)


@dataclasses.dataclass
class Expected:
    """What the machine knows a release must look like; ``id`` and ``created`` are learned on first sight."""

    version: str
    ref: str | None
    date_released: dt.datetime | None = None
    deploy_count: int = 0
    last_deploy: str | None = None
    id: t.Any = None
    created: dt.datetime | None = None


@dataclasses.dataclass
class Target:
    """One run's server, sandbox organization and project, and bookkeeping shared by every example."""

    session: Session
    org: str
    project: str
    prefix: str = dataclasses.field(default_factory=lambda: f"contract-{secrets.token_hex(4)}")
    counter: t.Iterator[int] = dataclasses.field(default_factory=itertools.count)
    leftovers: list[ContractFailure] = dataclasses.field(default_factory=list)

    @property
    def releases_path(self) -> str:
        return f"/organizations/{urllib.parse.quote(self.org, safe='')}/releases/"

    @property
    def project_releases_path(self) -> str:
        return (
            f"/projects/{urllib.parse.quote(self.org, safe='')}/{urllib.parse.quote(self.project, safe='')}/releases/"
        )


class SentryReleases(RuleBasedStateMachine):
    """Every response is compared with `model`, the releases this machine created and has not deleted."""

    releases = Bundle("releases")
    deleted = Bundle("deleted")
    target: t.ClassVar[Target]

    def __init__(self) -> None:
        super().__init__()
        self.api = self.target.session
        self.model: dict[str, Expected] = {}
        self.created: list[str] = []
        self.bundle_files: dict[str, int] = {}
        """Files of the artifact bundles uploaded for each version."""
        self.recreated: set[str] = set()
        # One prefix per example: releases an earlier example failed to delete stay out of this one's lists.
        self.prefix = f"{self.target.prefix}-{secrets.token_hex(3)}"

    def path(self, version: str) -> str:
        return f"{self.target.releases_path}{urllib.parse.quote(version, safe='')}/"

    def project_path(self, version: str) -> str:
        return f"{self.target.project_releases_path}{urllib.parse.quote(version, safe='')}/"

    @rule(target=releases, shape=st.sampled_from(SHAPES), ref=st.none() | refs)
    def create_release(self, shape: str, ref: str | None) -> str:
        version = shape.format(prefix=self.prefix, n=next(self.target.counter))
        self.created.append(version)
        self.model[version] = self.announce(version, ref, "created_release_matches_request", 201)
        # Announcing it again links no new project: nothing happened, and Sentry says so with 208.
        self.announce(version, ref, "create_idempotent", 208, self.model[version])
        return version

    @rule(version=releases)
    def announce_again(self, version: str) -> None:
        self.announce(version, self.model[version].ref, "create_idempotent", 208, self.model[version])

    @rule(version=releases)
    def get_release(self, version: str) -> None:
        reply = call(self.api, "GET", self.path(version))
        reply.expect_status("release_matches_model", 200)
        self.compare(reply, "release_matches_model", reply.object("release_matches_model"), self.model[version])

    @rule(version=releases, when=moments)
    def finalize_release(self, version: str, when: dt.datetime) -> None:
        body = {"dateReleased": when.isoformat().replace("+00:00", "Z")}
        reply = call(self.api, "PUT", self.path(version), json=body)
        reply.expect_status("update_is_visible", 200)
        self.model[version].date_released = when
        self.compare(reply, "update_is_visible", reply.object("update_is_visible"), self.model[version])

    @rule(version=releases, environment=st.sampled_from(["production", "staging", "contract-test"]))
    def add_deploy(self, version: str, environment: str) -> None:
        reply = call(
            self.api,
            "POST",
            f"{self.path(version)}deploys/",
            json={"environment": environment},
        )
        reply.expect_status("deploy_is_counted", 201)
        deploy = reply.object("deploy_is_counted")
        if deploy.get("environment") != environment or not isinstance(deploy.get("id"), str):
            reply.fail("deploy_is_counted", f"deploy should have environment {environment!r} and an id: {deploy}")
        expected = self.model[version]
        expected.deploy_count += 1
        expected.last_deploy = deploy["id"]
        reply = call(self.api, "GET", self.path(version))
        reply.expect_status("deploy_is_counted", 200)
        self.compare(reply, "deploy_is_counted", reply.object("deploy_is_counted"), expected)

    @rule(version=releases, files=st.integers(min_value=1, max_value=3))
    def upload_bundle(self, version: str, files: int) -> None:
        """A bundle for the release through chunk upload and assemble; the release's meta counts every one's files."""
        check = "assemble_waits_for_every_chunk"
        org = urllib.parse.quote(self.target.org, safe="")
        content = artifact_bundle(self.target.org, version, files)
        parts = chunks_of(content)
        body = {
            "checksum": checksum(content),
            "chunks": [name for name, _ in parts],
            "projects": [self.target.project],
            "version": version,
        }
        assemble = f"/organizations/{org}/artifactbundle/assemble/"
        reply = call(self.api, "POST", assemble, json=body)
        reply.expect_status(check, 200)
        if reply.object(check).get("state") != "not_found":
            reply.fail(check, f"no chunk of a new bundle was uploaded, yet the assemble answered {reply.object(check)}")
        call(self.api, "POST", f"/organizations/{org}/chunk-upload/", files=[("file", part) for part in parts])
        states = []
        for attempt in range(ASSEMBLE_POLLS):
            if attempt > 1:  # Sentry assembles in a task: give it time, after one quick look
                time.sleep(0.2)
            reply = call(self.api, "POST", assemble, json=body)
            reply.expect_status(check, 200)
            states.append(reply.object(check).get("state"))
            if states[-1] in ("ok", "error", "not_found"):
                break
        if states[-1] != "ok":
            reply.fail(check, f"with every chunk uploaded the assemble went through {states}, not to ok")
        self.bundle_files[version] = self.bundle_files.get(version, 0) + files
        if version in self.recreated:
            return  # bundles outlive their release's name being deleted: what it counts now is not modelled
        reply = call(self.api, "GET", f"{self.path(version)}meta/")
        reply.expect_status("bundle_files_are_counted", 200)
        meta = reply.object("bundle_files_are_counted")
        counted = (meta.get("releaseFileCount"), meta.get("isArtifactBundle"))
        if counted != (self.bundle_files[version], True):
            reply.fail(
                "bundle_files_are_counted", f"{version}: meta counts {counted}, not {self.bundle_files[version]}"
            )

    @rule(version=releases)
    def delete_bundle(self, version: str) -> None:
        """One of the release's bundles deleted by its ID from the project: the meta counts its files no more."""
        if not self.bundle_files.get(version) or version in self.recreated:
            return
        check = "deleted_bundle_leaves_the_project"
        org, project = (urllib.parse.quote(name, safe="") for name in (self.target.org, self.target.project))
        listing = f"/projects/{org}/{project}/files/artifact-bundles/"
        reply = call(self.api, "GET", listing, params={"query": version, "per_page": 100})
        reply.expect_status(check, 200)
        listed = reply.json(check)
        mine = [
            item
            for item in (listed if isinstance(listed, list) else [])
            if isinstance(item, dict) and {"release": version, "dist": None} in (item.get("associations") or [])
        ]
        if not mine:
            reply.fail(
                check, f"{version} has bundles of {self.bundle_files[version]} files, yet the project lists none"
            )
        gone = mine[0]
        call(self.api, "DELETE", listing, params={"bundleId": gone.get("bundleId")}).expect_status(check, 204)
        self.bundle_files[version] -= gone.get("fileCount") or 0
        reply = call(self.api, "GET", f"{self.path(version)}meta/")
        reply.expect_status(check, 200)
        meta = reply.object(check)
        left = self.bundle_files[version]
        if (left and (meta.get("releaseFileCount"), meta.get("isArtifactBundle")) != (left, True)) or (
            not left and meta.get("isArtifactBundle") is not False
        ):
            reply.fail(check, f"{version}: after a delete the meta counts {meta}, not {left} bundled files")

    @rule(per_page=st.sampled_from([1, 2, 5, 100]))
    def list_releases(self, per_page: int) -> None:
        last, listed = self.walk_pages(per_page)
        versions = [item.get("version") for _, item in listed]
        repeated = sorted({str(version) for version in versions if versions.count(version) > 1})
        if repeated:
            last.fail("pagination_cursor", f"following the next cursor lists {repeated} more than once")
        mine = {version for version in versions if version in self.created}
        if mine != set(self.model):
            missing, extra = sorted(set(self.model) - mine), sorted(mine - set(self.model))
            last.fail("listing_matches_model", f"created releases missing: {missing}; deleted ones listed: {extra}")
        times = [parse_time(item.get("dateCreated")) for _, item in listed]
        for position, (earlier, later) in enumerate(itertools.pairwise(times), start=1):
            if earlier is None or later is None or earlier < later:
                message = f"not newest first: {versions[position - 1]} {earlier}, then {versions[position]} {later}"
                listed[position][0].fail("listing_order", message)
        for reply, item in listed:
            if item.get("version") in self.model:
                self.compare(reply, "release_matches_model", item, self.model[item["version"]])

    def walk_pages(self, per_page: int) -> tuple[Reply, list[tuple[Reply, dict[str, t.Any]]]]:
        """The last page's reply, and every release with its page's reply, following ``next`` while it has results."""
        listed: list[tuple[Reply, dict[str, t.Any]]] = []
        url = self.target.releases_path
        params: dict[str, t.Any] | None = {"query": self.prefix, "per_page": per_page}
        for number in range(MAX_PAGES):
            reply = call(self.api, "GET", url, params=params)
            reply.expect_status("pagination_cursor", 200)
            page = reply.array("pagination_cursor")
            if len(page) > per_page:
                reply.fail("pagination_cursor", f"{len(page)} releases on a page of {per_page}")
            listed.extend((reply, item) for item in page if isinstance(item, dict))
            try:
                links = parse_links(reply.response.headers.get("link", ""))
            except MalformedLink as error:
                reply.fail("pagination_cursor", f"the Link header does not parse: {error}")
            if "previous" not in links or "next" not in links:
                reply.fail(
                    "pagination_cursor", f"Link should name previous and next: {reply.response.headers.get('link')!r}"
                )
            # The offset paginator numbers pages: the cursor is page size, page number, direction.
            cursors = (links["previous"].params.get("cursor"), links["next"].params.get("cursor"))
            if cursors != (f"{per_page}:{number - 1}:1", f"{per_page}:{number + 1}:0"):
                reply.fail("pagination_cursor", f"page {number} of {per_page} links to cursors {cursors}")
            if links["next"].params.get("results") != "true":
                return reply, listed
            if not self.api.same_origin(links["next"].url):
                reply.fail("pagination_cursor", f"the next link leads to another server: {links['next'].url}")
            url, params = links["next"].url, None
        reply.fail("pagination_cursor", f"the next cursor still has results after {MAX_PAGES} pages")

    @rule(target=releases, shape=st.sampled_from(SHAPES), ref=st.none() | refs)
    def create_in_project(self, shape: str, ref: str | None) -> str:
        """The project's create makes the release and links the project (201); again, nothing is new (208)."""
        version = shape.format(prefix=self.prefix, n=next(self.target.counter))
        self.created.append(version)
        self.model[version] = self.announce(version, ref, "created_release_matches_request", 201, in_project=True)
        self.announce(version, ref, "project_create_is_idempotent", 208, self.model[version], in_project=True)
        return version

    @rule(version=releases)
    def announce_in_project(self, version: str) -> None:
        self.announce(
            version, self.model[version].ref, "project_create_is_idempotent", 208, self.model[version], in_project=True
        )

    @rule(version=releases)
    def get_in_project(self, version: str) -> None:
        reply = call(self.api, "GET", self.project_path(version))
        reply.expect_status("project_release_matches_model", 200)
        self.compare(
            reply, "project_release_matches_model", reply.object("project_release_matches_model"), self.model[version]
        )

    @rule(version=releases, when=moments)
    def finalize_in_project(self, version: str, when: dt.datetime) -> None:
        body = {"dateReleased": when.isoformat().replace("+00:00", "Z")}
        reply = call(self.api, "PUT", self.project_path(version), json=body)
        reply.expect_status("update_is_visible", 200)
        self.model[version].date_released = when
        self.compare(reply, "update_is_visible", reply.object("update_is_visible"), self.model[version])

    @rule()
    def list_in_project(self) -> None:
        """The project's list holds the model's releases, most recently released (else created) first."""
        reply = call(self.api, "GET", self.target.project_releases_path, params={"query": self.prefix, "per_page": 100})
        reply.expect_status("project_listing_matches_model", 200)
        items = [item for item in reply.array("project_listing_matches_model") if isinstance(item, dict)]
        versions = [item.get("version") for item in items]
        if sorted(map(str, versions)) != sorted(self.model):
            reply.fail("project_listing_matches_model", f"lists {versions}, the model holds {sorted(self.model)}")
        keys = [(parse_time(item.get("dateReleased")) or parse_time(item.get("dateCreated"))) for item in items]
        for position, (earlier, later) in enumerate(itertools.pairwise(keys), start=1):
            if earlier is None or later is None or earlier < later:
                first, then = versions[position - 1], versions[position]
                message = f"not most recently released first: {first} {earlier}, then {then} {later}"
                reply.fail("project_listing_order", message)

    @rule(target=deleted, version=consumes(releases))
    def delete_in_project(self, version: str) -> str:
        reply = call(self.api, "DELETE", self.project_path(version))
        reply.expect_status("delete_answers_204", 204)
        del self.model[version]
        self.expect_gone(version)
        reply = call(self.api, "GET", self.project_path(version))
        reply.expect_status("deleted_release_answers_404", 404)
        return version

    @rule(target=deleted, version=consumes(releases))
    def delete_release(self, version: str) -> str:
        reply = call(self.api, "DELETE", self.path(version))
        reply.expect_status("delete_answers_204", 204)
        del self.model[version]
        self.expect_gone(version)
        return version

    @rule(version=deleted)
    def get_deleted_release(self, version: str) -> None:
        self.expect_gone(version)

    @rule(target=releases, version=consumes(deleted))
    def create_deleted_again(self, version: str) -> str:
        self.recreated.add(version)
        self.model[version] = self.announce(version, None, "created_release_matches_request", 201)
        return version

    def announce(
        self,
        version: str,
        ref: str | None,
        check: str,
        status: int,
        known: Expected | None = None,
        *,
        in_project: bool = False,
    ) -> Expected:
        """POST the release (to the project's endpoint, ``in_project``); expect ``status`` and a body that
        matches ``known`` (or a new release)."""
        body: dict[str, t.Any] = {"version": version}
        if not in_project:
            body["projects"] = [self.target.project]
        if ref is not None:
            body["ref"] = ref
        path = self.target.project_releases_path if in_project else self.target.releases_path
        reply = call(self.api, "POST", path, json=body)
        reply.expect_status(check, status)
        expected = known or Expected(version, ref)
        self.compare(reply, check, reply.object(check), expected)
        return expected

    def expect_gone(self, version: str) -> None:
        reply = call(self.api, "GET", self.path(version))
        reply.expect_status("deleted_release_answers_404", 404)

    def compare(self, reply: Reply, check: str, release: dict[str, t.Any], expected: Expected) -> None:
        """Fail ``check`` on the first field of ``release`` that the model contradicts; learn id and dateCreated."""

        def mismatch(field: str, wanted: object, got: object) -> t.NoReturn:
            reply.fail(check, f"{expected.version}: {field} should be {wanted!r}, got {got!r}")

        projects = release.get("projects")
        slugs = (
            sorted(str(project.get("slug")) for project in projects if isinstance(project, dict))
            if isinstance(projects, list)
            else None
        )
        last_deploy = release.get("lastDeploy")
        created = parse_time(release.get("dateCreated"))
        seen: dict[str, t.Any] = {
            "version": release.get("version"),
            "ref": release.get("ref"),
            "status": release.get("status"),
            "projects": slugs,
            "dateReleased": parse_time(release.get("dateReleased")),
            "deployCount": release.get("deployCount"),
            "lastDeploy.id": last_deploy.get("id") if isinstance(last_deploy, dict) else last_deploy,
            "id": release.get("id"),
            "dateCreated": created,
        }
        wanted = {
            "version": expected.version,
            "ref": expected.ref,
            "status": "open",
            "projects": [self.target.project],
            "dateReleased": expected.date_released,
            "deployCount": expected.deploy_count,
            "lastDeploy.id": expected.last_deploy,
            "id": seen["id"] if expected.id is None else expected.id,
            "dateCreated": expected.created or created,
        }
        for field, value in wanted.items():
            if seen[field] != value:
                mismatch(field, value, release.get(field, seen[field]))
        if seen["id"] is None or created is None:
            mismatch("id and dateCreated", "present", (seen["id"], release.get("dateCreated")))
        expected.id, expected.created = seen["id"], created

    def teardown(self) -> None:
        """Delete every release this example created, whatever happened; record what stays."""
        for version in self.created:
            try:
                reply = call(self.api, "DELETE", self.path(version))
            except ContractFailure as failed:
                self.target.leftovers.append(
                    ContractFailure("cleanup", failed.operation, failed.message, failed.request)
                )
                continue
            if reply.status not in (204, 404):
                message = f"could not remove {version}: status {reply.status}"
                self.target.leftovers.append(ContractFailure("cleanup", reply.operation, message, reply.request))


def run(session: Session, max_examples: int, seed: int | None) -> list[ContractFailure]:
    """Announce, finalize, deploy and delete releases of the sandbox (``org`` and ``project``), then clean up."""
    org, project = session.sandbox.get("org"), session.sandbox.get("project")
    if not org or not project:
        raise ValueError('the Sentry machine needs sandbox={"org": "<slug>", "project": "<slug>"}')
    target = Target(session, org, project)
    failures = run_machine(bind(SentryReleases, target=target), max_examples=max_examples, seed=seed)
    return failures + list(target.leftovers)
