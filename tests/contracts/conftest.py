"""Contract runs against the mock: in-process, or served over HTTP as is or wrapped by a small ASGI function.

At the end of the session, the table of which check caught which mutant (``test_mutants.py``).
"""

from __future__ import annotations

import contextlib
import os
import typing as t

import pytest
from mutants import REPORT, report_lines

from contracts.profiles import PROFILES
from mockserver import Settings, create_app
from mockserver.serving import BackgroundServer
from tests.conftest import print_mutant_report

ASGIApp = t.Callable[[dict[str, t.Any], t.Any, t.Any], t.Awaitable[None]]
SEED = "20261122"
TOKENS = {name: profile.default_token for name, profile in PROFILES.items()}
TOKEN_VARIABLES = {variable for profile in PROFILES.values() for variable in profile.token_env}


@pytest.fixture(autouse=True)
def no_tokens_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's real GITLAB_TOKEN must not reach the mock, nor change what the tests see."""
    for name in TOKEN_VARIABLES & set(os.environ):
        monkeypatch.delenv(name)


@contextlib.contextmanager
def served(wrap: t.Callable[[ASGIApp], ASGIApp] | None = None, **settings: t.Any) -> t.Iterator[str]:
    """A fresh mock over HTTP (optionally behind ``wrap``); yields its root URL."""
    app = create_app(Settings(**settings))
    with BackgroundServer(wrap(app) if wrap else app) as server:
        yield server.url


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker: hand the report's lines to the controller (``tests/conftest.py`` prints them)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    rows = session.config.stash.get(REPORT, [])
    if workeroutput is not None and rows:
        workeroutput["mutant_lines"] = report_lines(rows)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    print_mutant_report(terminalreporter, report_lines(config.stash.get(REPORT, [])))
