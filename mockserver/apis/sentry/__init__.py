"""Sentry's organization releases API, with the deploys, commits, files and repos sentry-cli uses."""

from __future__ import annotations

import pathlib
import typing as t

from ...fixtures import load_folder
from ...plugin import ApiPlugin
from .handlers import HANDLERS
from .state import build_state
from .wire import render_error

FIXTURE_SCHEMA = pathlib.Path(__file__).with_name("fixture_schema.yaml")


def load_seed(folder: pathlib.Path, spec: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    return load_folder(folder, FIXTURE_SCHEMA, spec)


PLUGIN = ApiPlugin(
    name="sentry",
    spec_file="sentry.yaml",
    default_mount="/api/0",
    handlers=HANDLERS,
    render_error=render_error,
    load_seed=load_seed,
    build_state=build_state,
)
