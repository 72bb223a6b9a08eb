"""Proof that the contract suite catches drift: it passes on the mock and fails on every mutant of it.

Each run serves one server (the unmodified mock of one API, or one mutant from ``mutants.py``) on
a free port and runs ``contracts.cli.main([api, "--base-url", url, ...])`` in-process against it.
The runs are CPU-bound and independent, so they go to a pool of worker processes (one per core,
at most two; ``RELEASE_MOCK_MUTANT_WORKERS=1`` runs each in the test's own process instead),
started for the tests collected, as soon as the session begins. The table of which check caught
which mutant is printed at the end of the session (see ``conftest.py``).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import pathlib
import typing as t

import pytest
from mutants import BY_ID, MUTANTS, REPORT, Outcome, Row, run_contract

APIS = ("gitlab", "sentry", "chkk")
RUN_TIMEOUT = 600.0
"""Seconds one run may take, queueing included, before the test gives up on it."""

Key = tuple[str, str | None]
"""(api, mutant id), or (api, None) for the unmodified mock."""


def _workers() -> int:
    configured = os.environ.get("RELEASE_MOCK_MUTANT_WORKERS")
    return int(configured) if configured else max(1, min(2, os.cpu_count() or 1))


class _Later:
    """A run done when its result is first asked for, in this process: the pool's stand-in with one worker."""

    def __init__(self, key: Key, junit: pathlib.Path) -> None:
        self._key, self._junit = key, junit
        self._outcome: Outcome | None = None

    def result(self, timeout: float | None = None) -> Outcome:
        if self._outcome is None:
            self._outcome = run_contract(self._key[0], self._key[1], self._junit)
        return self._outcome


def _key_of(item: pytest.Item) -> Key | None:
    callspec = getattr(item, "callspec", None)
    if callspec is None or item.module is None or item.module.__name__ != __name__:  # type: ignore[attr-defined]
        return None
    if "mutant_id" in callspec.params:
        mutant_id = callspec.params["mutant_id"]
        return BY_ID[mutant_id].api, mutant_id
    if "api" in callspec.params:
        return callspec.params["api"], None
    return None


@pytest.fixture(scope="session")
def contract_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> t.Iterator[dict[Key, t.Any]]:
    """A future contract run for every server a collected test of this module asks about, in test order."""
    keys = list(dict.fromkeys(key for item in request.session.items if (key := _key_of(item)) is not None))
    folder = tmp_path_factory.mktemp("mutants")
    junit = {key: folder / f"{key[1] or key[0]}.xml" for key in keys}
    workers = _workers()
    if workers == 1:
        yield {key: _Later(key, junit[key]) for key in keys}
        return
    # Spawned, not forked: the test process has threads (servers) that a fork would copy mid-flight.
    pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield {key: pool.submit(run_contract, key[0], key[1], junit[key]) for key in keys}
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _outcome(contract_runs: dict[Key, t.Any], key: Key, config: pytest.Config) -> Outcome:
    outcome: Outcome = contract_runs[key].result(timeout=RUN_TIMEOUT)
    config.stash.setdefault(REPORT, []).append(Row(BY_ID.get(key[1] or ""), outcome))
    return outcome


def test_the_mutants_cover_the_three_apis() -> None:
    assert len(MUTANTS) >= 12
    for api in APIS:
        assert sum(mutant.api == api for mutant in MUTANTS) >= 3, api
    for mutant in MUTANTS:
        assert mutant.expected, f"{mutant.id} names no (operation, check) that must catch it"
        assert (mutant.route is None) != (not mutant.handlers), f"{mutant.id}: one departure, made one way"
        if mutant.route is not None:
            assert mutant.request or mutant.response, f"{mutant.id} changes nothing on its route"


@pytest.mark.parametrize("api", APIS)
def test_the_unmodified_mock_passes(api: str, contract_runs: dict[Key, t.Any], request: pytest.FixtureRequest) -> None:
    outcome = _outcome(contract_runs, (api, None), request.config)
    assert outcome.failures == () and outcome.exit_code == 0, outcome.console


@pytest.mark.parametrize("mutant_id", list(BY_ID))
def test_the_suite_catches_the_mutant(
    mutant_id: str, contract_runs: dict[Key, t.Any], request: pytest.FixtureRequest
) -> None:
    mutant = BY_ID[mutant_id]
    outcome = _outcome(contract_runs, (mutant.api, mutant.id), request.config)
    assert outcome.exit_code != 0, f"{mutant.id} slipped through: {mutant.departure}\n{outcome.console}"
    for failure in outcome.failures:
        assert failure.operation and failure.check, f"a failure that names no operation or check: {failure}"
    missing = [
        f"{check} on {operation}" for operation, check in mutant.expected if (operation, check) not in outcome.caught
    ]
    assert not missing, f"{mutant.id} was not caught by {', '.join(missing)}\n{outcome.console}"
