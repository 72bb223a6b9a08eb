"""Runs the contract suites for one API after another and emits events; it never prints.

Per API: (1) Schemathesis, every check; (2) the semantic checks of ``contracts.checks``; (3) the
Hypothesis state machine of ``contracts.statemachines``, when the API has one. In write mode the
sandbox is inventoried first and whatever a part left in it is removed after that part, even when
the part failed. All three parts send through one ``SandboxGuard`` (``contracts.sandbox``), so no
write of any of them reaches a resource outside the sandbox or one the run did not create.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
import typing as t

import httpx

from . import conformance, statemachines
from .checks import Check, Inventory, checks_for, inventory_for
from .cli import SUITE_PARTS
from .events import ApiFinished, ApiStarted, CheckFailed, CheckPassed, Event, Finished, OperationTested, PartSkipped
from .failures import ContractFailure
from .operations import OperationIndex
from .preflight import check_run
from .profiles import PROFILES, ApiProfile
from .replay import replayable
from .session import Session
from .target import open_target

DEFAULT_MAX_EXAMPLES = 10
"""Examples per operation and phase: ``contract all`` against the mock stays well under two minutes."""

MACHINE = "(state machine)"
"""Where a state machine's passing run is counted: it walks several operations, which it does not report."""


@dataclasses.dataclass(frozen=True)
class RunOptions:
    apis: tuple[str, ...]
    base_url: str | None = None
    """A server's root URL; None starts the mock in-process."""
    mounts: t.Mapping[str, str] = dataclasses.field(default_factory=dict)
    tokens: t.Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Token by API; an API without one reads its environment variables, then uses the mock's default."""
    sandboxes: t.Mapping[str, t.Mapping[str, str]] = dataclasses.field(default_factory=dict)
    read_only: bool = False
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int | None = None
    parts: tuple[str, ...] = SUITE_PARTS


def run(options: RunOptions, emit: t.Callable[[Event], None]) -> None:
    """Every API of ``options``; ``preflight.SetupProblem`` before any suite runs if one cannot start."""
    started = time.monotonic()
    tokens = check_run(options)
    emit = replayable(tokens, emit, in_process=options.base_url is None)
    for api in options.apis:
        run_api(PROFILES[api], options, emit)
    emit(Finished(time.monotonic() - started))


def run_api(profile: ApiProfile, options: RunOptions, emit: t.Callable[[Event], None]) -> None:
    started = time.monotonic()
    token = profile.token(options.tokens.get(profile.name))
    secrets = {token: profile.placeholder}
    sandbox = {**profile.sandbox, **options.sandboxes.get(profile.name, {})}

    def redacting(event: Event) -> None:
        if isinstance(event, CheckFailed):
            event = dataclasses.replace(event, failure=event.failure.redacted(secrets))
        emit(event)

    with open_target(profile, options.base_url, options.mounts.get(profile.name)) as target:
        base_url = target.base_url
        headers = profile.auth_headers(token)
        config = conformance.configure(
            profile,
            base_url=base_url,
            headers=headers,
            sandbox=sandbox,
            read_only=options.read_only,
            max_examples=options.max_examples,
            seed=options.seed,
        )
        seed = config.seed
        emit(
            ApiStarted(
                profile.name,
                base_url,
                OperationIndex.load(profile.spec).labels,
                options.read_only,
                sandbox,
                seed,
                (profile.placeholder,),
            )
        )
        with Session(profile, base_url, token, sandbox, read_only=options.read_only) as session:
            with _sandbox_kept_clean(session, inventory_for(profile.name), redacting):
                if "schemathesis" in options.parts:
                    conformance.run(profile, config, read_only=options.read_only, guard=session.guard, emit=redacting)
            if "semantic" in options.parts:
                for each in checks_for(profile.name):
                    if each.writes and options.read_only:
                        redacting(PartSkipped(profile.name, each.name, "writes; skipped in read-only mode"))
                        continue
                    with _sandbox_kept_clean(session, inventory_for(profile.name), redacting):
                        run_check(session, each, redacting)
            if "statemachine" in options.parts:
                with _sandbox_kept_clean(session, inventory_for(profile.name), redacting):
                    run_statemachine(profile, session, options.max_examples, seed, redacting)
            if session.guard.refused:
                redacting(PartSkipped(profile.name, "sandbox_guard", _refusals(session)))
    emit(ApiFinished(profile.name, time.monotonic() - started))


def run_check(session: Session, check: Check, emit: t.Callable[[Event], None]) -> None:
    session.check, session.exercised, session.last = check.name, [], None
    try:
        check.function(session)
    except ContractFailure as failure:
        emit(CheckFailed(check.api, failure, "semantic"))
        passed = [operation for operation in session.exercised if operation != failure.operation]
    except httpx.HTTPError as error:
        request = error.request if isinstance(error, httpx.RequestError) else None
        operation = session.operation_of(request) if request is not None else "-"
        emit(
            CheckFailed(check.api, ContractFailure(check.name, operation, f"no answer: {error!r}", request), "semantic")
        )
        passed = [each for each in session.exercised if each != operation]
    else:
        passed = session.exercised
    for operation in dict.fromkeys(session.exercised):
        emit(OperationTested(check.api, operation, "semantic"))
    for operation in dict.fromkeys(passed):
        emit(CheckPassed(check.api, operation, check.name, "semantic"))


def run_statemachine(
    profile: ApiProfile, session: Session, max_examples: int, seed: int | None, emit: t.Callable[[Event], None]
) -> None:
    """The API's state machine, through the run's session (its mount, token, sandbox and guard).

    A machine may write, so in read-only mode it only runs for an API whose spec has nothing but reads.
    """
    if session.read_only and not all(operation.reads for operation in session.index.operations):
        emit(PartSkipped(profile.name, "statemachine", "creates releases; skipped in read-only mode"))
        return
    if profile.name not in statemachines.machines():
        emit(PartSkipped(profile.name, "statemachine", f"contracts.statemachines has no {profile.name} module"))
        return
    session.check = "statemachine"
    failures = statemachines.run(profile.name, session, max_examples, seed)
    for failure in failures:
        emit(CheckFailed(profile.name, failure, "statemachine"))
    emit(OperationTested(profile.name, MACHINE, "statemachine"))
    if not failures:
        emit(CheckPassed(profile.name, MACHINE, "statemachine", "statemachine"))


def _refusals(session: Session, shown: int = 5) -> str:
    """What the guard kept from being sent: how many writes, and the most frequent reasons."""
    refused = session.guard.refused
    reasons = "; ".join(f"{label}: {reason} (x{count})" for (label, reason), count in refused.most_common(shown))
    more = f"; and {len(refused) - shown} more" if len(refused) > shown else ""
    return f"{sum(refused.values())} generated writes outside the sandbox were not sent: {reasons}{more}"


@contextlib.contextmanager
def _sandbox_kept_clean(
    session: Session, inventory: Inventory | None, emit: t.Callable[[Event], None]
) -> t.Iterator[None]:
    """In write mode, remove from the sandbox whatever appeared in it during the block, failure or not."""
    before: set[str] | None = None
    if not session.read_only and inventory is not None:
        session.check = "sandbox"
        try:
            before = inventory.snapshot(session)
        except httpx.HTTPError as error:
            emit(CheckFailed(session.profile.name, _cleanup_failure(error), "sandbox"))
    try:
        yield
    finally:
        if before is not None and inventory is not None:
            session.check = "sandbox"
            try:
                inventory.remove(session, inventory.snapshot(session) - before)
            except httpx.HTTPError as error:
                emit(CheckFailed(session.profile.name, _cleanup_failure(error), "sandbox"))


def _cleanup_failure(error: httpx.HTTPError) -> ContractFailure:
    return ContractFailure("sandbox", "-", f"listing or cleaning the sandbox failed: {error!r}")
