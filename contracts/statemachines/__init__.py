"""Hypothesis state machines, one per API, that keep a model of the releases they touch and compare every response."""

from __future__ import annotations

from . import chkk, gitlab, sentry
from .base import ContractFailure

__all__ = ["APIS", "ContractFailure", "run"]

APIS = {"gitlab": gitlab.run, "sentry": sentry.run, "chkk": chkk.run}


def run(
    api: str, base_url: str, headers: dict[str, str], sandbox: dict[str, str], max_examples: int, seed: int | None
) -> list[ContractFailure]:
    """Run ``api``'s machine against the server at ``base_url`` (its root; the API's mount is added here).

    Writes stay in ``sandbox`` (GitLab ``project``; Sentry ``org`` and ``project``; Chkk, read-only,
    ``project``) and are deleted again, even after a failure. Failures come back as data.
    """
    if api not in APIS:
        raise ValueError(f"unknown API {api!r}; expected one of {', '.join(APIS)}")
    return APIS[api](base_url, headers, sandbox, max_examples, seed)
