"""Schemathesis through its Python API: every check, the phases the mode allows, events turned into ours.

The settings come from ``contracts/<api>.schemathesis.toml`` (what a business rule may reject),
plus what a run decides: the base URL, the token, the seed, how many examples, the phases, and
``[[operations]]`` entries that pin path parameters to the sandbox. Schemathesis' engine is the
one its CLI drives (``schemathesis.engine.from_schema``), so a run here finds what
``schemathesis run`` finds with the same settings.
"""

from __future__ import annotations

import contextlib
import tomllib
import typing as t

import schemathesis
from schemathesis import Case
from schemathesis.config import HealthCheck, SchemathesisConfig
from schemathesis.core import NotSet
from schemathesis.core.failures import Failure
from schemathesis.engine import Status, events, from_schema
from schemathesis.engine.recorder import Request, ScenarioRecorder
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER, HookContext

from .events import CheckFailed, CheckPassed, Event, OperationTested
from .failures import ContractFailure, RequestRecord
from .profiles import ApiProfile
from .sandbox import SandboxGuard, SandboxViolation

REFUSED = "the sandbox guard did not send"

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
    # The sandbox guard filters out cases that name resources the run did not create (the spec's
    # examples); Hypothesis must not count that against the generator. Nor is slow generation the
    # server's fault: on a busy CI machine it says only that the machine is busy.
    config.update(
        seed=seed, max_failures=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow]
    )
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
    guard: SandboxGuard,
    emit: t.Callable[[Event], None],
) -> None:
    """Run every phase and report each case's checks as they finish; failures carry the request that showed them.

    Every case, whichever phase made it, passes ``guard`` first: a write it refuses is dropped
    before it is sent (and counted), and every answer tells it what the run created.
    """
    schema: schemathesis.BaseSchema = schemathesis.openapi.from_path(profile.spec, config=config)
    if read_only:
        # An exclusion, as inclusions are alternatives: one more would add to what the settings select.
        schema = schema.exclude(method=["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY"])
    with guarded(schema, guard):
        _execute(profile, schema, emit)


def _execute(profile: ApiProfile, schema: schemathesis.BaseSchema, emit: t.Callable[[Event], None]) -> None:
    seen: set[tuple[str, str, str]] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _report_scenario(profile.name, event.recorder, seen, emit)
        elif isinstance(event, events.NonFatalError) and REFUSED in event.info.message:
            continue  # the examples phase does not filter its cases: the guard refused (and counted) one
        elif isinstance(event, events.NonFatalError):
            failure = ContractFailure("schemathesis", event.label or "-", f"{event.info.title}: {event.info.message}")
            if (failure.operation, failure.check, failure.message) not in seen:
                seen.add((failure.operation, failure.check, failure.message))
                emit(CheckFailed(profile.name, failure, "schemathesis"))
        elif isinstance(event, events.FatalError):
            failure = ContractFailure("schemathesis", "-", f"Schemathesis stopped: {event.exception}")
            emit(CheckFailed(profile.name, failure, "schemathesis"))


@contextlib.contextmanager
def guarded(schema: schemathesis.BaseSchema, guard: SandboxGuard) -> t.Iterator[None]:
    """Every case of ``schema`` passes ``guard`` twice: when it is made, and again just before it is sent.

    ``filter_case`` drops a refused case as it is generated (counted by the guard), so the phases go
    on with the next one. ``before_call`` is the backstop for a case that reaches the transport some
    other way: it raises, and the request is not sent. ``after_call`` tells the guard what was created.
    The verdict reads the path as it goes on the wire, since Schemathesis keeps path parameters
    percent-encoded.
    """

    def verdict(case: Case) -> str | None:
        template, params = guard.route_path(case.formatted_path)
        return guard.verdict(case.method, template, params, _body(case))

    def sandboxed(context: HookContext, case: Case) -> bool:
        reason = verdict(case)
        if reason is not None:
            guard.refuse(f"{case.method.upper()} {case.operation.path}", reason)
        return reason is None

    def before_call(context: HookContext, case: Case, kwargs: dict[str, t.Any]) -> None:
        if case.operation.schema.hooks is not schema.hooks:
            return  # another run's schema, in this process
        reason = verdict(case)
        if reason is not None:
            guard.refuse(f"{case.method.upper()} {case.operation.path}", reason)
            raise SandboxViolation(f"{REFUSED} {case.method.upper()} {case.formatted_path}: {reason}")

    def after_call(context: HookContext, case: Case, response: t.Any) -> None:
        template, _ = guard.route_path(case.formatted_path)
        answer = _answer(response) if guard.names_by_server(case.method, template) else None
        guard.record(case.method, template, _body(case), response.status_code, answer)

    def pinned(context: HookContext, case: Case) -> Case:
        # The stateful phase ignores the settings' [[operations]] pins and would otherwise spend most
        # of its steps on cases the guard refuses (another project's id): pin them here, before the filter.
        if case.operation.schema.hooks is schema.hooks and case.meta is not None and case.meta.phase.name == "stateful":
            case.path_parameters = guard.pinned(case.operation.path, case.path_parameters or {})
        return case

    schema.hooks.register_hook_with_name(sandboxed, "filter_case")
    schema.hooks.register_hook_with_name(after_call, "after_call")
    # Global hooks, registered for this run and gone after it: Schemathesis dispatches before_call
    # only to global hooks, and global case hooks run before the schema's filter.
    GLOBAL_HOOK_DISPATCHER.register_hook_with_name(before_call, "before_call")
    GLOBAL_HOOK_DISPATCHER.register_hook_with_name(pinned, "map_case")
    try:
        yield
    finally:
        GLOBAL_HOOK_DISPATCHER.unregister(before_call)
        GLOBAL_HOOK_DISPATCHER.unregister(pinned)


def _body(case: Case) -> t.Any:
    return None if isinstance(case.body, NotSet) else case.body


def _answer(response: t.Any) -> t.Any:
    """The JSON of an answer, or None when it has none."""
    try:
        return response.json()
    except ValueError:
        return None


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
