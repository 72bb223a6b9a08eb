"""release-mock: a stateful, spec-driven mock of the GitLab, Sentry and Chkk release APIs."""

from __future__ import annotations

import typing as t

from .settings import Settings

if t.TYPE_CHECKING:
    from .app import MockApp, create_app

__all__ = ["MockApp", "Settings", "create_app"]


def __getattr__(name: str) -> t.Any:
    # Imported on first use, so that `release-mock --help` does not pay for Connexion's import.
    if name in ("MockApp", "create_app"):
        from . import app

        return getattr(app, name)
    raise AttributeError(name)
