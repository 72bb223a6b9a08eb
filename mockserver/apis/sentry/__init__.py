"""Sentry's organization releases API, with the deploys, commits, files and repos sentry-cli uses."""

from __future__ import annotations

import pathlib
import typing as t

from ...fixtures import load_folder
from ...plugin import ApiPlugin
from .answer_headers import WIRE_POLICY
from .handlers import HANDLERS
from .seed import FIXTURE_SCHEMA, check_references, check_seed, dump_state, load_state
from .state import TABLES
from .wire import render_error

__all__ = ["FIXTURE_SCHEMA", "PLUGIN"]


def load_seed(folder: pathlib.Path, spec: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    seed = load_folder(folder, FIXTURE_SCHEMA, spec)
    check_references(lambda stem: folder / f"{stem}.yaml", seed)
    return seed


PLUGIN = ApiPlugin(
    name="sentry",
    spec_file="sentry.yaml",
    default_mount="/api/0",
    handlers=HANDLERS,
    render_error=render_error,
    load_seed=load_seed,
    tables=TABLES,
    load_state=load_state,
    dump_state=dump_state,
    check_seed=check_seed,
    wire=WIRE_POLICY,
)
