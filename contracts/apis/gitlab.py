"""GitLab: how the contract suites reach it (mount, token, sandbox) and what its sandbox lets a run write."""

from __future__ import annotations

import math

from ..profiles import ApiProfile
from ..sandbox import SandboxRules


def ruby_text(value: bool | int | float) -> str:
    """The text GitLab's Grape makes of a JSON scalar sent for a text field: what Ruby's ``to_s`` writes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    # Ruby and Python's shortest repr agree on the digits and where an exponent starts; Ruby keeps
    # a fraction in the mantissa (1.0e+16).
    mantissa, marker, exponent = repr(value).partition("e")
    return f"{mantissa}.0e{exponent}" if marker and "." not in mantissa else repr(value)


PROFILE = ApiProfile(
    name="gitlab",
    rank=1,
    title="GitLab",
    mount="/api/v4",
    token_header="PRIVATE-TOKEN",
    token_prefix="",
    token_env=("RELEASE_MOCK_GITLAB_TOKEN", "GITLAB_TOKEN"),
    default_token="glpat-maintainer-000000000001",
    sandbox={"project": "24"},
    sandbox_flags=("project",),
    sandbox_rules=SandboxRules(
        scopes={"/projects/{id}": {"id": "project"}},
        # A release lives on its tag: the tag's name is the release's, and deleting the tag deletes it.
        # A generic package file is written only where that file is not there yet or is the run's
        # (the probe reads the very file the write names).
        resources={
            "tag_name": "/projects/{id}/repository/tags/{tag_name}",
            "milestone_id": "/projects/{id}/milestones/{milestone_id}",
            "package_name": "/projects/{id}/packages/generic/{package_name}/{package_version}/{file_name}",
        },
        creates={"createRelease": "tag_name", "createRepositoryTag": "tag_name"},
        # GitLab numbers a new milestone itself: the run owns the ids its creates answered with.
        named_by_server={"createProjectMilestone": ("milestone_id", "id")},
        # An upload is kept under a new random secret: it never touches an existing file.
        fresh=frozenset({"createProjectUpload"}),
        # A tag name sent as a JSON number or boolean names the tag by its text.
        scalar_name=ruby_text,
    ),
    # Every project-scoped operation writes (or reads) only in the sandbox project; /groups/{id} is read-only.
    schemathesis_pins=({"include-path-regex": "^/projects/\\{id\\}", "parameters": {"path.id": "{project}"}},),
)
