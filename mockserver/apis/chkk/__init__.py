"""Chkk's ProjectRelease API (v2): get one release of a Project, list a Project's releases."""

from __future__ import annotations

import pathlib
import typing as t

from ...fixtures import load_folder, validate_seed
from ...plugin import ApiPlugin
from .answer_headers import WIRE_POLICY
from .handlers import HANDLERS
from .state import TABLES, check_references, dump_state, load_state
from .wire import render_error

FIXTURE_SCHEMA = pathlib.Path(__file__).with_name("fixture_schema.yaml")
NAME = "chkk"


def load_seed(folder: pathlib.Path, spec: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    seed = load_folder(folder, FIXTURE_SCHEMA, spec)
    check_references(seed, lambda stem: folder / f"{stem}.yaml")
    return seed


def check_seed(seed: t.Any, spec: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Fixture data held in memory (an import), checked as ``load_seed`` checks the files."""
    checked = validate_seed(seed, FIXTURE_SCHEMA, spec, NAME)
    check_references(checked, lambda stem: pathlib.Path(NAME, stem))
    return checked


PLUGIN = ApiPlugin(
    name=NAME,
    spec_file="chkk.yaml",
    default_mount="/chkk",
    handlers=HANDLERS,
    render_error=render_error,
    load_seed=load_seed,
    tables=TABLES,
    load_state=load_state,
    dump_state=dump_state,
    check_seed=check_seed,
    wire=WIRE_POLICY,
)
