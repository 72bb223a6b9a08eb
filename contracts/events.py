"""What a contract run reports, as it happens: the runner emits these and a reporter renders them."""

from __future__ import annotations

import dataclasses
import typing as t

from .failures import ContractFailure

Source = t.Literal["schemathesis", "semantic", "statemachine", "sandbox"]
PARTS: tuple[Source, ...] = ("schemathesis", "statemachine", "sandbox")
"""The sources a pytest run reports as one test each; semantic checks get a test apiece."""


@dataclasses.dataclass(frozen=True)
class ApiStarted:
    api: str
    base_url: str
    operations: tuple[str, ...]
    """Every operation label of the spec: the denominator of "21/21 operations"."""
    read_only: bool
    sandbox: t.Mapping[str, str]
    seed: int | None
    placeholders: tuple[str, ...]
    """What tokens were replaced by in every request and message (``$GITLAB_TOKEN``)."""
    replay_setup: tuple[str, ...] = ()
    """Shell commands to run before pasting a reproduction (``export GITLAB_TOKEN=...``, start the mock)."""


@dataclasses.dataclass(frozen=True)
class OperationTested:
    api: str
    operation: str
    source: Source


@dataclasses.dataclass(frozen=True)
class CheckPassed:
    api: str
    operation: str
    check: str
    source: Source


@dataclasses.dataclass(frozen=True)
class CheckFailed:
    api: str
    failure: ContractFailure
    """Already redacted: no token in it."""
    source: Source


@dataclasses.dataclass(frozen=True)
class PartSkipped:
    api: str
    part: str
    reason: str


@dataclasses.dataclass(frozen=True)
class ApiFinished:
    api: str
    seconds: float


@dataclasses.dataclass(frozen=True)
class Finished:
    seconds: float


Event = ApiStarted | OperationTested | CheckPassed | CheckFailed | PartSkipped | ApiFinished | Finished


class Reporter(t.Protocol):
    def handle(self, event: Event) -> None: ...
