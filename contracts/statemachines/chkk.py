"""Chkk releases (read-only): a machine that walks list pages and reads releases back, against a full listing."""

from __future__ import annotations

import dataclasses
import typing as t
import urllib.parse

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from ..failures import ContractFailure
from ..session import Reply, Session
from .base import MAX_PAGES, bind, call, run_machine

FULL_PAGE = 1000

page_sizes = st.integers(min_value=1, max_value=10) | st.sampled_from([100, FULL_PAGE])


def key(release: dict[str, t.Any]) -> str:
    """A release's full identifier, ``<project>@<version>``."""
    return f"{release.get('project')}@{release.get('version')}"


@dataclasses.dataclass
class Walk:
    """A listing being read page by page with one page size."""

    page_size: int
    releases: list[dict[str, t.Any]] = dataclasses.field(default_factory=list)
    token: str | None = None
    last_token: str | None = None
    last_page: list[dict[str, t.Any]] = dataclasses.field(default_factory=list)
    pages: int = 0


@dataclasses.dataclass(frozen=True)
class Target:
    """One run's server and the Project whose releases are read."""

    session: Session
    project: str

    @property
    def releases_path(self) -> str:
        return f"/projects/{urllib.parse.quote(self.project, safe='')}/releases/"


class ChkkReleases(RuleBasedStateMachine):
    """The model is the project's listing read in full; every page and every release read must agree with it."""

    target: t.ClassVar[Target]

    def __init__(self) -> None:
        super().__init__()
        self.api = self.target.session
        self.full: list[dict[str, t.Any]] = []
        self.walk: Walk | None = None

    @initialize()
    def read_full_listing(self) -> None:
        walk = Walk(FULL_PAGE)
        self.fetch(walk)
        while walk.token is not None:
            self.fetch(walk)
        self.full = walk.releases

    @rule(page_size=page_sizes)
    def start_walk(self, page_size: int) -> None:
        self.walk = Walk(page_size)
        self.read_page(self.walk)

    @precondition(lambda self: self.walk is not None and self.walk.token is not None)
    @rule()
    def next_page(self) -> None:
        assert self.walk is not None
        self.read_page(self.walk)

    @precondition(lambda self: self.walk is not None and self.walk.last_token is not None)
    @rule()
    def read_page_again(self) -> None:
        assert self.walk is not None and self.walk.last_token is not None
        params = {"page_size": self.walk.page_size, "continuation_token": self.walk.last_token}
        reply = call(self.api, "GET", self.target.releases_path, params=params)
        page, _ = self.page(reply, "page_replay_stable", self.walk.page_size)
        if page != self.walk.last_page:
            reply.fail("page_replay_stable", "the same continuation_token gave a different page the second time")

    @precondition(lambda self: bool(self.full))
    @rule(data=st.data())
    def get_by_version(self, data: st.DataObject) -> None:
        listed = self.draw_listed(data)
        self.read_back(listed, str(listed.get("version")), "release_retrievable_by_version")

    @precondition(lambda self: bool(self.full))
    @rule(data=st.data())
    def get_by_id(self, data: st.DataObject) -> None:
        listed = self.draw_listed(data)
        self.read_back(listed, key(listed), "release_retrievable_by_id")

    def draw_listed(self, data: st.DataObject) -> dict[str, t.Any]:
        # Drawn by identifier, so that the steps Hypothesis reports name the release and no more.
        wanted = data.draw(st.sampled_from([key(release) for release in self.full]), label="release")
        return next(release for release in self.full if key(release) == wanted)

    def read_page(self, walk: Walk) -> None:
        """Read the walk's next page and hold the pages read so far against the full listing."""
        reply = self.fetch(walk)
        read, full = [key(release) for release in walk.releases], [key(release) for release in self.full]
        if walk.releases != self.full[: len(walk.releases)]:
            pairs = enumerate(zip(walk.releases, self.full, strict=False))
            position = next((i for i, (got, wanted) in pairs if got != wanted), len(full))
            found = read[position]
            wanted = full[position] if position < len(full) else "nothing more"
            reply.fail("order_stable", f"release {position + 1} of the walk is {found}; the full listing has {wanted}")
        if walk.token is None and read != full:
            message = f"the pages end after {len(read)} releases; the full listing has {len(full)}"
            reply.fail("pages_union_equals_full_listing", message)
        if walk.token is not None and read == full:
            reply.fail("pages_union_equals_full_listing", "a continuation_token after the last release")

    def fetch(self, walk: Walk) -> Reply:
        """One page of ``walk``: check its shape and that it repeats nothing, then advance the walk."""
        params: dict[str, t.Any] = {"page_size": walk.page_size}
        if walk.token is not None:
            params["continuation_token"] = walk.token
        reply = call(self.api, "GET", self.target.releases_path, params=params)
        page, token = self.page(reply, "page_shape", walk.page_size)
        seen = {key(release) for release in walk.releases}
        repeated = sorted(key(release) for release in page if key(release) in seen)
        if repeated or len({key(release) for release in page}) != len(page):
            reply.fail("pages_no_duplicates", f"page {walk.pages + 1} repeats {repeated or 'a release of its own'}")
        walk.pages += 1
        if walk.pages > MAX_PAGES:
            reply.fail("pages_terminate", f"the walk did not end after {MAX_PAGES} pages")
        walk.releases.extend(page)
        walk.last_token, walk.token, walk.last_page = walk.token, token, page
        return reply

    def page(self, reply: Reply, check: str, page_size: int) -> tuple[list[dict[str, t.Any]], str | None]:
        reply.expect_status(check, 200)
        body = reply.object(check)
        page, token = body.get("data"), body.get("continuation_token")
        if not isinstance(page, list) or not all(isinstance(release, dict) for release in page):
            reply.fail(check, f"`data` should be a list of releases, got {page!r:.200}")
        if token is not None and (not isinstance(token, str) or not token):
            reply.fail(check, f"`continuation_token` should be a non-empty string or absent, got {token!r}")
        if len(page) > page_size:
            reply.fail(check, f"{len(page)} releases on a page of {page_size}")
        return page, token

    def read_back(self, listed: dict[str, t.Any], release: str, check: str) -> None:
        reply = call(self.api, "GET", f"{self.target.releases_path}{urllib.parse.quote(release, safe='')}/")
        reply.expect_status(check, 200)
        body = reply.object(check)
        if body != listed:
            differing = sorted(name for name in set(body) | set(listed) if body.get(name) != listed.get(name))
            reply.fail(check, f"{key(listed)} differs from its listed entry in {differing}")


def run(session: Session, max_examples: int, seed: int | None) -> list[ContractFailure]:
    """Walk the sandbox Project's release list (``session.sandbox["project"]``) and read releases back; reads only."""
    project = session.sandbox.get("project")
    if not project:
        raise ValueError('the Chkk machine needs sandbox={"project": "proj_<uuid>"}')
    return run_machine(bind(ChkkReleases, target=Target(session, project)), max_examples=max_examples, seed=seed)
