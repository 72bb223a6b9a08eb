"""Chkk: how the contract suites reach it (mount, token, sandbox) and what its sandbox lets a run write."""

from __future__ import annotations

from ..profiles import ApiProfile
from ..sandbox import SandboxRules

PROFILE = ApiProfile(
    name="chkk",
    rank=3,
    title="Chkk",
    mount="/chkk",
    token_header="Authorization",
    token_prefix="Bearer ",
    token_env=("RELEASE_MOCK_CHKK_TOKEN", "CHKK_TOKEN"),
    default_token="chkk-all-projects-token-0001",
    sandbox={"project": "proj_a858f4d4-6e5b-4ab5-8d92-e9715b584ec1"},
    sandbox_flags=("project",),
    # Chkk's spec only reads; the guard still stands between its releases and any write a phase invents.
    sandbox_rules=SandboxRules(
        scopes={"/projects/{project}": {"project": "project"}},
        resources={"release": "/projects/{project}/releases/{release}/"},
    ),
    # Chkk's API only reads, so Schemathesis may roam over any Project id it generates.
)
