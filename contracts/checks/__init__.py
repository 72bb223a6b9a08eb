"""Semantic checks: small functions named after the property they assert, registered per API.

A check takes a ``Session`` and raises ``ContractFailure`` (through ``session.fail``) at the first
departure. A check marked ``writes`` only runs in write mode; it acts inside the sandbox and deletes
what it created in ``finally``. The others send only GET and HEAD in read-only mode. Each API's
checks live in a module of this package named after the API, found by discovery.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import typing as t

from ..failures import ContractFailure
from ..session import Session

CheckFunction = t.Callable[[Session], None]


@dataclasses.dataclass(frozen=True)
class Check:
    name: str
    api: str
    function: CheckFunction
    writes: bool


class Inventory(t.Protocol):
    """What an API's sandbox holds, so that a write-mode run can remove what it left behind."""

    def snapshot(self, session: Session) -> set[str]: ...

    def remove(self, session: Session, keys: set[str]) -> None: ...


_CHECKS: dict[tuple[str, str], Check] = {}
_INVENTORIES: dict[str, Inventory] = {}


def check(api: str, *, writes: bool = False) -> t.Callable[[CheckFunction], CheckFunction]:
    """Register ``function`` as the check of its own name for ``api``."""

    def register(function: CheckFunction) -> CheckFunction:
        _CHECKS[(api, function.__name__)] = Check(function.__name__, api, function, writes)
        return function

    return register


def inventory(api: str, value: Inventory) -> None:
    _INVENTORIES[api] = value


def _discover() -> None:
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")


def checks_for(api: str) -> list[Check]:
    """Every check registered for ``api``, in registration order."""
    if not _CHECKS:
        _discover()
    return [each for (owner, _), each in _CHECKS.items() if owner == api]


def inventory_for(api: str) -> Inventory | None:
    if not _CHECKS:
        _discover()
    return _INVENTORIES.get(api)


__all__ = ["Check", "CheckFunction", "ContractFailure", "Inventory", "Session", "check", "checks_for", "inventory"]
