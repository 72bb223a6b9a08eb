"""One ``ApiProfile`` per API: its spec, where it is mounted, how a token travels, and the default sandbox."""

from __future__ import annotations

import dataclasses
import importlib
import os
import pathlib
import pkgutil
import typing as t

from mockserver.bundled import SPECS_DIR as SPECS

from .sandbox import SandboxRules

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
    sandbox_rules: SandboxRules
    """Where writes may go and how they name what they act on (see ``contracts.sandbox``)."""
    schemathesis_pins: t.Sequence[t.Mapping[str, t.Any]] = ()
    """``[[operations]]`` entries that pin Schemathesis' path parameters to the sandbox (values formatted from it).

    At most one may match an operation: Schemathesis does not merge the ``parameters`` of two.
    """
    rank: int = 100
    """Where the API comes among the others (``contract all``, reports); ties go by name."""

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


def discover_profiles() -> dict[str, ApiProfile]:
    """Every ``PROFILE`` of a module of ``contracts.apis``, by API name: a new API is a new module there."""
    from . import apis

    found: dict[str, ApiProfile] = {}
    for module in pkgutil.iter_modules(apis.__path__):
        profile = getattr(importlib.import_module(f"{apis.__name__}.{module.name}"), "PROFILE", None)
        if isinstance(profile, ApiProfile):
            found[profile.name] = profile
    return dict(sorted(found.items(), key=lambda item: (item[1].rank, item[0])))


PROFILES: dict[str, ApiProfile] = discover_profiles()
