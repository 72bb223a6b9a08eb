"""One ``ApiProfile`` per API: its spec, where it is mounted, how a token travels, and the default sandbox."""

from __future__ import annotations

import dataclasses
import os
import pathlib
import typing as t

from mockserver.bundled import SPECS_DIR as SPECS

SETTINGS = pathlib.Path(__file__).resolve().parent
"""Where ``<api>.schemathesis.toml`` lives."""


@dataclasses.dataclass(frozen=True)
class ApiProfile:
    name: str
    title: str
    mount: str
    """Default mount point under a server's root URL (``/api/v4``)."""
    token_header: str
    token_prefix: str
    """Put before the token in ``token_header`` (``"Bearer "``), or nothing."""
    token_env: tuple[str, ...]
    """Environment variables read for the token, first set wins; the last one names the report's placeholder."""
    default_token: str
    """The mock's token with the rights the suite needs; used when no flag or variable gives one."""
    sandbox: t.Mapping[str, str]
    """Where write mode may create and delete: ``project`` (and ``org`` for Sentry)."""
    sandbox_flags: tuple[str, ...]
    """Which of ``--project`` / ``--org`` this API takes."""
    schemathesis_pins: t.Sequence[t.Mapping[str, t.Any]] = ()
    """``[[operations]]`` entries that pin Schemathesis' path parameters to the sandbox (values formatted from it).

    At most one may match an operation: Schemathesis does not merge the ``parameters`` of two.
    """

    @property
    def spec(self) -> pathlib.Path:
        return SPECS / f"{self.name}.yaml"

    @property
    def schemathesis_settings(self) -> pathlib.Path:
        return SETTINGS / f"{self.name}.schemathesis.toml"

    @property
    def placeholder(self) -> str:
        """What a report prints instead of the token: ``$GITLAB_TOKEN``."""
        return f"${self.token_env[-1]}"

    def token(self, flag: str | None = None, environ: t.Mapping[str, str] | None = None) -> str:
        environ = os.environ if environ is None else environ
        if flag:
            return flag
        for name in self.token_env:
            if environ.get(name):
                return environ[name]
        return self.default_token

    def auth_headers(self, token: str) -> dict[str, str]:
        return {self.token_header: f"{self.token_prefix}{token}"}

    def sandbox_with(self, **overrides: str | None) -> dict[str, str]:
        return {**self.sandbox, **{key: value for key, value in overrides.items() if value}}


GITLAB = ApiProfile(
    name="gitlab",
    title="GitLab",
    mount="/api/v4",
    token_header="PRIVATE-TOKEN",
    token_prefix="",
    token_env=("RELEASE_MOCK_GITLAB_TOKEN", "GITLAB_TOKEN"),
    default_token="glpat-maintainer-000000000001",
    sandbox={"project": "24"},
    sandbox_flags=("project",),
    # Every project-scoped operation writes (or reads) only in the sandbox project; /groups/{id} is read-only.
    schemathesis_pins=({"include-path-regex": "^/projects/\\{id\\}", "parameters": {"path.id": "{project}"}},),
)

SENTRY = ApiProfile(
    name="sentry",
    title="Sentry",
    mount="/api/0",
    token_header="Authorization",
    token_prefix="Bearer ",
    token_env=("RELEASE_MOCK_SENTRY_TOKEN", "SENTRY_AUTH_TOKEN"),
    default_token="sntrys-mock-admin-00000000000000001",
    sandbox={"org": "my-org", "project": "my-project"},
    sandbox_flags=("org", "project"),
    # One entry for both: where two entries match an operation, Schemathesis keeps one's parameters.
    schemathesis_pins=(
        {
            "include-path-regex": "^/",
            "parameters": {"path.organization_id_or_slug": "{org}", "path.project_id_or_slug": "{project}"},
        },
    ),
)

CHKK = ApiProfile(
    name="chkk",
    title="Chkk",
    mount="/chkk",
    token_header="Authorization",
    token_prefix="Bearer ",
    token_env=("RELEASE_MOCK_CHKK_TOKEN", "CHKK_TOKEN"),
    default_token="chkk-all-projects-token-0001",
    sandbox={"project": "proj_a858f4d4-6e5b-4ab5-8d92-e9715b584ec1"},
    sandbox_flags=("project",),
    # Chkk's API only reads, so Schemathesis may roam over any Project id it generates.
)

PROFILES: dict[str, ApiProfile] = {profile.name: profile for profile in (GITLAB, SENTRY, CHKK)}
