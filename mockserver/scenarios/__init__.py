"""Scenarios: declarative worlds in ``fixtures/scenarios/*.yaml``, compiled to a state document the app imports.

``list_scenarios()`` names the shipped ones; ``compile_scenario(name_or_path, seed, now)`` gives the
document (the same scenario, seed and now give the same bytes); ``MockApp.load_scenario`` imports it.
"""

from __future__ import annotations

from .catalogue import SCENARIOS_DIR, list_scenarios, scenario_file
from .compiler import DEFAULT_SEED, bundled_apis, compile_scenario
from .source import ScenarioError

__all__ = [
    "DEFAULT_SEED",
    "SCENARIOS_DIR",
    "ScenarioError",
    "bundled_apis",
    "compile_scenario",
    "list_scenarios",
    "scenario_file",
]
