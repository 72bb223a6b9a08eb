"""The sandbox guard lets through writes that store content by checksum, bound to nothing that is someone else's."""

from __future__ import annotations

import pytest

from contracts.operations import OperationIndex
from contracts.profiles import PROFILES
from contracts.sandbox import SandboxGuard

CHUNKS = "/organizations/{organization_id_or_slug}/chunk-upload/"
ASSEMBLE = "/organizations/{organization_id_or_slug}/artifactbundle/assemble/"
EXISTING = "frontend"


def guard() -> SandboxGuard:
    profile = PROFILES["sentry"]
    return SandboxGuard(
        profile.sandbox_rules,
        OperationIndex.load(profile.spec),
        profile.sandbox,
        lambda path: 200 if EXISTING in path else 404,
    )


@pytest.mark.parametrize(
    ("template", "params", "body", "refused"),
    [
        pytest.param(CHUNKS, {"organization_id_or_slug": "my-org"}, None, None, id="chunks"),
        pytest.param(
            CHUNKS, {"organization_id_or_slug": "other-org"}, None, "is not the sandbox's org", id="chunks-elsewhere"
        ),
        pytest.param(
            ASSEMBLE,
            {"organization_id_or_slug": "my-org"},
            {"projects": ["my-project"], "version": "absent@1"},
            None,
            id="bundle-for-an-absent-release",
        ),
        pytest.param(
            ASSEMBLE,
            {"organization_id_or_slug": "my-org"},
            {"projects": ["my-project"], "version": "frontend@1.0.0"},
            "exists and this run did not create it",
            id="bundle-for-someone-elses-release",
        ),
        pytest.param(
            ASSEMBLE,
            {"organization_id_or_slug": "my-org"},
            {"projects": ["sentry"]},
            "reach beyond the sandbox's project",
            id="bundle-of-another-project",
        ),
    ],
)
def test_content_writes(template: str, params: dict[str, str], body: object, refused: str | None) -> None:
    verdict = guard().verdict("POST", template, params, body)
    if refused is None:
        assert verdict is None
    else:
        assert verdict is not None and refused in verdict


@pytest.mark.parametrize(
    ("project", "refused"),
    [
        pytest.param("my-project", None, id="from-the-sandbox-project"),
        pytest.param("sentry", "is not the sandbox's project", id="from-another-project"),
    ],
)
def test_a_bundle_may_be_deleted_from_the_sandbox_project_alone(project: str, refused: str | None) -> None:
    template = "/projects/{organization_id_or_slug}/{project_id_or_slug}/files/artifact-bundles/"
    params = {"organization_id_or_slug": "my-org", "project_id_or_slug": project}
    verdict = guard().verdict("DELETE", template, params, None, {"bundleId": "1e04fee6-42d5-543b-8256-8e2ca971b91c"})
    if refused is None:
        assert verdict is None
    else:
        assert verdict is not None and refused in verdict
