"""The request journal: what each entry holds (tokens redacted), filters, newest first, its bound, its clock."""

from __future__ import annotations

import datetime as dt
import pathlib
import typing as t

import httpx
import pytest

from mockserver import MockApp, Settings, create_app
from mockserver.app import MIDDLEWARE
from mockserver.dispatch import ErrorMiddleware
from mockserver.journal import REDACTED, JournalMiddleware
from mockserver.routing import RoutingMiddleware
from mockserver.serving import BackgroundServer
from tests.test_plans import probe_plugin, probe_settings

MAINTAINER = "glpat-maintainer-000000000001"
SENTRY = "sntrys-mock-admin-00000000000000001"
RELEASES = "/api/v4/projects/24/releases"


@pytest.fixture(autouse=True)
def empty_journal(app: MockApp) -> None:
    app.journal.clear()


def test_the_journal_sits_outside_error_handling_and_routing() -> None:
    layers = [record.cls for record in MIDDLEWARE]
    assert layers.index(JournalMiddleware) < layers.index(ErrorMiddleware) < layers.index(RoutingMiddleware)


def test_a_method_a_path_does_not_serve_is_recorded_with_the_answer_the_client_got(
    http: httpx.Client, app: MockApp
) -> None:
    # GitLab's catch-all 404, raised by routing itself: the journal sees what the client saw.
    assert http.delete("/api/v4/user", headers={"PRIVATE-TOKEN": MAINTAINER}).status_code == 404
    # Sentry's 405 with Allow.
    assert http.put("/api/0/organizations/my-org/releases/").status_code == 405
    statuses = [
        (entry["api"], entry["request"]["method"], entry["response"]["status"]) for entry in app.journal.entries()
    ]
    assert statuses == [("sentry", "PUT", 405), ("gitlab", "DELETE", 404)]


def test_pages_for_people_are_not_recorded(http: httpx.Client, app: MockApp) -> None:
    for page in ("/", "/api/v4/ui/", "/api/v4/openapi.json", "/chkk/ui/index.css"):
        http.get(page)
    assert app.journal.entries() == []


def test_an_entry_holds_the_request_its_status_api_operation_and_time(http: httpx.Client, app: MockApp) -> None:
    app.clock.freeze(dt.datetime(2031, 2, 3, 4, 5, 6, tzinfo=dt.UTC))
    http.get(f"{RELEASES}?per_page=2&page=1", headers={"PRIVATE-TOKEN": MAINTAINER, "X-Trace": "t-1"})
    (entry,) = http.get("/__admin/requests").json()
    assert entry["time"] == "2031-02-03T04:05:06.000Z"
    assert entry["api"] == "gitlab"
    assert entry["operation"] == "listReleases"
    assert entry["response"] == {"status": 200}
    request = entry["request"]
    assert (request["method"], request["path"], request["query"]) == ("GET", RELEASES, "per_page=2&page=1")
    assert request["headers"]["x-trace"] == "t-1"


@pytest.mark.parametrize(
    "header",
    ["PRIVATE-TOKEN", "JOB-TOKEN", "Authorization", "Cookie", "X-Gitlab-Token", "Proxy-Authorization"],
)
def test_token_headers_are_redacted(http: httpx.Client, app: MockApp, header: str) -> None:
    http.get(RELEASES, headers={header: "secret-value-123"})
    (entry,) = app.journal.entries()
    assert entry["request"]["headers"][header.lower()] == REDACTED
    assert "secret-value-123" not in str(http.get("/__admin/requests").json())


def test_errors_are_recorded_with_the_status_the_client_got(http: httpx.Client, app: MockApp) -> None:
    http.get(f"{RELEASES}/no-such-tag", headers={"PRIVATE-TOKEN": MAINTAINER})  # the handler's NotFound
    http.get(RELEASES, params={"per_page": "many"}, headers={"PRIVATE-TOKEN": MAINTAINER})  # a validation error
    http.get("/api/v4/no/such/path")  # no operation
    http.get("/nowhere")  # no API
    statuses = [(entry["api"], entry["operation"], entry["response"]["status"]) for entry in app.journal.entries()]
    assert statuses == [
        (None, None, 404),
        ("gitlab", None, 404),
        ("gitlab", "listReleases", 400),
        ("gitlab", "getRelease", 404),
    ]


def test_an_operation_without_an_id_is_named_by_method_and_path(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(probe_settings(tmp_path, monkeypatch, probe_plugin({})))
    with BackgroundServer(app) as server:
        httpx.get(f"{server.url}/probe/defaulted", timeout=10)
        httpx.get(f"{server.url}/probe/ranged", timeout=10)
    assert [entry["operation"] for entry in app.journal.entries(api="probe")] == [
        "answerFromRange",
        "GET /defaulted",
    ]


def test_entries_are_newest_first_and_filtered(http: httpx.Client, app: MockApp) -> None:
    http.get(RELEASES, headers={"PRIVATE-TOKEN": MAINTAINER})
    http.post(RELEASES, headers={"PRIVATE-TOKEN": MAINTAINER}, json={"tag_name": "v7.0", "ref": "main"})
    http.get("/api/0/organizations/my-org/releases/", headers={"Authorization": f"Bearer {SENTRY}"})
    http.get(f"{RELEASES}/v7.0", headers={"PRIVATE-TOKEN": MAINTAINER})

    def listed(**query: t.Any) -> list[tuple[str, str]]:
        answer = http.get("/__admin/requests", params=query)
        assert answer.status_code == 200
        return [(entry["request"]["method"], entry["request"]["path"]) for entry in answer.json()]

    assert listed() == [
        ("GET", f"{RELEASES}/v7.0"),
        ("GET", "/api/0/organizations/my-org/releases/"),
        ("POST", RELEASES),
        ("GET", RELEASES),
    ]
    assert listed(api="sentry") == [("GET", "/api/0/organizations/my-org/releases/")]
    assert listed(method="post") == [("POST", RELEASES)]
    assert listed(status=201) == [("POST", RELEASES)]
    assert listed(path=f"{RELEASES}/") == [("GET", f"{RELEASES}/v7.0")]
    assert listed(api="gitlab", method="GET") == [("GET", f"{RELEASES}/v7.0"), ("GET", RELEASES)]
    assert listed(limit=1) == [("GET", f"{RELEASES}/v7.0")]
    assert listed(api="chkk") == []
    assert app.journal.entries(api="gitlab", status=201, limit=5)[0]["operation"] == "createRelease"


@pytest.mark.parametrize("query", [{"status": "ok"}, {"limit": "0"}, {"status": "42"}])
def test_bad_filters_are_refused_in_the_admin_shape(http: httpx.Client, query: dict[str, str]) -> None:
    answer = http.get("/__admin/requests", params=query)
    assert answer.status_code == 400
    assert answer.json()["problems"][0]["where"].startswith("query ")


def test_admin_requests_are_not_recorded(http: httpx.Client, app: MockApp) -> None:
    http.get("/__admin/health")
    http.get("/__admin/requests")
    http.get("/__admin/nope")
    assert app.journal.entries() == []


def test_clearing_empties_it(http: httpx.Client, app: MockApp) -> None:
    http.get(RELEASES)
    assert len(app.journal) == 1
    assert http.delete("/__admin/requests").status_code == 204
    assert http.get("/__admin/requests").json() == []


def test_the_journal_keeps_only_the_latest_requests() -> None:
    app = create_app(Settings(apis=("gitlab",), journal_size=5))
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        for page in range(1, 21):
            client.get(RELEASES, params={"page": page})
        entries = client.get("/__admin/requests").json()
    assert app.journal.capacity == 5
    assert [entry["request"]["query"] for entry in entries] == [f"page={page}" for page in range(20, 15, -1)]


def test_a_journal_of_size_zero_records_nothing() -> None:
    app = create_app(Settings(apis=("gitlab",), journal_size=0))
    with BackgroundServer(app) as server:
        httpx.get(f"{server.url}{RELEASES}", timeout=10)
    assert app.journal.entries() == []


def test_each_app_has_its_own_journal() -> None:
    first, second = create_app(Settings(apis=("chkk",))), create_app(Settings(apis=("chkk",)))
    with BackgroundServer(first) as server:
        httpx.get(f"{server.url}/chkk/projects/x/releases/", timeout=10)
    assert len(first.journal) == 1 and len(second.journal) == 0


@pytest.mark.parametrize("size", ["-1", "many"])
def test_a_bad_journal_size_is_a_settings_error(size: str) -> None:
    from mockserver.settings import SettingsError

    with pytest.raises(SettingsError, match="JOURNAL_SIZE"):
        Settings.from_env({"RELEASE_MOCK_JOURNAL_SIZE": size})
