"""What every machine shares: a failure type per check, time parsing, and the Hypothesis run."""

from __future__ import annotations

import datetime as dt
import functools
import typing as t

from hypothesis import HealthCheck, Phase, settings
from hypothesis import seed as use_seed
from hypothesis.errors import HypothesisException
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from ..failures import ContractFailure
from ..session import Reply, Session

MAX_PAGES = 1000


@functools.cache
def failure_type(check: str) -> type[ContractFailure]:
    """The exception a machine raises for ``check``: a ``ContractFailure``, of a type of its own per check.

    Hypothesis tells bugs apart by exception type and origin; one type per check keeps each broken
    property a bug of its own, shrunk and reported separately.
    """
    return type(f"ContractFailure[{check}]", (ContractFailure,), {})


def fail(check: str, operation: str, message: str) -> t.NoReturn:
    raise failure_type(check)(check, operation, message)


def parse_time(value: t.Any) -> dt.datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


Machine = t.TypeVar("Machine", bound=RuleBasedStateMachine)


def bind(machine: type[Machine], **attributes: t.Any) -> type[Machine]:
    """``machine`` with one run's target as class attributes, since Hypothesis builds machines without arguments."""
    return t.cast(type[Machine], type(machine.__name__, (machine,), attributes))


def run_machine(machine: type[RuleBasedStateMachine], *, max_examples: int, seed: int | None) -> list[ContractFailure]:
    """Run a machine; a falsified run comes back as failures (steps shrunk), never as an exception."""
    options = settings(
        max_examples=max_examples,
        stateful_step_count=10,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        print_blob=False,
        # The explain phase replays variants to point at lines of code; the steps say more here, for less time.
        phases=[phase for phase in Phase if phase is not Phase.explain],
        # Rules spend their time waiting on HTTP; generation is never what is slow.
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    if seed is not None:
        machine = use_seed(seed)(machine)
    try:
        run_state_machine_as_test(machine, settings=options)
    except ContractFailure as failed:
        return [_reported(failed)]
    except BaseExceptionGroup as group:
        # Several distinct checks failed, or a failure did not reproduce (FlakyFailure is a group).
        matched, rest = group.split(ContractFailure)
        if rest is not None:
            raise
        flaky = isinstance(group, HypothesisException)
        return [_reported(failed, flaky) for failed in _leaves(matched)]
    except HypothesisException as error:
        return [ContractFailure("hypothesis", "-", f"{type(error).__name__}: {error}")]
    return []


def _reported(failed: ContractFailure, flaky: bool = False) -> ContractFailure:
    """The failure as a report shows it: the steps Hypothesis shrank it to follow the message."""
    steps = [note for note in getattr(failed, "__notes__", ()) if not note.startswith("Failing test case")]
    message = failed.message
    if steps:
        message += "\nSteps (shrunk by Hypothesis):\n" + "\n".join(f"  {step}" for step in steps)
    if flaky:
        message += "\n(flaky: the failure did not happen again when Hypothesis replayed the steps)"
    return ContractFailure(failed.check, failed.operation, message, failed.request)


def _leaves(group: BaseExceptionGroup[ContractFailure] | None) -> t.Iterator[ContractFailure]:
    for member in group.exceptions if group else ():
        if isinstance(member, BaseExceptionGroup):
            yield from _leaves(member)
        else:
            yield member


def call(session: Session, method: str, path: str, **options: t.Any) -> Reply:
    """``session.call``, failing each check with an exception type of its own."""
    return session.call(method, path, raise_as=failure_type, **options)
