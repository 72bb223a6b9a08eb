"""GitLab releases: a machine that creates, reads, updates, links, lists and deletes releases against a model."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import secrets
import typing as t
import urllib.parse

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, rule

from ..failures import ContractFailure
from ..links import MalformedLink, parse_links
from ..session import Reply, Session
from . import _gitlab_milestones
from .base import MAX_PAGES, bind, call, parse_time, run_machine

LINK_TYPES = ("other", "runbook", "image", "package")
# Far enough from now that `upcoming_release` cannot depend on clock skew.
CLOCK_MARGIN = dt.timedelta(days=1)

texts = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=30)
names = texts.map(str.strip).filter(bool)
moments = st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2035, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0, tzinfo=dt.UTC)
)


@dataclasses.dataclass
class Expected:
    """What the machine knows a release must look like."""

    tag_name: str
    name: str
    description: str | None
    released_at: dt.datetime | None
    links: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)
    created_at: dt.datetime | None = None


@dataclasses.dataclass
class Target:
    """One run's server, sandbox project and bookkeeping, shared by every example of the run."""

    session: Session
    project: str
    ref: str
    prefix: str = dataclasses.field(default_factory=lambda: f"contract-{secrets.token_hex(4)}")
    counter: t.Iterator[int] = dataclasses.field(default_factory=itertools.count)
    leftovers: list[ContractFailure] = dataclasses.field(default_factory=list)

    @property
    def releases_path(self) -> str:
        return f"/projects/{urllib.parse.quote(self.project, safe='')}/releases"

    def new_tag(self) -> str:
        return f"{self.prefix}-{next(self.counter)}"


class GitLabReleases(RuleBasedStateMachine):
    """Every response is compared with `model`, the releases this machine created and has not deleted."""

    releases = Bundle("releases")
    deleted = Bundle("deleted")

    target: t.ClassVar[Target]

    def __init__(self) -> None:
        super().__init__()
        self.api = self.target.session
        self.model: dict[str, Expected] = {}
        self.created: list[str] = []

    def path(self, tag: str) -> str:
        return f"{self.target.releases_path}/{urllib.parse.quote(tag, safe='')}"

    @rule(
        target=releases,
        name=st.none() | names,
        description=st.none() | texts,
        released_at=st.none() | moments,
    )
    def create_release(self, name: str | None, description: str | None, released_at: dt.datetime | None) -> str:
        tag = self.target.new_tag()
        body: dict[str, t.Any] = {"tag_name": tag, "ref": self.target.ref}
        body.update({key: value for key, value in (("name", name), ("description", description)) if value is not None})
        if released_at is not None:
            body["released_at"] = released_at.isoformat().replace("+00:00", "Z")
        reply = call(self.api, "POST", self.target.releases_path, json=body)
        self.created.append(tag)
        reply.expect_status("created_release_matches_request", 201)
        expected = Expected(tag, name or tag, description, released_at)
        self.compare(
            reply, "created_release_matches_request", reply.object("created_release_matches_request"), expected
        )
        self.model[tag] = expected
        return tag

    @rule(tag=releases)
    def get_release(self, tag: str) -> None:
        reply = call(self.api, "GET", self.path(tag))
        reply.expect_status("release_matches_model", 200)
        self.compare(reply, "release_matches_model", reply.object("release_matches_model"), self.model[tag])

    @rule(tag=releases, changes=st.fixed_dictionaries({}, optional={"name": names, "description": texts}).filter(bool))
    def update_release(self, tag: str, changes: dict[str, str]) -> None:
        reply = call(self.api, "PUT", self.path(tag), json=changes)
        reply.expect_status("update_is_visible", 200)
        known = self.model[tag]
        expected = dataclasses.replace(
            known, name=changes.get("name", known.name), description=changes.get("description", known.description)
        )
        self.compare(reply, "update_is_visible", reply.object("update_is_visible"), expected)
        self.model[tag] = expected

    @rule(tag=releases, link_type=st.none() | st.sampled_from(LINK_TYPES), direct=st.booleans())
    def add_link(self, tag: str, link_type: str | None, direct: bool) -> None:
        number = next(self.target.counter)
        body = {"name": f"asset-{number}", "url": f"https://example.com/release-mock-contract/{tag}/{number}"}
        if link_type is not None:
            body["link_type"] = link_type
        if direct:
            body["direct_asset_path"] = f"/bin/asset-{number}"
        reply = call(self.api, "POST", f"{self.path(tag)}/assets/links", json=body)
        reply.expect_status("link_added_to_release", 201)
        link = reply.object("link_added_to_release")
        wanted_type = link_type or "other"
        for key, value in (("name", body["name"]), ("url", body["url"]), ("link_type", wanted_type)):
            if link.get(key) != value:
                reply.fail("link_added_to_release", f"link {key}: expected {value!r}, got {link.get(key)!r}")
        # Without a direct asset path the direct URL is the link's own; with one, a stable project URL.
        direct_url = link.get("direct_asset_url")
        suffix = f"/-/releases/{tag}/downloads{body['direct_asset_path']}" if direct else None
        if not isinstance(direct_url, str) or (
            not direct_url.endswith(suffix) if suffix else direct_url != body["url"]
        ):
            reply.fail("link_added_to_release", f"direct_asset_url {direct_url!r} does not match the link")
        self.model[tag].links[body["name"]] = (body["url"], wanted_type)

    @rule(target=deleted, tag=consumes(releases))
    def delete_release(self, tag: str) -> str:
        reply = call(self.api, "DELETE", self.path(tag))
        reply.expect_status("delete_returns_release", 200)
        self.compare(reply, "delete_returns_release", reply.object("delete_returns_release"), self.model.pop(tag))
        self.expect_gone(tag)
        return tag

    @rule(tag=deleted)
    def get_deleted_release(self, tag: str) -> None:
        self.expect_gone(tag)

    @rule(target=releases, tag=consumes(deleted))
    def create_release_on_kept_tag(self, tag: str) -> str:
        # Deleting a release keeps its tag, so a new release on it needs no `ref`.
        reply = call(self.api, "POST", self.target.releases_path, json={"tag_name": tag})
        reply.expect_status("deleted_release_keeps_tag", 201)
        expected = Expected(tag, tag, None, None)
        self.compare(
            reply, "created_release_matches_request", reply.object("created_release_matches_request"), expected
        )
        self.model[tag] = expected
        return tag

    @rule(per_page=st.sampled_from([1, 2, 3, 20, 100]))
    def list_releases(self, per_page: int) -> None:
        last, listed = self.walk_pages(per_page)
        tags = [item.get("tag_name") for _, item in listed]
        repeated = sorted({str(tag) for tag in tags if tags.count(tag) > 1})
        if repeated:
            last.fail("pagination_link_next", f"following rel=next lists {repeated} more than once")
        mine = {tag for tag in tags if tag in self.created}
        if mine != set(self.model):
            missing, extra = sorted(set(self.model) - mine), sorted(mine - set(self.model))
            message = f"created releases missing from the list: {missing}; deleted ones listed: {extra}"
            last.fail("listing_matches_model", message)
        times = [parse_time(item.get("released_at")) for _, item in listed]
        for position, (earlier, later) in enumerate(itertools.pairwise(times), start=1):
            if earlier is None or later is None or earlier < later:
                message = f"released_at not descending: {tags[position - 1]} {earlier}, then {tags[position]} {later}"
                listed[position][0].fail("listing_order", message)
        for reply, item in listed:
            if item.get("tag_name") in self.model:
                self.compare(reply, "release_matches_model", item, self.model[item["tag_name"]])

    def walk_pages(self, per_page: int) -> tuple[Reply, list[tuple[Reply, dict[str, t.Any]]]]:
        """The last page's reply, and every release with the reply of its page, following ``rel="next"``."""
        listed: list[tuple[Reply, dict[str, t.Any]]] = []
        url = self.target.releases_path
        params: dict[str, t.Any] | None = {"per_page": per_page}
        for _ in range(MAX_PAGES):
            reply = call(self.api, "GET", url, params=params)
            reply.expect_status("pagination_link_next", 200)
            page = reply.array("pagination_link_next")
            if len(page) > per_page:
                reply.fail("pagination_link_next", f"{len(page)} releases on a page of {per_page}")
            listed.extend((reply, item) for item in page if isinstance(item, dict))
            try:
                links = parse_links(reply.response.headers.get("link", ""))
            except MalformedLink as error:
                reply.fail("pagination_link_next", f"the Link header does not parse: {error}")
            following = links["next"].url if "next" in links else None
            if following is None:
                return reply, listed
            if not self.api.same_origin(following):
                reply.fail("pagination_link_next", f"rel=next leads to another server: {following}")
            url, params = following, None
        reply.fail("pagination_link_next", f"still a rel=next link after {MAX_PAGES} pages")

    def expect_gone(self, tag: str) -> None:
        reply = call(self.api, "GET", self.path(tag))
        reply.expect_status("deleted_release_answers_404", 404)

    def compare(self, reply: Reply, check: str, release: dict[str, t.Any], expected: Expected) -> None:
        """Fail ``check`` on the first field of ``release`` that the model contradicts; learn server-set times."""

        def mismatch(field: str, wanted: object, got: object) -> t.NoReturn:
            reply.fail(check, f"{expected.tag_name}: {field} should be {wanted!r}, got {got!r}")

        for key in ("tag_name", "name", "description"):
            if release.get(key) != getattr(expected, key):
                mismatch(key, getattr(expected, key), release.get(key))
        created_at, released_at = parse_time(release.get("created_at")), parse_time(release.get("released_at"))
        if created_at is None or created_at != (expected.created_at or created_at):
            mismatch("created_at", expected.created_at or "a date-time", release.get("created_at"))
        if released_at is None or released_at != (expected.released_at or released_at):
            mismatch("released_at", expected.released_at or "a date-time", release.get("released_at"))
        if expected.released_at is None and abs(released_at - created_at) > CLOCK_MARGIN:
            mismatch("released_at (defaults to the creation time)", created_at, release.get("released_at"))
        expected.created_at, expected.released_at = created_at, released_at
        now = dt.datetime.now(dt.UTC)
        if abs(released_at - now) > CLOCK_MARGIN and release.get("upcoming_release") is not (released_at > now):
            mismatch("upcoming_release", released_at > now, release.get("upcoming_release"))
        assets = release.get("assets")
        links = assets.get("links") if isinstance(assets, dict) else None
        if not isinstance(links, list):
            mismatch("assets.links", "a list", links)
        found = {link.get("name"): (link.get("url"), link.get("link_type")) for link in links if isinstance(link, dict)}
        if found != expected.links:
            mismatch("assets.links (name: url, type)", expected.links, found)

    def teardown(self) -> None:
        """Delete every release and tag this example created, whatever happened; record what stays."""
        project = urllib.parse.quote(self.target.project, safe="")
        for tag in self.created:
            try:
                release = call(self.api, "DELETE", self.path(tag))
                tag_path = f"/projects/{project}/repository/tags/{urllib.parse.quote(tag, safe='')}"
                removal = call(self.api, "DELETE", tag_path)
            except ContractFailure as failed:
                self.target.leftovers.append(
                    ContractFailure("cleanup", failed.operation, failed.message, failed.request)
                )
                continue
            # 403 and 404: no release left on the tag; deleting the tag removes any release that remained.
            for reply, fine in ((release, (200, 403, 404)), (removal, (204, 404))):
                if reply.status not in fine:
                    message = f"could not remove {tag}: status {reply.status}"
                    self.target.leftovers.append(ContractFailure("cleanup", reply.operation, message, reply.request))


def run(session: Session, max_examples: int, seed: int | None) -> list[ContractFailure]:
    """Create, change and delete releases, then milestones, in the sandbox project (``session.sandbox["project"]``),
    then clean up."""
    project = session.sandbox.get("project")
    if not project:
        raise ValueError('the GitLab machine needs sandbox={"project": "<id or URL-encoded path>"}')
    try:
        target = Target(session, project, default_branch(session, project))
    except ContractFailure as failed:
        return [ContractFailure(failed.check, failed.operation, failed.message, failed.request)]
    failures = run_machine(bind(GitLabReleases, target=target), max_examples=max_examples, seed=seed)
    failures += _gitlab_milestones.run(session, project, max_examples, seed)
    return failures + list(target.leftovers)


def default_branch(session: Session, project: str) -> str:
    """The sandbox project's default branch, read once: new tags are made from it."""
    reply = call(session, "GET", f"/projects/{urllib.parse.quote(project, safe='')}")
    reply.expect_status("sandbox_project", 200)
    branch = reply.object("sandbox_project").get("default_branch")
    if not isinstance(branch, str) or not branch:
        reply.fail("sandbox_project", "the project has no default branch to create tags from")
    return branch
