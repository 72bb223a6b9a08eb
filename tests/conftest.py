"""One mock server per test session, over real HTTP on a free port; state reset before each test."""

from __future__ import annotations

import typing as t

import httpx
import pytest

from mockserver import MockApp, Settings, create_app
from mockserver.serving import BackgroundServer

# Runs small test files that use release-mock's own pytest plugin (tests/test_pytest_plugin.py).
pytest_plugins = ["pytester"]

MAINTAINER = "glpat-maintainer-000000000001"
DEVELOPER = "glpat-developer-0000000000001"
REPORTER = "glpat-reporter-000000000001"
GUEST = "glpat-guest-000000000000001"
OUTSIDER = "glpat-outsider-00000000000001"
ADMIN = "glpat-admin-0000000000000001"
READ_ONLY = "glpat-readonly-00000000000001"
EXPIRED = "glpat-expired-000000000000001"
JOB = "glcbt-job-00000000000000001"
FINISHED_JOB = "glcbt-finished-000000000001"
OAUTH = "oauth-developer-0000000000001"


@pytest.fixture(scope="session")
def app() -> MockApp:
    # Every response the tests provoke is checked against the specs.
    return create_app(Settings(validate_responses=True))


@pytest.fixture(scope="session")
def server(app: MockApp) -> t.Iterator[BackgroundServer]:
    with BackgroundServer(app) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh_state(app: MockApp) -> None:
    # The clock first: fixtures left undated are dated by it when the store is rebuilt.
    app.clock.reset()
    app.store.reset()


@pytest.fixture
def http(server: BackgroundServer) -> t.Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


@pytest.fixture
def gitlab(server: BackgroundServer) -> t.Iterator[httpx.Client]:
    """A client on GitLab's mount point, authenticated as a maintainer of project 24."""
    with httpx.Client(base_url=f"{server.url}/api/v4", headers={"PRIVATE-TOKEN": MAINTAINER}, timeout=10) as client:
        yield client


@pytest.fixture
def anonymous(server: BackgroundServer) -> t.Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{server.url}/api/v4", timeout=10) as client:
        yield client


# -- the contract suite vs mutants table (tests/contracts/test_mutants.py) --------------------------------
# Printed by tests/contracts/conftest.py in a run of one process; under pytest-xdist (``make test``) the
# workers hand their lines over and this controller prints them: the controller collects no test, so only
# this top-level conftest is loaded there.

MUTANT_LINES: pytest.StashKey[list[str]] = pytest.StashKey()


def print_mutant_report(terminalreporter: pytest.TerminalReporter, lines: list[str]) -> None:
    if not lines:
        return
    terminalreporter.write_sep("=", "contract suite vs mutants: which check(s) caught each, on which operation(s)")
    for line in lines:
        terminalreporter.write_line(line)
    terminalreporter.write_line("(* the check the mutant was made to be caught by)")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: t.Any, error: t.Any) -> None:
    lines = getattr(node, "workeroutput", {}).get("mutant_lines")
    if lines:
        node.config.stash.setdefault(MUTANT_LINES, []).extend(lines)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    print_mutant_report(terminalreporter, config.stash.get(MUTANT_LINES, []))
