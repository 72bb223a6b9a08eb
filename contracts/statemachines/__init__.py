"""Hypothesis state machines, one per API, that keep a model of the releases they touch and compare every response.

Each API's machine is a module of this package named after the API, with
``run(session, max_examples, seed) -> list[ContractFailure]``; it is found by discovery, as the
checks are. Shared pieces live in ``base``.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import typing as t

from ..failures import ContractFailure
from ..session import Session

Machine = t.Callable[[Session, int, "int | None"], list[ContractFailure]]
SHARED = frozenset({"base"})


@functools.cache
def machines() -> dict[str, Machine]:
    """API name -> its machine's ``run``, for every module of this package that has one."""
    found: dict[str, Machine] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name in SHARED or module.name.startswith("_"):
            continue
        runner = getattr(importlib.import_module(f"{__name__}.{module.name}"), "run", None)
        if callable(runner):
            found[module.name] = runner
    return found


def run(api: str, session: Session, max_examples: int, seed: int | None) -> list[ContractFailure]:
    """Run ``api``'s machine through ``session`` (the API's base URL, token, sandbox and guard).

    Writes stay in the session's sandbox (GitLab ``project``; Sentry ``org`` and ``project``; Chkk,
    read-only, ``project``) and are deleted again, even after a failure. Failures come back as data.
    """
    if api not in machines():
        raise ValueError(f"unknown API {api!r}; expected one of {', '.join(machines())}")
    return machines()[api](session, max_examples, seed)


__all__ = ["ContractFailure", "machines", "run"]
