"""Mutant servers: the mock with exactly one deliberate departure each, and a contract run against one of them.

A mutant is the mock of one API (``create_app(Settings(apis=(api,)))``) with one change, made
either by a small ASGI wrapper that rewrites one request or one response of one route, or by one
handler swapped in the API's plugin. ``expected`` names the (operation, check) pairs the contract
suite must report as failed; a run may report more (one departure often breaks several
properties), and the test output lists them all.

``run_contract`` is what a test (or a worker process) calls: it serves a mutant, or the unmodified
mock, on a free port and runs ``contracts.cli.main`` against it in-process.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import pathlib
import re
import time
import typing as t
import xml.etree.ElementTree as ET
from unittest import mock
from urllib.parse import parse_qsl, urlencode

import pytest

from contracts import cli
from contracts.checks import checks_for
from contracts.profiles import PROFILES
from contracts.target import NOISY_LOGGERS, quiet_loggers
from mockserver import Settings, create_app
from mockserver.exchange import Call, Reply
from mockserver.plugin import discover_plugins
from mockserver.serving import BackgroundServer

Scope = dict[str, t.Any]
Message = dict[str, t.Any]
Receive = t.Callable[[], t.Awaitable[Message]]
Send = t.Callable[[Message], t.Awaitable[None]]
ASGIApp = t.Callable[[Scope, Receive, Send], t.Awaitable[None]]

MOUNTS = {"gitlab": "/api/v4", "sentry": "/api/0", "chkk": "/chkk"}
SEED = 1
MAX_EXAMPLES = 2
"""Small: the coverage phase, which does not depend on it, finds most of what Schemathesis finds."""

# Tokens of the mock's fixtures, for the mutants that let an anonymous request through as someone.
GITLAB_MAINTAINER = "glpat-maintainer-000000000001"
CHKK_ALL_PROJECTS = "chkk-all-projects-token-0001"


# -- the pieces a departure is made of ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Route:
    """A method and a path pattern below the API's mount, matched against the path as sent (percent-encoded)."""

    api: str
    method: str
    pattern: str

    def matches(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != self.method:
            return False
        raw = scope.get("raw_path") or scope["path"].encode()
        path = raw.decode("latin-1").split("?", 1)[0]
        mount = MOUNTS[self.api]
        return path.startswith(mount) and re.fullmatch(self.pattern, path[len(mount) :]) is not None


@dataclasses.dataclass
class Answer:
    """A buffered response, for a mutant to change before it goes out, and the request it answers."""

    request: Scope
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    def set_header(self, name: str, value: str) -> None:
        self.headers = [(key, old) for key, old in self.headers if key.lower() != name.lower()] + [(name, value)]

    def json(self) -> t.Any:
        return json.loads(self.body)

    def set_json(self, value: t.Any) -> None:
        self.body = json.dumps(value).encode()


def rewrite(
    route: Route,
    *,
    request: t.Callable[[Scope], Scope] | None = None,
    response: t.Callable[[Answer], None] | None = None,
) -> t.Callable[[ASGIApp], ASGIApp]:
    """A wrapper that, for requests to ``route`` only, changes the request the app sees and/or its answer."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def mutant(scope: Scope, receive: Receive, send: Send) -> None:
            if not route.matches(scope):
                await app(scope, receive, send)
                return
            seen = request(scope) if request is not None else scope
            if response is None:
                await app(seen, receive, send)
                return
            start: Message = {}
            chunks: list[bytes] = []

            async def buffer(message: Message) -> None:
                if message["type"] == "http.response.start":
                    start.update(message)
                elif message["type"] == "http.response.body":
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body", False):
                        await _send_changed(send, scope, start, b"".join(chunks), response)

            await app(seen, receive, buffer)

        return mutant

    return wrap


async def _send_changed(
    send: Send, scope: Scope, start: Message, body: bytes, change: t.Callable[[Answer], None]
) -> None:
    headers = [(key.decode("latin-1"), value.decode("latin-1")) for key, value in start.get("headers", [])]
    answer = Answer(scope, start["status"], headers, body)
    change(answer)
    if answer.status in (204, 304):
        answer.headers = [(key, value) for key, value in answer.headers if key.lower() != "content-length"]
    else:
        answer.set_header("content-length", str(len(answer.body)))
    raw = [(key.lower().encode("latin-1"), value.encode("latin-1")) for key, value in answer.headers]
    await send({"type": "http.response.start", "status": answer.status, "headers": raw})
    await send({"type": "http.response.body", "body": answer.body})


def _query(scope: Scope) -> list[tuple[str, str]]:
    return parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)


def _with_query(scope: Scope, pairs: list[tuple[str, str]]) -> Scope:
    return {**scope, "query_string": urlencode(pairs).encode("latin-1")}


def _has_header(scope: Scope, *names: str) -> bool:
    wanted = {name.lower().encode("latin-1") for name in names}
    return any(key.lower() in wanted for key, _ in scope.get("headers", []))


def _with_header(scope: Scope, name: str, value: str) -> Scope:
    return {**scope, "headers": [*scope.get("headers", []), (name.lower().encode(), value.encode())]}


# -- the mutants -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Mutant:
    """The mock of ``api`` with one departure: a rewrite of one route's requests or answers, or one handler swapped."""

    id: str
    api: str
    departure: str
    """One line: what this server does differently from the mock."""
    expected: tuple[tuple[str, str], ...]
    """(operation, check) pairs the contract suite must report as failed."""
    route: Route | None = None
    request: t.Callable[[Scope], Scope] | None = None
    """For requests to ``route``: the request the mock is handed instead."""
    response: t.Callable[[Answer], None] | None = None
    """For requests to ``route``: how the mock's answer is changed."""
    handlers: t.Mapping[str, t.Callable[[Call], Reply]] = dataclasses.field(default_factory=dict)
    """operationId -> handler swapped into the API's plugin."""

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts of the suite whose checks this mutant must fail: the only ones its run needs."""
        semantic = {check.name for check in checks_for(self.api)}
        needed = {"semantic" if check in semantic else "schemathesis" for _, check in self.expected}
        return tuple(part for part in cli.SUITE_PARTS if part in needed)

    def build(self) -> ASGIApp:
        app: ASGIApp = mock_app(self.api, self.handlers)
        if self.route is not None:
            app = rewrite(self.route, request=self.request, response=self.response)(app)
        return app


def mock_app(api: str, handlers: t.Mapping[str, t.Callable[[Call], Reply]] | None = None) -> ASGIApp:
    """The mock of one API, with ``handlers`` swapped into its plugin when given."""
    settings = Settings(apis=(api,))
    if not handlers:
        return create_app(settings)
    (plugin,) = discover_plugins([api])
    changed = dataclasses.replace(plugin, handlers={**plugin.handlers, **handlers})
    with mock.patch("mockserver.app.discover_plugins", lambda names=None: [changed]):
        return create_app(settings)


# GitLab ---------------------------------------------------------------------------------------


def _created_answers_200(answer: Answer) -> None:
    if answer.status == 201:
        answer.status = 200


def _total_pages_plus_one(answer: Answer) -> None:
    pages = answer.header("X-Total-Pages")
    if answer.status == 200 and pages is not None and pages.isdigit():
        answer.set_header("X-Total-Pages", str(int(pages) + 1))


def _totals_dropped(answer: Answer) -> None:
    answer.headers = [(key, value) for key, value in answer.headers if key.lower() not in ("x-total", "x-total-pages")]


def _only_link_exposed(answer: Answer) -> None:
    if answer.header("access-control-expose-headers") is not None:
        answer.set_header("access-control-expose-headers", "Link")


def _ascending_dropped(scope: Scope) -> Scope:
    pairs = _query(scope)
    kept = [pair for pair in pairs if pair != ("sort", "asc")]
    return _with_query(scope, kept) if len(kept) != len(pairs) else scope


def _anonymous_as_gitlab_maintainer(scope: Scope) -> Scope:
    if _has_header(scope, "PRIVATE-TOKEN", "JOB-TOKEN", "Authorization"):
        return scope
    return _with_header(scope, "PRIVATE-TOKEN", GITLAB_MAINTAINER)


def _not_found_in_sentry_shape(answer: Answer) -> None:
    if answer.status == 404:
        answer.set_json({"detail": "The requested resource does not exist"})


def _update_release_not_saved(call: Call) -> Reply:
    """GitLab's update, answered as if applied and then undone: the release keeps its old fields."""
    from mockserver.apis.gitlab import handlers

    scope = handlers.project_scope(call, write=True)
    before = scope.state.release(scope.project["id"], call.params["tag_name"])
    reply = handlers.update_release(call)
    if before is not None:
        scope.state.releases.put(before)
    return reply


def _title_dropped(scope: Scope) -> Scope:
    pairs = _query(scope)
    kept = [pair for pair in pairs if pair[0] != "title"]
    return _with_query(scope, kept) if len(kept) != len(pairs) else scope


def _every_member_a_developer(answer: Answer) -> None:
    if answer.status == 200:
        answer.set_json({**answer.json(), "access_level": 30})


# Sentry ---------------------------------------------------------------------------------------


def _already_reported_as_created(answer: Answer) -> None:
    if answer.status == 208:
        answer.status = 201


def _short_version_dropped(answer: Answer) -> None:
    if answer.status == 200:
        releases = answer.json()
        for release in releases:
            del release["shortVersion"]
        answer.set_json(releases)


def _ids_as_strings(answer: Answer) -> None:
    if answer.status == 200:
        answer.set_json([{**item, "id": str(item["id"])} for item in answer.json()])


def _next_says_no_results(answer: Answer) -> None:
    link = answer.header("Link")
    if link is not None:
        answer.set_header("Link", re.sub(r'(rel="next"; results=)"true"', r'\1"false"', link))


def _hits_counted(answer: Answer) -> None:
    if answer.status == 200:
        answer.set_header("X-Hits", str(len(answer.json())))


def _missing_chunks_answered_ok(answer: Answer) -> None:
    if answer.status == 200 and answer.json().get("missingChunks"):
        answer.set_json({"state": "ok", "detail": None, "missingChunks": []})


def _package_dropped_from_short_version(answer: Answer) -> None:
    if answer.status == 200:
        release = answer.json()
        release["shortVersion"] = release["version"].rpartition("@")[2]
        answer.set_json(release)


def _project_slugs_ignored(scope: Scope) -> Scope:
    """The release list as if it read slugs: a ``project`` that is no number is dropped before the mock sees it."""
    return _with_query(scope, [(key, value) for key, value in _query(scope) if key != "project" or value.isdigit()])


def _server_error_at_max_per_page(answer: Answer) -> None:
    if ("per_page", "100") in _query(answer.request):
        answer.status = 500
        answer.set_json({"detail": "Internal Error"})


def _search_filters_dropped(scope: Scope) -> Scope:
    """The release list as if ``query`` were plain text only: a query with a ``key:value`` never reaches the mock."""
    return _with_query(scope, [(key, value) for key, value in _query(scope) if key != "query" or ":" not in value])


def _as_read(scope: Scope) -> Scope:
    return {**scope, "method": "GET"}


def _read_as_no_content(answer: Answer) -> None:
    if answer.status == 200:
        answer.status, answer.body = 204, b""
        answer.headers = [(key, value) for key, value in answer.headers if key.lower() != "content-type"]


# Chkk -----------------------------------------------------------------------------------------


def _problem_as_plain_json(answer: Answer) -> None:
    if (answer.header("content-type") or "").startswith("application/problem+json"):
        answer.set_header("content-type", "application/json")


def _request_id_dropped(answer: Answer) -> None:
    answer.headers = [(key, value) for key, value in answer.headers if key.lower() != "x-request-id"]


def _page_size_below_one_dropped(scope: Scope) -> Scope:
    pairs = _query(scope)
    kept = [(key, value) for key, value in pairs if not (key == "page_size" and _integer_below_one(value))]
    return _with_query(scope, kept) if len(kept) != len(pairs) else scope


def _integer_below_one(text: str) -> bool:
    try:
        return int(text) < 1
    except ValueError:
        return False


def _oldest_first(answer: Answer) -> None:
    if answer.status == 200:
        body = answer.json()
        body["data"] = body["data"][::-1]
        answer.set_json(body)


def _anonymous_as_all_projects_token(scope: Scope) -> Scope:
    if _has_header(scope, "Authorization"):
        return scope
    return _with_header(scope, "Authorization", f"Bearer {CHKK_ALL_PROJECTS}")


def _bytes_inverted(answer: Answer) -> None:
    if answer.status == 200:
        answer.body = bytes(byte ^ 0xFF for byte in answer.body)


GL_PACKAGE_FILE = "/projects/[^/]+/packages/generic/[^/]+/[^/]+/[^/]+"
GL_RELEASES = "/projects/[^/]+/releases"
GL_RELEASE = "/projects/[^/]+/releases/[^/]+"
GL_MILESTONES = "/projects/[^/]+/milestones"
GL_MEMBER_ALL = "/projects/[^/]+/members/all/[0-9]+"
SN_RELEASES = "/organizations/[^/]+/releases/"
SN_RELEASE = "/organizations/[^/]+/releases/[^/]+/"
SN_PROJECT_RELEASES = "/projects/[^/]+/[^/]+/releases/"
CK_RELEASES = "/projects/[^/]+/releases/"
CK_RELEASE = "/projects/[^/]+/releases/[^/]+/"

MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "gitlab-create-answers-200",
        "gitlab",
        "creating a release answers 200 instead of 201",
        (("POST /projects/{id}/releases", "status_code_conformance"),),
        route=Route("gitlab", "POST", GL_RELEASES),
        response=_created_answers_200,
    ),
    Mutant(
        "gitlab-total-pages-off-by-one",
        "gitlab",
        "the release list's X-Total-Pages is one more than X-Total and per_page make",
        (("GET /projects/{id}/releases", "pagination_headers_consistency"),),
        route=Route("gitlab", "GET", GL_RELEASES),
        response=_total_pages_plus_one,
    ),
    Mutant(
        "gitlab-totals-dropped",
        "gitlab",
        "the release list leaves out X-Total and X-Total-Pages, which GitLab omits only past 10,000 items",
        (("GET /projects/{id}/releases", "pagination_headers_consistency"),),
        route=Route("gitlab", "GET", GL_RELEASES),
        response=_totals_dropped,
    ),
    Mutant(
        "gitlab-cors-hides-pagination",
        "gitlab",
        "the release list exposes only Link to other origins, so a browser script cannot read X-Total and the rest",
        (("GET /projects/{id}/releases", "answers_carry_the_services_headers"),),
        route=Route("gitlab", "GET", GL_RELEASES),
        response=_only_link_exposed,
    ),
    Mutant(
        "gitlab-sort-ignored",
        "gitlab",
        "the release list ignores sort=asc: newest first whatever is asked",
        (("GET /projects/{id}/releases", "list_order_honours_sort"),),
        route=Route("gitlab", "GET", GL_RELEASES),
        request=_ascending_dropped,
    ),
    Mutant(
        "gitlab-update-not-saved",
        "gitlab",
        "updating a release answers with the change, but the release keeps its old fields",
        (("GET /projects/{id}/releases/{tag_name}", "update_is_visible"),),
        handlers={"updateRelease": _update_release_not_saved},
    ),
    Mutant(
        "gitlab-anonymous-update",
        "gitlab",
        "updating a release without a token is accepted, as if a maintainer had sent it",
        (
            ("PUT /projects/{id}/releases/{tag_name}", "auth_is_required"),
            ("PUT /projects/{id}/releases/{tag_name}", "ignored_auth"),
        ),
        route=Route("gitlab", "PUT", GL_RELEASE),
        request=_anonymous_as_gitlab_maintainer,
    ),
    Mutant(
        "gitlab-404-in-sentry-shape",
        "gitlab",
        'a missing release is a 404 {"detail": ...} (Sentry\'s error shape), not GitLab\'s {"message": ...}',
        (
            ("GET /projects/{id}/releases/{tag_name}", "error_bodies_have_the_api_shape"),
            ("GET /projects/{id}/releases/{tag_name}", "response_schema_conformance"),
        ),
        route=Route("gitlab", "GET", GL_RELEASE),
        response=_not_found_in_sentry_shape,
    ),
    Mutant(
        "gitlab-milestone-title-ignored",
        "gitlab",
        "the milestone list ignores title=: every milestone is listed, so release-it finds one that is not there",
        (("GET /projects/{id}/milestones", "milestone_filters_select_what_they_name"),),
        route=Route("gitlab", "GET", GL_MILESTONES),
        request=_title_dropped,
    ),
    Mutant(
        "gitlab-member-level-wrong",
        "gitlab",
        "a project member is answered at Developer level (30) whatever their role",
        (("GET /projects/{id}/members/all/{user_id}", "member_level_matches_project_access"),),
        route=Route("gitlab", "GET", GL_MEMBER_ALL),
        response=_every_member_a_developer,
    ),
    Mutant(
        "sentry-create-not-idempotent",
        "sentry",
        "creating a release that exists answers 201 instead of 208",
        (("POST /organizations/{organization_id_or_slug}/releases/", "sentry_create_is_idempotent"),),
        route=Route("sentry", "POST", SN_RELEASES),
        response=_already_reported_as_created,
    ),
    Mutant(
        "sentry-project-releases-without-short-version",
        "sentry",
        "the releases in a project's release list lack the required field shortVersion",
        (("GET /projects/{organization_id_or_slug}/{project_id_or_slug}/releases/", "response_schema_conformance"),),
        route=Route("sentry", "GET", SN_PROJECT_RELEASES),
        response=_short_version_dropped,
    ),
    Mutant(
        "sentry-release-id-as-string",
        "sentry",
        'the organization\'s release list gives each id as a string ("42"), not an integer',
        (("GET /organizations/{organization_id_or_slug}/releases/", "response_schema_conformance"),),
        route=Route("sentry", "GET", SN_RELEASES),
        response=_ids_as_strings,
    ),
    Mutant(
        "sentry-next-says-no-results",
        "sentry",
        'the release list\'s Link rel="next" always says results="false", even when a page follows',
        (("GET /organizations/{organization_id_or_slug}/releases/", "pagination_headers_consistency"),),
        route=Route("sentry", "GET", SN_RELEASES),
        response=_next_says_no_results,
    ),
    Mutant(
        "sentry-release-list-counts-hits",
        "sentry",
        "the organization's release list sends X-Hits, which Sentry's offset paginator never counts",
        (("GET /organizations/{organization_id_or_slug}/releases/", "release_lists_page_by_number"),),
        route=Route("sentry", "GET", SN_RELEASES),
        response=_hits_counted,
    ),
    Mutant(
        "sentry-short-version-without-package",
        "sentry",
        "a release's shortVersion drops its package (1.2.3 for pkg@1.2.3) instead of repeating the version",
        (("GET /organizations/{organization_id_or_slug}/releases/{version}/", "short_version_is_the_version"),),
        route=Route("sentry", "GET", SN_RELEASE),
        response=_package_dropped_from_short_version,
    ),
    Mutant(
        "sentry-assemble-ok-with-missing-chunks",
        "sentry",
        "an artifact bundle assemble answers ok while chunks it names were never uploaded",
        (("POST /organizations/{organization_id_or_slug}/artifactbundle/assemble/", "assemble_waits_for_every_chunk"),),
        route=Route("sentry", "POST", "/organizations/[^/]+/artifactbundle/assemble/"),
        response=_missing_chunks_answered_ok,
    ),
    Mutant(
        "sentry-project-filter-ignores-slugs",
        "sentry",
        "the organization's release list answers ?project=<slug> as if unfiltered, not 400",
        (("GET /organizations/{organization_id_or_slug}/releases/", "project_filter_takes_numeric_ids"),),
        route=Route("sentry", "GET", SN_RELEASES),
        request=_project_slugs_ignored,
    ),
    Mutant(
        "sentry-commits-500-at-max-per-page",
        "sentry",
        "a release's commit list answers 500 to per_page=100, the largest page the spec allows",
        (("GET /organizations/{organization_id_or_slug}/releases/{version}/commits/", "not_a_server_error"),),
        route=Route("sentry", "GET", SN_RELEASE + "commits/"),
        response=_server_error_at_max_per_page,
    ),
    Mutant(
        "sentry-delete-keeps-release",
        "sentry",
        "deleting a release answers 204 and deletes nothing",
        (("GET /organizations/{organization_id_or_slug}/releases/{version}/", "deleted_release_is_gone"),),
        route=Route("sentry", "DELETE", SN_RELEASE),
        request=_as_read,
        response=_read_as_no_content,
    ),
    Mutant(
        "sentry-project-create-not-idempotent",
        "sentry",
        "the project's create answers 201 for a release the project already has, instead of 208",
        (
            (
                "POST /projects/{organization_id_or_slug}/{project_id_or_slug}/releases/",
                "project_create_reports_new_links",
            ),
        ),
        route=Route("sentry", "POST", SN_PROJECT_RELEASES),
        response=_already_reported_as_created,
    ),
    Mutant(
        "sentry-search-keys-ignored",
        "sentry",
        "the organization's release list ignores a query with search keys: no 400 for an unknown key, no filter",
        (("GET /organizations/{organization_id_or_slug}/releases/", "release_search_reads_keys"),),
        route=Route("sentry", "GET", SN_RELEASES),
        request=_search_filters_dropped,
    ),
    Mutant(
        "chkk-problem-as-plain-json",
        "chkk",
        "a missing release's problem document is served as application/json, not application/problem+json",
        (
            ("GET /projects/{project}/releases/{release}/", "error_bodies_have_the_api_shape"),
            ("GET /projects/{project}/releases/{release}/", "content_type_conformance"),
        ),
        route=Route("chkk", "GET", CK_RELEASE),
        response=_problem_as_plain_json,
    ),
    Mutant(
        "chkk-page-size-zero-accepted",
        "chkk",
        "a page_size below the minimum of 1 is ignored: 200 with the default page instead of 400",
        (
            ("GET /projects/{project}/releases/", "error_bodies_have_the_api_shape"),
            ("GET /projects/{project}/releases/", "negative_data_rejection"),
        ),
        route=Route("chkk", "GET", CK_RELEASES),
        request=_page_size_below_one_dropped,
    ),
    Mutant(
        "chkk-request-id-dropped",
        "chkk",
        "the release list answers without an X-Request-Id",
        (("GET /projects/{project}/releases/", "answers_carry_the_services_headers"),),
        route=Route("chkk", "GET", CK_RELEASES),
        response=_request_id_dropped,
    ),
    Mutant(
        "chkk-oldest-first",
        "chkk",
        "each page of the release list comes oldest first instead of newest first",
        (("GET /projects/{project}/releases/", "list_order_honours_sort"),),
        route=Route("chkk", "GET", CK_RELEASES),
        response=_oldest_first,
    ),
    Mutant(
        "chkk-anonymous-get",
        "chkk",
        "a release is answered without a bearer token, as if the all-projects token had been sent",
        (
            ("GET /projects/{project}/releases/{release}/", "auth_is_required"),
            ("GET /projects/{project}/releases/{release}/", "ignored_auth"),
        ),
        route=Route("chkk", "GET", CK_RELEASE),
        request=_anonymous_as_all_projects_token,
    ),
    Mutant(
        "gitlab-package-file-other-bytes",
        "gitlab",
        "a generic package file downloads as other bytes (each one inverted) than were published",
        (
            (
                "GET /projects/{id}/packages/generic/{package_name}/{package_version}/{file_name}",
                "uploaded_files_come_back",
            ),
        ),
        route=Route("gitlab", "GET", GL_PACKAGE_FILE),
        response=_bytes_inverted,
    ),
)

BY_ID = {mutant.id: mutant for mutant in MUTANTS}


# -- one contract run --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Failure:
    operation: str
    check: str
    message: str
    """The first line of the first failure of this (operation, check)."""


@dataclasses.dataclass(frozen=True)
class Outcome:
    api: str
    mutant: str | None
    exit_code: int
    failures: tuple[Failure, ...]
    console: str
    seconds: float

    @property
    def caught(self) -> set[tuple[str, str]]:
        return {(failure.operation, failure.check) for failure in self.failures}


# Loggers the server writes to for every oddly formed request a fuzzer sends (as contracts.target quiets them).


def run_contract(api: str, mutant_id: str | None, junit: pathlib.Path) -> Outcome:
    """Serve the mutant (or, with ``mutant_id=None``, the unmodified mock) and run the API's contract suite on it."""
    started = time.monotonic()
    app = BY_ID[mutant_id].build() if mutant_id is not None else mock_app(api)
    console = io.StringIO()
    server = BackgroundServer(app)  # configures uvicorn's loggers, so before they are quieted
    with quiet_loggers(NOISY_LOGGERS), server, contextlib.redirect_stdout(console):
        # The mock's token, given, so that a token in the environment (GITLAB_TOKEN, ...) plays no part.
        argv = [api, "--base-url", server.url, "--token", PROFILES[api].default_token]
        argv += ["--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES), "--junit", str(junit)]
        if mutant_id is not None:
            # A mutant is run through the parts holding the checks that must catch it; the unmodified
            # mock, through every part (each must pass).
            argv += [f"--part={part}" for part in BY_ID[mutant_id].parts]
        exit_code = cli.main(argv)
    return Outcome(api, mutant_id, exit_code, read_junit(junit), console.getvalue(), time.monotonic() - started)


def read_junit(path: pathlib.Path) -> tuple[Failure, ...]:
    """The failed (operation, check) testcases of a contract run's JUnit file, in file order."""
    failures = []
    for suite in ET.parse(path).getroot().iter("testsuite"):
        for case in suite.iter("testcase"):
            failure = case.find("failure")
            if failure is None:
                continue
            prefix = f"{suite.get('name')}."
            classname = case.get("classname", "")
            operation = classname[len(prefix) :] if classname.startswith(prefix) else classname
            failures.append(Failure(operation, case.get("name", ""), failure.get("message", "")))
    return tuple(failures)


# -- the report --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Row:
    mutant: Mutant | None
    """None for a run on the unmodified mock."""
    outcome: Outcome


REPORT: pytest.StashKey[list[Row]] = pytest.StashKey()
"""Where the tests leave their runs, for ``conftest.py`` to print at the end of the session."""


def report_lines(rows: t.Sequence[Row]) -> list[str]:
    """Per run: the verdict, and the checks that failed grouped by operation; ``*`` marks the expected ones."""
    lines = []
    for row in rows:
        outcome = row.outcome
        if row.mutant is None:
            verdict = "passed" if outcome.exit_code == 0 and not outcome.failures else "FAILED"
            lines.append(f"unmodified {outcome.api} mock -> {verdict} ({outcome.seconds:.1f} s)")
        else:
            missed = [pair for pair in row.mutant.expected if pair not in outcome.caught]
            verdict = (
                "SLIPPED THROUGH" if outcome.exit_code == 0 else "caught" if not missed else "caught, not as expected"
            )
            lines.append(f"{row.mutant.id} ({row.mutant.api}): {row.mutant.departure}")
            lines.append(f"    -> {verdict} ({outcome.seconds:.1f} s)")
        expected = set(row.mutant.expected) if row.mutant is not None else set()
        by_operation: dict[str, list[str]] = {}
        for failure in outcome.failures:
            mark = "*" if (failure.operation, failure.check) in expected else ""
            by_operation.setdefault(failure.operation, []).append(failure.check + mark)
        for operation, checks in by_operation.items():
            lines.append(f"       {operation}: {', '.join(sorted(set(checks)))}")
    return lines
