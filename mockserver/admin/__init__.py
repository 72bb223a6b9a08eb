"""The admin API at ``/__admin`` (``specs/admin.yaml``): the mock's own controls, built by ``create_app`` for one app.

It is served and validated through the same routing and pipeline as the vendor APIs, but it is
not one of them: discovery (``plugin.discover_plugins``) never finds it, it has no fixtures and
no tables of its own, it is mounted at its fixed mount whatever ``--api`` and ``--mount`` say,
and the journal does not record its requests.
"""

from __future__ import annotations

import typing as t

from ..plugin import ApiPlugin
from .handlers import admin_handlers
from .wire import render_error

if t.TYPE_CHECKING:
    from ..app import MockApp

__all__ = ["MOUNT", "NAME", "SPEC_FILE", "admin_plugin"]

NAME = "admin"
MOUNT = "/__admin"
SPEC_FILE = "admin.yaml"


def admin_plugin(app: MockApp, token: str | None) -> ApiPlugin:
    """The admin API of ``app``; with ``token``, every call must carry it."""
    return ApiPlugin(
        name=NAME,
        spec_file=SPEC_FILE,
        default_mount=MOUNT,
        handlers=admin_handlers(app, token),
        render_error=render_error,
        load_seed=lambda folder, spec: None,
    )
