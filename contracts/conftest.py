"""``pytest contracts --api gitlab --base-url URL ...``: the contract suites as pytest tests, one per API and check.

The options are those of ``release-mock contract``; without ``--base-url`` the mock is started
in-process. Each API is run once (by ``contracts.runner``), and each test reads its share of the
results: Schemathesis' checks together, each semantic check, the state machine, the sandbox cleanup.
Before the first, ``contracts.preflight`` checks the server, token and sandbox of each API: if the
run cannot start, pytest stops with that one message and exit status 2.
"""

from __future__ import annotations

import argparse
import functools
import typing as t

import pytest

from .cli import USAGE_ERROR, options_from
from .events import PARTS
from .profiles import PROFILES


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "release-mock contract suites (see release-mock contract --help)")
    group.addoption("--api", default="all", choices=[*PROFILES, "all"], help="which API's contract to check")
    group.addoption("--base-url", default=None, metavar="URL", help="root URL of the server; default: in-process mock")
    group.addoption("--mount", action="append", default=[], metavar="API=PATH", help="an API's mount under --base-url")
    group.addoption("--token", default=None, help="token for a single --api (default: environment, then the mock's)")
    group.addoption("--read-only", action="store_true", help="send only GET and HEAD")
    group.addoption("--max-examples", type=int, default=None, metavar="N", help="examples per operation and phase")
    group.addoption("--seed", type=int, default=None, metavar="S", help="seed for Schemathesis and the state machines")
    group.addoption("--project", default=None, metavar="ID", help="sandbox project")
    group.addoption("--org", default=None, metavar="SLUG", help="sandbox organization (Sentry)")


def _arguments(config: pytest.Config) -> argparse.Namespace:
    names = ("api", "base_url", "mount", "token", "read_only", "max_examples", "seed", "project", "org")
    return argparse.Namespace(**{name: config.getoption(name) for name in names})


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "contract_case" not in metafunc.fixturenames:
        return
    from .checks import checks_for

    api = metafunc.config.getoption("api")
    cases = [
        (name, part)
        for name in (PROFILES if api == "all" else (api,))
        for part in (PARTS[0], *(each.name for each in checks_for(name)), *PARTS[1:])
    ]
    metafunc.parametrize("contract_case", cases, ids=[f"{name}-{part}" for name, part in cases])


@pytest.fixture(scope="session")
def contract_results(pytestconfig: pytest.Config) -> t.Callable[[str], t.Any]:
    """``results(api)``: the API's run, done once per session on first use."""
    from . import preflight, runner
    from .replay import replayable
    from .report import Results, describe_setup_problem

    try:
        options = options_from(_arguments(pytestconfig))
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    try:
        tokens = preflight.check_run(options)
    except preflight.SetupProblem as problem:
        # One message and no test at all, rather than every test failing for the same reason.
        pytest.exit(describe_setup_problem(problem), returncode=USAGE_ERROR)

    @functools.cache
    def results(api: str) -> Results:
        collected = Results()
        runner.run_api(PROFILES[api], options, replayable(tokens, collected.handle, in_process=not options.base_url))
        pytestconfig.stash.setdefault(_RESULTS, []).append(collected)
        return collected

    return results


_RESULTS = pytest.StashKey[list[t.Any]]()


def pytest_terminal_summary(terminalreporter: t.Any, config: pytest.Config) -> None:
    from .report import summarize_api

    for results in config.stash.get(_RESULTS, []):
        for result in results.apis.values():
            terminalreporter.write_line(summarize_api(result).splitlines()[-1])
