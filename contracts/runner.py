"""Runs the contract suites for one API after another and emits events; it never prints.

Per API: (1) Schemathesis, every check; (2) the semantic checks of ``contracts.checks``; (3) the
Hypothesis state machine of ``contracts.statemachines``, when that module exists. In write mode
the sandbox is inventoried first and whatever a part left in it is removed after that part, even
when the part failed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import time
import typing as t

import httpx

from . import conformance
from .checks import Check, Inventory, checks_for, inventory_for
from .events import ApiFinished, ApiStarted, CheckFailed, CheckPassed, Event, Finished, OperationTested, PartSkipped
from .failures import ContractFailure, RequestRecord
from .operations import OperationIndex
from .preflight import check_run
from .profiles import PROFILES, ApiProfile
from .replay import replayable
from .session import Session
from .target import Target, open_target

DEFAULT_MAX_EXAMPLES = 10
"""Examples per operation and phase: ``contract all`` against the mock stays well under two minutes."""

STATEMACHINES = "contracts.statemachines"
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
    parts: tuple[str, ...] = ("schemathesis", "semantic", "statemachine")


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
                    conformance.run(profile, config, read_only=options.read_only, emit=redacting)
            if "semantic" in options.parts:
                for each in checks_for(profile.name):
                    if each.writes and options.read_only:
                        redacting(PartSkipped(profile.name, each.name, "writes; skipped in read-only mode"))
                        continue
                    with _sandbox_kept_clean(session, inventory_for(profile.name), redacting):
                        run_check(session, each, redacting)
            if "statemachine" in options.parts:
                with _sandbox_kept_clean(session, inventory_for(profile.name), redacting):
                    run_statemachine(profile, session, target, sandbox, options.max_examples, seed, redacting)
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
    profile: ApiProfile,
    session: Session,
    target: Target,
    sandbox: t.Mapping[str, str],
    max_examples: int,
    seed: int | None,
    emit: t.Callable[[Event], None],
) -> None:
    """``contracts.statemachines.run(api, base_url, headers, sandbox, max_examples, seed)``, if it is there.

    Its ``base_url`` is the server's root (it adds the API's mount). A machine may write, so in
    read-only mode it only runs for an API whose spec has nothing but reads.
    """
    if session.read_only and not all(operation.reads for operation in session.index.operations):
        emit(PartSkipped(profile.name, "statemachine", "creates releases; skipped in read-only mode"))
        return
    try:
        module = importlib.import_module(STATEMACHINES)
    except ModuleNotFoundError as error:
        if error.name != STATEMACHINES:
            raise
        emit(PartSkipped(profile.name, "statemachine", f"{STATEMACHINES} is not there yet"))
        return
    if not hasattr(module, "run"):
        emit(PartSkipped(profile.name, "statemachine", f"{STATEMACHINES} has no run()"))
        return
    failures = module.run(
        api=profile.name,
        base_url=target.root,
        headers=session.auth_headers,
        sandbox=dict(sandbox),
        max_examples=max_examples,
        seed=seed,
    )
    for failure in failures:
        emit(CheckFailed(profile.name, _adopt(session, failure), "statemachine"))
    emit(OperationTested(profile.name, MACHINE, "statemachine"))
    if not failures:
        emit(CheckPassed(profile.name, MACHINE, "statemachine", "statemachine"))


def _adopt(session: Session, failure: t.Any) -> ContractFailure:
    """A state machine's failure as ours. Theirs may describe its request as text: ``"POST <url> <body>"``."""
    if isinstance(failure, ContractFailure):
        return failure
    request, operation = failure.request, str(failure.operation) or MACHINE
    if isinstance(request, str):
        method, _, rest = request.partition(" ")
        url, _, body = rest.partition(" ")
        if method and url:
            headers = {**session.auth_headers, **({"Content-Type": "application/json"} if body else {})}
            request = RequestRecord(method, url, tuple(headers.items()), body.encode() if body else None)
            operation = session.operation_of(httpx.Request(method, url))
        else:
            request = None
    with contextlib.suppress(KeyError):
        operation = session.index.by_id(operation).label
    return ContractFailure(str(failure.check), operation, str(failure.message), request)


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
