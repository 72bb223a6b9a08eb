"""Sentry: how the contract suites reach it (mount, token, sandbox) and what its sandbox lets a run write."""

from __future__ import annotations

from ..profiles import ApiProfile
from ..sandbox import SandboxRules

PROFILE = ApiProfile(
    name="sentry",
    rank=2,
    title="Sentry",
    mount="/api/0",
    token_header="Authorization",
    token_prefix="Bearer ",
    token_env=("RELEASE_MOCK_SENTRY_TOKEN", "SENTRY_AUTH_TOKEN"),
    default_token="sntrys-mock-admin-00000000000000001",
    sandbox={"org": "my-org", "project": "my-project"},
    sandbox_flags=("org", "project"),
    sandbox_rules=SandboxRules(
        scopes={
            "/organizations/{organization_id_or_slug}": {"organization_id_or_slug": "org"},
            "/projects/{organization_id_or_slug}/{project_id_or_slug}": {
                "organization_id_or_slug": "org",
                "project_id_or_slug": "project",
            },
        },
        resources={"version": "/organizations/{organization_id_or_slug}/releases/{version}/"},
        # A release is the organization's, whichever endpoint creates it: the project's create
        # names it in its body too, and its other paths by the same ``version``.
        creates={"createOrganizationRelease": "version", "createProjectRelease": "version"},
        # A release or deploy names its projects: only the sandbox project may be among them.
        body_scope={"projects": "project"},
        # Chunks and bundles are kept by checksum; a bundle is bound to a release name, which
        # must be the run's or not exist (it need not exist for the bundle to be stored).
        stores_content={"uploadChunks": None, "assembleArtifactBundle": "version"},
        # A bundle deleted through the sandbox project leaves that project; others keep theirs.
        unbinds_content=frozenset({"deleteProjectArtifactBundle"}),
        # Emptying a release's files names the release in the query.
        query_names={"deleteProjectSourceMaps": {"name": "version"}},
    ),
    # One entry for both: where two entries match an operation, Schemathesis keeps one's parameters.
    schemathesis_pins=(
        {
            "include-path-regex": "^/",
            "parameters": {"path.organization_id_or_slug": "{org}", "path.project_id_or_slug": "{project}"},
        },
    ),
)
