"""pytest fixtures for tests against the mock: ``release_mock`` (an httpx client per API), ``release_mock_server``.

Registered through the ``pytest11`` entry point, so installing release-mock is enough. One app per test
session, in the test's own process, served by uvicorn on a thread on a free port of 127.0.0.1
(``serving.BackgroundServer``). Both fixtures share it: the store and the clock go back to the fixtures
(or to the test's ``@pytest.mark.release_mock(scenario=..., seed=...)``) before each test that uses either.

Why a served app even for the httpx clients: httpx's synchronous ``Client`` has no transport that calls
an ASGI app (``ASGITransport`` is for ``AsyncClient`` only), and running an event loop per request from a
custom sync transport would start and stop the app's lifespan and loop-bound state each time. A server
on a thread is what real clients see anyway, costs one start per session, and keeps the app in this
process, so a test can still read ``release_mock.app.store`` or steer ``release_mock.clock``.

Options are all named ``--release-mock-...`` so that they cannot clash with another plugin's.
"""

from __future__ import annotations

import pathlib
import typing as t

import pytest

if t.TYPE_CHECKING:
    import httpx

    from .app import MockApp
    from .clock import Clock
    from .serving import BackgroundServer

MARKER = "release_mock"
MARKER_HELP = (
    "release_mock(scenario=None, seed=None): start the test from this scenario "
    "(a name from 'release-mock scenarios' or a file's path) instead of the default fixtures"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("release-mock", "release-mock fixtures (release_mock, release_mock_server)")
    group.addoption(
        "--release-mock-fixtures",
        metavar="DIR",
        help="fixtures folder the mock starts from (default: the bundled default world)",
    )
    group.addoption(
        "--release-mock-api",
        action="append",
        default=[],
        metavar="API",
        help="serve only this API (repeatable; default: every API)",
    )
    group.addoption(
        "--release-mock-mount",
        action="append",
        default=[],
        metavar="API=PATH",
        help="mount an API at PATH instead of its default (repeatable)",
    )
    group.addoption(
        "--release-mock-validate-responses",
        action="store_true",
        default=False,
        help="check every response of the mock against its spec",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}{MARKER_HELP[len(MARKER) :]}")


class ReleaseMockServer:
    """The session's mock as a test sees it: its URL, its state and its clock."""

    def __init__(self, app: MockApp, background: BackgroundServer) -> None:
        self.app = app
        self.background = background

    @property
    def url(self) -> str:
        """The server's root, ``http://127.0.0.1:PORT``: what ``gitlab.Gitlab(url)`` takes."""
        return self.background.url

    @property
    def clock(self) -> Clock:
        """The mock's clock: ``freeze(moment=None)``, ``set(moment)``, ``advance(seconds)``, ``reset()``."""
        return self.app.clock

    def url_of(self, api: str) -> str:
        """The URL of an API's mount: ``url_of("gitlab")`` -> ``http://127.0.0.1:PORT/api/v4``."""
        return self.url + self.mount_of(api)

    def mount_of(self, api: str) -> str:
        for mount, (plugin, _spec) in self.app.mounts.items():
            if plugin.name == api:
                return mount
        served = ", ".join(sorted(plugin.name for plugin, _ in self.app.mounts.values()))
        raise LookupError(f"the mock serves no API named {api!r} (it serves: {served})")

    def reset(self) -> None:
        """Real time again, the fixtures' state and an empty request journal."""
        self.app.reset()

    def load(self, scenario: str, seed: int | None = None) -> None:
        """Replace the state with a scenario's (a shipped name or a file's path), dated by the clock's now."""
        self.app.load_scenario(scenario, seed)

    def requests(
        self,
        api: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, t.Any]]:
        """The requests the mock answered since the test began, newest first, filtered as ``/__admin/requests``."""
        return self.app.journal.entries(api=api, method=method, path=path, status=status, limit=limit)


class ReleaseMock(ReleaseMockServer):
    """``ReleaseMockServer`` with an ``httpx.Client`` per API, based at its mount: ``release_mock.gitlab.get(...)``."""

    def __init__(self, app: MockApp, background: BackgroundServer) -> None:
        super().__init__(app, background)
        self._clients: dict[str, httpx.Client] = {}

    def client(self, api: str) -> httpx.Client:
        """The client of ``api`` (unauthenticated: pass the token header the test needs)."""
        if api not in self._clients:
            import httpx

            self._clients[api] = httpx.Client(base_url=self.url_of(api), timeout=30)
        return self._clients[api]

    def __getattr__(self, name: str) -> httpx.Client:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.client(name)
        except LookupError as error:
            raise AttributeError(str(error)) from None

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()


def _settings(config: pytest.Config) -> t.Any:
    from .settings import Settings

    mounts = {}
    for text in config.getoption("release_mock_mount"):
        name, sep, path = text.partition("=")
        if not sep or not name:
            raise pytest.UsageError(f"--release-mock-mount: expected API=PATH, got {text!r}")
        mounts[name] = path
    fixtures = config.getoption("release_mock_fixtures")
    return Settings(
        fixtures_dir=pathlib.Path(fixtures) if fixtures else Settings.fixtures_dir,
        apis=tuple(config.getoption("release_mock_api")),
        mounts=mounts,
        validate_responses=config.getoption("release_mock_validate_responses"),
    )


@pytest.fixture(scope="session")
def release_mock_session(pytestconfig: pytest.Config) -> t.Iterator[ReleaseMockServer]:
    """The session's app on its server; started when a test first needs it, stopped at the session's end."""
    from .app import create_app
    from .serving import BackgroundServer
    from .settings import SettingsError

    try:
        app = create_app(_settings(pytestconfig))
    except SettingsError as error:
        raise pytest.UsageError(f"release-mock: {error}") from None
    with BackgroundServer(app) as server:
        yield ReleaseMockServer(app, server)


@pytest.fixture
def release_mock_state(request: pytest.FixtureRequest, release_mock_session: ReleaseMockServer) -> ReleaseMockServer:
    """The state the test starts from: the fixtures, or the scenario its ``release_mock`` marker names."""
    release_mock_session.reset()
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        options = dict(marker.kwargs)
        if marker.args:
            options.setdefault("scenario", marker.args[0])
        unknown = set(options) - {"scenario", "seed"}
        if unknown:
            raise pytest.UsageError(f"@pytest.mark.release_mock takes scenario= and seed=, not {sorted(unknown)}")
        if options.get("scenario") is not None:
            release_mock_session.load(options["scenario"], options.get("seed"))
        elif options.get("seed") is not None:
            raise pytest.UsageError("@pytest.mark.release_mock: seed= needs scenario=")
    return release_mock_session


@pytest.fixture
def release_mock_server(release_mock_state: ReleaseMockServer) -> ReleaseMockServer:
    """The mock on a real port (``.url``), for clients that need one: python-gitlab, sentry-cli."""
    return release_mock_state


@pytest.fixture
def release_mock(release_mock_state: ReleaseMockServer) -> t.Iterator[ReleaseMock]:
    """The mock with an ``httpx.Client`` per API (``.gitlab``, ``.sentry``, ``.chkk``) based at the API's mount."""
    clients = ReleaseMock(release_mock_state.app, release_mock_state.background)
    try:
        yield clients
    finally:
        clients.close()
