"""One test per API and check: it fails with each departure the check saw, each with a curl command to replay it."""

from __future__ import annotations

import typing as t

import pytest

from .events import PARTS
from .report import describe_failure, describe_replay_setup


def test_contract(contract_case: tuple[str, str], contract_results: t.Callable[[str], t.Any]) -> None:
    api, check = contract_case
    result = contract_results(api).apis[api]
    for skipped in result.skipped:
        if skipped.part == check:
            pytest.skip(skipped.reason)
    source = check if check in PARTS else "semantic"
    failures = [
        describe_failure(failure, found_by, result.started.placeholders)
        for failure, found_by in result.failures
        if found_by == source and (source != "semantic" or failure.check == check)
    ]
    setup = describe_replay_setup(result.started)
    assert not failures, f"{len(failures)} departures from the contract:\n" + "\n".join([*setup, *failures])
