"""The error dispatcher: a status Starlette or Connexion raises keeps its status and the owning API's shape."""

from __future__ import annotations

import dataclasses
import typing as t

import httpx
import pytest
from connexion.exceptions import NonConformingResponseBody, ProblemException
from starlette.exceptions import HTTPException

from mockserver import MockApp, Settings, create_app
from mockserver.dispatch import as_mock_error
from mockserver.errors import MockError, StatusError
from mockserver.exchange import Call, Reply
from mockserver.plugin import ApiPlugin, discover_plugins
from mockserver.serving import BackgroundServer
from tests.conftest import MAINTAINER

# Statuses the dispatcher has no class for: each used to become a 500.
UNNAMED_STATUSES = [406, 408, 411, 414, 417, 428, 429, 431, 501, 503]


@pytest.mark.parametrize("status", UNNAMED_STATUSES)
@pytest.mark.parametrize(
    "raise_",
    [
        pytest.param(lambda status: HTTPException(status, headers={"Retry-After": "1"}), id="starlette"),
        pytest.param(lambda status: ProblemException(status=status, headers={"Retry-After": "1"}), id="connexion"),
    ],
)
def test_a_framework_status_without_a_class_keeps_its_status(status: int, raise_: t.Callable[[int], Exception]) -> None:
    error = as_mock_error(raise_(status))
    assert (type(error), error.status_code, error.headers) == (StatusError, status, {"Retry-After": "1"})


def test_a_crash_and_a_nonconforming_response_are_still_500() -> None:
    assert as_mock_error(KeyError("x")).status_code == 500
    assert as_mock_error(NonConformingResponseBody("no")).status_code == 500


@pytest.mark.parametrize("status", UNNAMED_STATUSES)
@pytest.mark.parametrize("plugin", discover_plugins(), ids=lambda plugin: plugin.name)
def test_every_api_renders_any_status_in_its_own_shape(plugin: ApiPlugin, status: int) -> None:
    reply = plugin.render_error(StatusError(status, headers={"Retry-After": "1"}))
    assert (reply.status, reply.headers) == (status, {"Retry-After": "1"})
    # Each API's shape for a request-level error, never an empty body.
    shapes = {"gitlab": {"message"}, "sentry": {"detail"}, "chkk": {"type", "title", "status", "detail"}}
    assert set(reply.body) == shapes[plugin.name]
    assert all(reply.body.values())


def _crashing(call: Call) -> Reply:
    raise KeyError("a bug in a handler")


def _raising(status: int) -> t.Callable[[Call], Reply]:
    def handler(call: Call) -> Reply:
        raise HTTPException(status)

    return handler


@pytest.fixture(scope="module")
def raising_server() -> t.Iterator[str]:
    """GitLab and Sentry whose ``/user`` and repository listing raise Starlette's own 431 and 406."""
    plugins = {plugin.name: plugin for plugin in discover_plugins(["gitlab", "sentry"])}
    gitlab = dataclasses.replace(
        plugins["gitlab"],
        handlers={**plugins["gitlab"].handlers, "getCurrentUser": _raising(431), "getProject": _crashing},
    )
    sentry = dataclasses.replace(
        plugins["sentry"], handlers={**plugins["sentry"].handlers, "listOrganizationRepositories": _raising(406)}
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("mockserver.app.discover_plugins", lambda names=None: [gitlab, sentry])
        app = create_app(Settings(apis=("gitlab", "sentry")))
    with BackgroundServer(app) as server:
        yield server.url, app


def test_an_unnamed_status_reaches_the_client_over_http(raising_server: tuple[str, MockApp]) -> None:
    with httpx.Client(base_url=raising_server[0], timeout=10) as client:
        gitlab = client.get("/api/v4/user")
        assert (gitlab.status_code, gitlab.json()) == (431, {"message": "431 Request Header Fields Too Large"})
        sentry = client.get("/api/0/organizations/my-org/repos/")
        assert (sentry.status_code, sentry.json()) == (406, {"detail": "Not Acceptable."})
        assert sentry.headers["content-type"] == "application/json"


def test_a_crash_is_a_500_in_the_apis_shape_and_the_server_goes_on(raising_server: tuple[str, MockApp]) -> None:
    url, app = raising_server
    with httpx.Client(base_url=url, timeout=10) as client:
        crashed = client.get("/api/v4/projects/24", headers={"PRIVATE-TOKEN": MAINTAINER})
        assert (crashed.status_code, crashed.json()) == (500, {"message": "500 Internal Server Error"})
        assert "Traceback" not in crashed.text and "KeyError" not in crashed.text
        assert crashed.headers["x-request-id"]  # the wire headers are outside the error handling
        assert client.get("/api/v4/projects/24/releases", headers={"PRIVATE-TOKEN": MAINTAINER}).status_code == 200
    assert [entry["response"]["status"] for entry in app.journal.entries(limit=2)] == [200, 500]


def test_mock_error_status_is_per_instance() -> None:
    # The generic error must not leak its status into the class every other error inherits from.
    StatusError(431)
    assert MockError().status_code == 500
