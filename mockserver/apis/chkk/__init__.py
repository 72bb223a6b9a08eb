"""Chkk's ProjectRelease API (v2): get one release of a Project, list a Project's releases."""

from __future__ import annotations

import pathlib
import typing as t

from ...fixtures import load_folder
from ...plugin import ApiPlugin
from .handlers import HANDLERS
from .state import build_state, check_references
from .wire import render_error

FIXTURE_SCHEMA = pathlib.Path(__file__).with_name("fixture_schema.yaml")


def load_seed(folder: pathlib.Path, spec: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    seed = load_folder(folder, FIXTURE_SCHEMA, spec)
    check_references(folder, seed)
    return seed


PLUGIN = ApiPlugin(
    name="chkk",
    spec_file="chkk.yaml",
    default_mount="/chkk",
    handlers=HANDLERS,
    render_error=render_error,
    load_seed=load_seed,
    build_state=build_state,
)
