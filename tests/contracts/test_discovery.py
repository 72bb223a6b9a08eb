"""A fourth API's contract is a module in ``contracts/apis`` (plus, if it likes, checks and a state machine)."""

from __future__ import annotations

import pathlib
import sys

import pytest

from contracts import apis, statemachines
from contracts.checks import checks_for
from contracts.profiles import PROFILES, discover_profiles

FOURTH = """
from contracts.profiles import ApiProfile
from contracts.sandbox import SandboxRules

PROFILE = ApiProfile(
    name="forgejo",
    title="Forgejo",
    mount="/api/v1",
    token_header="Authorization",
    token_prefix="token ",
    token_env=("FORGEJO_TOKEN",),
    default_token="forgejo-token",
    sandbox={"repo": "me/sandbox"},
    sandbox_flags=("project",),
    sandbox_rules=SandboxRules(scopes={"/repos/{owner}/{repo}": {"repo": "repo"}}),
)
"""


def test_the_three_apis_are_found_with_their_checks_and_state_machines() -> None:
    assert list(PROFILES) == ["gitlab", "sentry", "chkk"]
    assert set(statemachines.machines()) == set(PROFILES)
    for name in PROFILES:
        assert checks_for(name), name


def test_a_profile_module_dropped_into_contracts_apis_is_found(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "forgejo.py").write_text(FOURTH, encoding="utf-8")
    monkeypatch.setattr(apis, "__path__", [*apis.__path__, str(tmp_path)])
    monkeypatch.delitem(sys.modules, "contracts.apis.forgejo", raising=False)
    try:
        found = discover_profiles()
    finally:
        sys.modules.pop("contracts.apis.forgejo", None)
    assert list(found) == ["gitlab", "sentry", "chkk", "forgejo"]
    assert found["forgejo"].spec.name == "forgejo.yaml"
