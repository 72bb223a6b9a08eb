"""What every answer carries on the wire, as each real service sends it: request ids, security headers,
ETags, ``HEAD``, ``OPTIONS`` and CORS, over real HTTP (and CORS in a real Chromium, from another origin)."""

from __future__ import annotations

import http.server
import re
import threading
import typing as t

import httpx
import pytest

from mockserver import Settings, create_app, wire_headers
from mockserver.serving import BackgroundServer
from tests.conftest import MAINTAINER
from tests.test_ui_browser import browser, page  # noqa: F401  (the Chromium fixtures)

if t.TYPE_CHECKING:
    from playwright.sync_api import Page

SENTRY_TOKEN = "sntrys-mock-releases-0000000000000001"
CHKK_TOKEN = "chkk-all-projects-token-0001"
ISTIO = "proj_a858f4d4-6e5b-4ab5-8d92-e9715b584ec1"
ORIGIN = "http://app.example.test"


class Api(t.NamedTuple):
    name: str
    list_path: str
    one_path: str
    auth: dict[str, str]
    security: dict[str, str]


GITLAB = Api(
    "gitlab",
    "/api/v4/projects/24/releases",
    "/api/v4/projects/24/releases/v0.1",
    {"PRIVATE-TOKEN": MAINTAINER},
    {
        "x-frame-options": "SAMEORIGIN",
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'",
    },
)
SENTRY = Api(
    "sentry",
    "/api/0/organizations/my-org/releases/",
    "/api/0/organizations/my-org/releases/frontend@1.0.0/",
    {"Authorization": f"Bearer {SENTRY_TOKEN}"},
    {"x-frame-options": "deny", "x-content-type-options": "nosniff", "x-xss-protection": "1; mode=block"},
)
CHKK = Api(
    "chkk",
    f"/chkk/projects/{ISTIO}/releases/",
    f"/chkk/projects/{ISTIO}/releases/1.5.12/",
    {"Authorization": f"Bearer {CHKK_TOKEN}"},
    {"x-content-type-options": "nosniff"},
)
APIS = [pytest.param(api, id=api.name) for api in (GITLAB, SENTRY, CHKK)]
# What differs from one answer to the next by nature: the moment, and the per-request ids and timing.
PER_REQUEST = {"date", "x-request-id", "x-gitlab-meta", "x-runtime"}


def comparable(response: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name not in PER_REQUEST}


# -- HEAD ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("which", ["list", "one"])
def test_head_is_get_without_its_body(http: httpx.Client, api: Api, which: str) -> None:
    path = api.list_path if which == "list" else api.one_path
    got = http.get(path, headers=api.auth)
    head = http.head(path, headers=api.auth)
    assert got.status_code == head.status_code == 200, got.text
    assert head.content == b"" and got.content
    assert comparable(head) == comparable(got)
    assert head.headers["content-length"] == str(len(got.content))


# -- security headers and request ids -----------------------------------------------------------------------


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("outcome", ["ok", "unauthenticated", "unknown"])
def test_every_answer_carries_the_services_security_headers(http: httpx.Client, api: Api, outcome: str) -> None:
    if outcome == "ok":
        response = http.get(api.one_path, headers=api.auth)
    elif outcome == "unauthenticated":
        response = http.get(api.one_path, headers={"Authorization": "Bearer nope", "PRIVATE-TOKEN": "nope"})
    else:
        response = http.get(api.one_path + "nothing/here", headers=api.auth)
    assert response.status_code == {"ok": 200, "unauthenticated": 401, "unknown": 404}[outcome], response.text
    assert {name: response.headers.get(name) for name in api.security} == api.security


@pytest.mark.parametrize("api", [pytest.param(GITLAB, id="gitlab"), pytest.param(CHKK, id="chkk")])
def test_each_answer_has_a_request_id_of_its_own(http: httpx.Client, api: Api) -> None:
    ids = [http.get(api.list_path, headers=api.auth).headers["x-request-id"] for _ in range(5)]
    ids.append(http.get(api.one_path + "nothing", headers=api.auth).headers["x-request-id"])
    assert len(set(ids)) == len(ids)


def test_gitlab_ids_are_correlation_ids_repeated_in_its_meta_header(gitlab: httpx.Client) -> None:
    response = gitlab.get("/projects/24/releases", headers={"X-Request-Id": "mine-1"})
    request_id = response.headers["x-request-id"]
    # Workhorse makes its own (a ULID) and, by default, does not take the client's.
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", request_id), request_id
    assert response.headers["x-gitlab-meta"] == f'{{"correlation_id":"{request_id}","version":"1"}}'
    assert float(response.headers["x-runtime"]) >= 0


def test_a_ulid_is_the_time_then_randomness_in_crockford_base32(monkeypatch: pytest.MonkeyPatch) -> None:
    millis, randoms = 0x0180_2B3C_4D5E, 0x1234_5678_9ABC_DEF0_1357
    monkeypatch.setattr(wire_headers.time, "time_ns", lambda: millis * 1_000_000 + 999_999)
    value = (millis << 80) | randoms
    expected = "".join(wire_headers.CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))
    assert wire_headers.new_ulid(randoms) == expected
    assert expected[:10] == "01G0NKRKAY"  # the milliseconds alone, as any ULID library writes them


def test_chkk_keeps_a_clients_plain_request_id_and_replaces_another(http: httpx.Client) -> None:
    kept = http.get(CHKK.list_path, headers={**CHKK.auth, "X-Request-Id": "ci-job-42"})
    assert kept.headers["x-request-id"] == "ci-job-42"
    replaced = http.get(CHKK.list_path, headers={**CHKK.auth, "X-Request-Id": "two words"})
    assert replaced.headers["x-request-id"] != "two words"


def test_sentry_sends_no_request_id(http: httpx.Client) -> None:
    assert "x-request-id" not in http.get(SENTRY.list_path, headers=SENTRY.auth).headers


# -- GitLab's ETag and Cache-Control (Rack) -----------------------------------------------------------------


def test_gitlab_etag_follows_the_content(gitlab: httpx.Client) -> None:
    first, again = gitlab.get("/projects/24/releases/v0.1"), gitlab.get("/projects/24/releases/v0.1")
    assert first.headers["etag"] == again.headers["etag"] and first.headers["etag"].startswith('W/"')
    assert first.headers["cache-control"] == "max-age=0, private, must-revalidate"
    changed = gitlab.put("/projects/24/releases/v0.1", json={"description": "changed"})
    assert changed.status_code == 200, changed.text
    assert gitlab.get("/projects/24/releases/v0.1").headers["etag"] not in (first.headers["etag"],)
    missing = gitlab.get("/projects/24/releases/v9.9.9")
    assert missing.status_code == 404 and "etag" not in missing.headers
    assert missing.headers["cache-control"] == "no-cache"


def test_gitlab_answers_a_conditional_get_of_unchanged_content_with_304(gitlab: httpx.Client) -> None:
    etag = gitlab.get("/projects/24/releases").headers["etag"]
    unchanged = gitlab.get("/projects/24/releases", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["etag"] == etag and "x-request-id" in unchanged.headers
    assert gitlab.get("/projects/24/releases", headers={"If-None-Match": 'W/"other"'}).status_code == 200


# -- OPTIONS and CORS ----------------------------------------------------------------------------------------


def test_gitlab_preflight_is_answered_before_grape_for_any_api_path(http: httpx.Client) -> None:
    for path in (GITLAB.list_path, "/api/v4/projects/24/not-a-route"):
        response = http.options(
            path,
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "private-token, content-type",
            },
        )
        assert response.status_code == 200 and response.content == b""
        assert response.headers["access-control-allow-origin"] == "*"
        assert "POST" in response.headers["access-control-allow-methods"].split(", ")
        assert response.headers["access-control-allow-headers"] == "private-token, content-type"
        assert response.headers["access-control-max-age"] == "7200"
        assert "x-frame-options" not in response.headers  # Grape's filter never ran


def test_gitlab_bare_options_is_still_grapes_204(http: httpx.Client) -> None:
    response = http.options(GITLAB.list_path, headers={"Origin": ORIGIN})
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, HEAD, OPTIONS, POST"


def test_gitlab_exposes_its_pagination_headers_only_to_requests_with_an_origin(http: httpx.Client) -> None:
    plain = http.get(GITLAB.list_path, headers=GITLAB.auth)
    assert "access-control-allow-origin" not in plain.headers and plain.headers["vary"] == "Origin"
    cross = http.get(GITLAB.list_path, headers={**GITLAB.auth, "Origin": ORIGIN})
    assert cross.headers["access-control-allow-origin"] == "*"
    exposed = cross.headers["access-control-expose-headers"].split(", ")
    assert {"Link", "X-Total", "X-Total-Pages", "X-Per-Page", "X-Page", "X-Next-Page", "X-Prev-Page"} <= set(exposed)
    # Errors too: rack-cors is in front of everything under /api/.
    denied = http.get(GITLAB.list_path, headers={"Origin": ORIGIN, "PRIVATE-TOKEN": "nope"})
    assert denied.status_code == 401 and denied.headers["access-control-allow-origin"] == "*"


def test_sentry_answers_options_on_an_endpoint_before_authentication(http: httpx.Client) -> None:
    response = http.options(SENTRY.list_path)
    assert response.status_code == 200 and response.content == b""
    assert response.headers["allow"] == "GET, POST, HEAD, OPTIONS"
    assert response.headers["access-control-allow-methods"] == "GET, POST, HEAD, OPTIONS"
    assert response.headers["access-control-max-age"] == "3600"
    assert http.options("/api/0/organizations/my-org/nothing/").status_code == 404


def test_sentry_cors_headers_are_on_every_endpoint_answer(http: httpx.Client) -> None:
    ok = http.get(SENTRY.one_path, headers={**SENTRY.auth, "Origin": ORIGIN})
    assert ok.headers["access-control-allow-origin"] == ORIGIN
    assert ok.headers["allow"] == "GET, PUT, DELETE, HEAD, OPTIONS"
    assert "Link" in ok.headers["access-control-expose-headers"].split(", ")
    assert "access-control-max-age" not in ok.headers
    anonymous = http.get(SENTRY.list_path)
    assert anonymous.status_code == 401 and anonymous.headers["access-control-allow-origin"] == "*"
    refused = http.patch(SENTRY.list_path, headers=SENTRY.auth)
    assert refused.status_code == 405 and refused.json() == {"detail": 'Method "PATCH" not allowed.'}
    assert refused.headers["allow"] == "GET, POST, HEAD, OPTIONS"
    # A URL no endpoint serves is Django's 404: no endpoint, no CORS headers.
    assert "allow" not in http.get("/api/0/organizations/my-org/nothing/").headers


def test_chkk_answers_carry_no_cors_headers(http: httpx.Client) -> None:
    response = http.get(CHKK.list_path, headers={**CHKK.auth, "Origin": ORIGIN})
    assert not [name for name in response.headers if name.startswith("access-control-")]


def test_the_mocks_own_pages_carry_no_vendor_headers(http: httpx.Client) -> None:
    document = http.get("/api/v4/openapi.json")
    assert document.status_code == 200 and "x-gitlab-meta" not in document.headers


def test_the_admin_api_keeps_its_own_headers_under_an_api_mounted_at_the_root() -> None:
    app = create_app(Settings(apis=("gitlab",), mounts={"gitlab": "/"}))
    with BackgroundServer(app) as running, httpx.Client(base_url=running.url, timeout=10) as client:
        assert "x-gitlab-meta" in client.get("/projects/24/releases").headers
        assert "x-gitlab-meta" not in client.get("/__admin/journal").headers


# -- a browser on another origin ----------------------------------------------------------------------------


class _BlankPage(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        body = b"<!doctype html><title>another origin</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: t.Any) -> None:
        pass


@pytest.fixture(scope="module")
def other_origin() -> t.Iterator[str]:
    """A page served from another port of this machine: another origin for the browser."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BlankPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


FETCH = """async ([url, headers, names]) => {
    const response = await fetch(url, {headers});
    return [response.status, names.map(name => response.headers.get(name))];
}"""


@pytest.mark.parametrize(
    ("api", "readable"),
    [
        pytest.param(GITLAB, ["X-Total", "X-Total-Pages", "X-Page", "Link"], id="gitlab"),
        pytest.param(SENTRY, ["Link"], id="sentry"),
    ],
)
def test_a_browser_on_another_origin_reads_the_pagination_headers(
    page: Page,  # noqa: F811
    server: BackgroundServer,
    other_origin: str,
    api: Api,
    readable: list[str],
) -> None:
    page.goto(other_origin + "/")
    # The token header makes it a non-simple request: Chromium sends a preflight first.
    status, values = page.evaluate(FETCH, [server.url + api.list_path, api.auth, [*readable, "X-Frame-Options"]])
    assert status == 200
    assert all(values[:-1]), dict(zip(readable, values[:-1], strict=True))
    # A header the service does not expose stays hidden from the script, though it is on the answer.
    assert values[-1] is None
