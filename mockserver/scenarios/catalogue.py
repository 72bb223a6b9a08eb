"""The scenarios shipped in ``fixtures/scenarios/``: their names and descriptions, and a name or path to its file."""

from __future__ import annotations

import pathlib

from ..bundled import FIXTURES_DIR
from .source import ScenarioError, ScenarioSource

SCENARIOS_DIR = FIXTURES_DIR / "scenarios"


def scenario_files(folder: pathlib.Path = SCENARIOS_DIR) -> dict[str, pathlib.Path]:
    """Every shipped scenario by name (its file's stem), in name order."""
    return {file.stem: file for file in sorted(folder.glob("*.yaml"))}


def list_scenarios(folder: pathlib.Path = SCENARIOS_DIR) -> list[tuple[str, str]]:
    """``(name, one-line description)`` of every shipped scenario, in name order."""
    return [(name, ScenarioSource(file).description) for name, file in scenario_files(folder).items()]


def scenario_file(name_or_path: str | pathlib.Path, folder: pathlib.Path = SCENARIOS_DIR) -> pathlib.Path:
    """The file of a shipped scenario's name, or the path given; ``ScenarioError`` naming the choices otherwise."""
    shipped = scenario_files(folder)
    if str(name_or_path) in shipped:
        return shipped[str(name_or_path)]
    path = pathlib.Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or len(path.parts) > 1:
        if not path.is_file():
            raise ScenarioError(path, "", "no such file")
        return path
    raise ScenarioError(path, "", f"no such scenario; the scenarios are {', '.join(shipped)} (or give a file's path)")
