"""Routing: a path routed before is answered from the memo exactly as Connexion's router answers it."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import pathlib
import typing as t

import httpx
import pytest

from mockserver import MockApp, Settings, create_app
from mockserver.app import MIDDLEWARE
from mockserver.middleware import Middleware
from mockserver.routing import RoutingMiddleware
from mockserver.serving import BackgroundServer
from tests.conftest import MAINTAINER
from tests.test_openapi31 import SPEC, things_plugin

SENTRY = "sntrys-mock-admin-00000000000000001"
MOMENT = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)

# Each request twice in a row: the second of a routed path comes from the memo.
REQUESTS = [
    ("GET", "/api/v4/projects/24/releases/v0.1"),
    ("GET", "/api/v4/projects/24/releases/v0.2"),
    ("GET", "/api/v4/projects/root%2Fawesome-app/releases/v0.2"),
    ("GET", "/api/v4/projects/25/releases/release%2F2.0"),
    ("HEAD", "/api/v4/projects/24/releases/v0.1"),
    # The same path with another method: another operation, or none.
    ("DELETE", "/api/v4/projects/24/releases/v0.1"),
    ("PATCH", "/api/v4/projects/24/releases/v0.1"),
    ("GET", "/api/v4/projects/24/releases/v0.1"),
    ("GET", "/api/v4/projects/24/releases/v0.1/assets/links/1"),
    ("GET", "/api/v4/projects/24/releases/v0.2/assets/links/1"),
    ("GET", "/api/v4/projects/24/releases/permalink/latest"),
    ("GET", "/api/v4/projects/24/releases?per_page=1&page=2"),
    ("GET", "/api/v4/projects/99999999999999999999999/releases"),
    ("GET", "/api/v4/no/such/route"),
    ("GET", "/api/v4/projects/24/releases/"),
    ("GET", "/api/0/organizations/acme/releases/"),
    ("PUT", "/api/0/organizations/acme/releases/"),
    ("GET", "/api/0/organizations/acme/releases"),
    ("GET", "/__admin/health"),
]

PER_REQUEST = {"date", "x-request-id", "x-gitlab-meta", "x-runtime"}
"""Headers that differ from one answer to the next by design (GitLab's request ids and timing)."""


def _without_memo() -> tuple[Middleware, ...]:
    return tuple(
        Middleware(RoutingMiddleware, memo_size=0) if record.cls is RoutingMiddleware else record
        for record in MIDDLEWARE
    )


def _answers(app: MockApp) -> list[tuple[t.Any, ...]]:
    # One host for both apps, so the URLs in bodies and links do not differ by port.
    headers = {"PRIVATE-TOKEN": MAINTAINER, "Authorization": f"Bearer {SENTRY}", "Host": "mock.test"}
    answers = []
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, headers=headers) as client:
        for method, path in REQUESTS:
            for _ in range(2):
                response = client.request(method, path)
                kept = sorted((name, value) for name, value in response.headers.items() if name not in PER_REQUEST)
                answers.append((method, path, response.status_code, kept, response.content))
    return answers


@pytest.fixture(scope="module")
def unmemoized() -> list[tuple[t.Any, ...]]:
    app = create_app(Settings(), middleware=_without_memo())
    app.clock.freeze(MOMENT)
    return _answers(app)


def test_answers_are_those_of_the_router_alone(unmemoized: list[tuple[t.Any, ...]]) -> None:
    app = create_app(Settings())
    app.clock.freeze(MOMENT)
    memoized = _answers(app)
    assert [answer[:3] for answer in memoized] == [answer[:3] for answer in unmemoized]
    assert memoized == unmemoized
    # Not vacuous: reads of releases and the routing's own refusals are all there.
    assert {answer[2] for answer in memoized} >= {200, 302, 404, 405}


def test_the_journal_names_the_operation_of_a_memoized_route(http: httpx.Client, app: MockApp) -> None:
    app.journal.clear()
    for _ in range(2):
        assert http.get("/api/v4/projects/24/releases/v0.1", headers={"PRIVATE-TOKEN": MAINTAINER}).status_code == 200
    assert [entry["operation"] for entry in app.journal.entries()] == ["getRelease", "getRelease"]


def test_the_memo_is_bounded() -> None:
    app = create_app(Settings(), middleware=_with_routing(Middleware(RoutingMiddleware, memo_size=2)))
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url) as client:
        tags = ["v0.1", "v0.2", "v0.1", "v9.9"]
        statuses = [client.get(f"/api/v4/projects/24/releases/{tag}").status_code for tag in tags]
    assert statuses == [200, 200, 200, 404]
    memo = _routing_layer(app)._memo
    assert len(memo) == 2


def _with_routing(record: Middleware) -> tuple[Middleware, ...]:
    return tuple(record if existing.cls is RoutingMiddleware else existing for existing in MIDDLEWARE)


def _routing_layer(app: MockApp) -> RoutingMiddleware:
    layers = app._asgi.middleware_stack
    return next(layer for layer in layers if isinstance(layer, RoutingMiddleware))


def test_integer_segments_are_typed_per_api(tmp_path: pathlib.Path) -> None:
    """One spec served twice in one process: Starlette's ``int`` convertor is process-wide, yet only the
    API with OpenAPI's semantics routes by it; the Grape API routes any segment and checks its type."""
    plugin, settings = things_plugin(copy.deepcopy(SPEC), tmp_path)
    grape = dataclasses.replace(plugin, name="grape_things", default_mount="/g", parameters="grape")
    app = create_app(dataclasses.replace(settings, apis=("things", "grape_things")), plugins=[plugin, grape])
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, headers={"X-Trace": "test"}) as client:
        for mount in ("/t", "/g"):
            for _ in range(2):  # the second from the routing memo
                assert client.get(f"{mount}/things/7").json() == {"id": 7}
                assert client.get(f"{mount}/things/+7").json() == {"id": 7}
        assert client.get("/t/things/seven").status_code == 404
        refused = client.get("/g/things/seven")
        assert refused.status_code == 400
        assert refused.json() | {"message": None} == {
            "type": "InvalidParameter",
            "message": None,
            "location": "path",
            "name": "thing_id",
            "reason": "invalid",
        }
