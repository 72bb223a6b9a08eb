"""Schemathesis through its Python API: every check, the phases the mode allows, events turned into ours.

The settings come from ``contracts/<api>.schemathesis.toml`` (what a business rule may reject),
plus what a run decides: the base URL, the token, the seed, how many examples, the phases, and
``[[operations]]`` entries that pin path parameters to the sandbox. Schemathesis' engine is the
one its CLI drives (``schemathesis.engine.from_schema``), so a run here finds what
``schemathesis run`` finds with the same settings.
"""

from __future__ import annotations

import tomllib
import typing as t

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from schemathesis.engine import Status, events, from_schema
from schemathesis.engine.recorder import Request, ScenarioRecorder

from .events import CheckFailed, CheckPassed, Event, OperationTested
from .failures import ContractFailure, RequestRecord
from .profiles import ApiProfile

WRITE_PHASES = ["examples", "coverage", "fuzzing", "stateful"]
READ_PHASES = ["examples", "coverage", "fuzzing"]
"""The stateful phase follows links from creating operations, so read-only mode leaves it out."""


def configure(
    profile: ApiProfile,
    *,
    base_url: str,
    headers: t.Mapping[str, str],
    sandbox: t.Mapping[str, str],
    read_only: bool,
    max_examples: int,
    seed: int | None,
) -> SchemathesisConfig:
    with open(profile.schemathesis_settings, "rb") as handle:
        data = tomllib.load(handle)
    operations = data.setdefault("operations", [])
    for pin in profile.schemathesis_pins:
        parameters = {name: value.format(**sandbox) for name, value in pin["parameters"].items()}
        operations.append({**pin, "parameters": parameters})
    if read_only:
        # The coverage phase would otherwise try undeclared methods (POST, DELETE, ...) on every path.
        data.setdefault("phases", {}).setdefault("coverage", {})["unexpected-methods"] = []
    config = SchemathesisConfig.from_dict(data)
    config.update(seed=seed, max_failures=None)
    project = config.projects.override
    project.update(base_url=base_url, headers=dict(headers), workers=1)
    project.phases.update(phases=READ_PHASES if read_only else WRITE_PHASES)
    # Every check is on by default; naming them all here ("all") would also switch back on the ones
    # the settings file turns off for an operation, since an override wins over operation settings.
    project.generation.update(max_examples=max_examples)
    return config


def run(
    profile: ApiProfile,
    config: SchemathesisConfig,
    *,
    read_only: bool,
    emit: t.Callable[[Event], None],
) -> None:
    """Run every phase and report each case's checks as they finish; failures carry the request that showed them."""
    schema: schemathesis.BaseSchema = schemathesis.openapi.from_path(profile.spec, config=config)
    if read_only:
        # An exclusion, as inclusions are alternatives: one more would add to what the settings select.
        schema = schema.exclude(method=["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY"])
    seen: set[tuple[str, str, str]] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _report_scenario(profile.name, event.recorder, seen, emit)
        elif isinstance(event, events.NonFatalError):
            failure = ContractFailure("schemathesis", event.label or "-", f"{event.info.title}: {event.info.message}")
            if (failure.operation, failure.check, failure.message) not in seen:
                seen.add((failure.operation, failure.check, failure.message))
                emit(CheckFailed(profile.name, failure, "schemathesis"))
        elif isinstance(event, events.FatalError):
            failure = ContractFailure("schemathesis", "-", f"Schemathesis stopped: {event.exception}")
            emit(CheckFailed(profile.name, failure, "schemathesis"))


def _report_scenario(
    api: str, recorder: ScenarioRecorder, seen: set[tuple[str, str, str]], emit: t.Callable[[Event], None]
) -> None:
    for case_id, node in recorder.cases.items():
        interaction = recorder.interactions.get(case_id)
        if interaction is not None and interaction.response is not None:
            emit(OperationTested(api, node.value.operation.label, "schemathesis"))
    for case_id, checks in recorder.checks.items():
        operation = recorder.cases[case_id].value.operation.label
        for result in checks:
            if result.status == Status.SUCCESS:
                emit(CheckPassed(api, operation, result.name, "schemathesis"))
            elif result.failure_info is not None:
                failure = _failure(recorder, case_id, operation, result.name, result.failure_info.failure)
                key = (failure.operation, failure.check, failure.message)
                if key not in seen:
                    seen.add(key)
                    emit(CheckFailed(api, failure, "schemathesis"))
            elif result.status == Status.ERROR:
                emit(
                    CheckFailed(
                        api, ContractFailure(result.name, operation, "the check itself crashed"), "schemathesis"
                    )
                )


def _failure(
    recorder: ScenarioRecorder, parent_id: str, operation: str, check: str, failure: Failure
) -> ContractFailure:
    case_id = failure.case_id or parent_id
    interaction = recorder.interactions.get(case_id)
    request = _record(interaction.request) if interaction is not None else None
    steps = [
        _record(recorder.interactions[case.id].request)
        for case in recorder.iter_chain_cases(case_id=case_id)
        if case.id != case_id and case.id in recorder.interactions
    ]
    message = failure.title if not failure.message else f"{failure.title}: {failure.message}"
    return ContractFailure(check, failure.operation or operation, message, request, steps=steps)


def _record(request: Request) -> RequestRecord:
    headers = tuple((name, value) for name, values in request.headers.items() for value in values)
    return RequestRecord(request.method, request.uri, headers, request.body)
