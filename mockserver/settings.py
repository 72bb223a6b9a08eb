"""Server settings: one frozen record, built from defaults, environment variables and CLI flags."""

from __future__ import annotations

import dataclasses
import os
import pathlib
import typing as t

from .bundled import CHECKOUT, FIXTURES_DIR, SPECS_DIR

PROJECT_ROOT = CHECKOUT
"""The checkout's root, where the tests read the repository's own files."""


class SettingsError(ValueError):
    """Settings that cannot be served as they stand; the command line prints the message and exits 2."""


class UnknownApi(SettingsError, LookupError):
    """An API was asked for by name (``--api``, ``--mount``, their variables) that no plugin provides."""


class MountClash(SettingsError):
    """Two APIs mounted where one would answer (some of) the other's requests."""


def _env_mounts(environ: t.Mapping[str, str]) -> dict[str, str]:
    """``RELEASE_MOCK_MOUNT_GITLAB=/gl`` style variables -> {"gitlab": "/gl"}."""
    prefix = "RELEASE_MOCK_MOUNT_"
    return {key[len(prefix) :].lower(): value for key, value in environ.items() if key.startswith(prefix)}


def _is_yes(value: str) -> bool:
    return value.lower() in ("1", "true", "yes")


@dataclasses.dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    specs_dir: pathlib.Path = SPECS_DIR
    fixtures_dir: pathlib.Path = FIXTURES_DIR
    apis: tuple[str, ...] = ()
    """Which APIs to serve; empty means every discovered one."""
    mounts: t.Mapping[str, str] = dataclasses.field(default_factory=dict)
    """API name -> mount point, overriding each plugin's default."""
    validate_responses: bool = False
    """Check every response against the spec (the test suite turns this on)."""
    access_log: bool = False
    """``release-mock serve`` writes one line per request."""
    admin_token: str | None = None
    """When set, every call to the admin API (``/__admin``) must carry it as ``Authorization: Bearer <token>``."""
    journal_size: int = 1000
    """How many of the latest requests the journal keeps (0: none)."""
    state_file: pathlib.Path | None = None
    """Where ``serve`` restores the state at start; written on shutdown and on ``POST /__admin/snapshot``."""

    def mount_for(self, name: str, default: str) -> str:
        mount = self.mounts.get(name, default)
        return "/" + mount.strip("/") if mount.strip("/") else ""

    @classmethod
    def from_env(cls, environ: t.Mapping[str, str] | None = None, **overrides: t.Any) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, t.Any] = {}
        if environ.get("HOST"):
            values["host"] = environ["HOST"]
        if environ.get("PORT"):
            values["port"] = _port(environ["PORT"], "PORT")
        if environ.get("RELEASE_MOCK_FIXTURES"):
            values["fixtures_dir"] = pathlib.Path(environ["RELEASE_MOCK_FIXTURES"])
        if environ.get("RELEASE_MOCK_APIS"):
            values["apis"] = tuple(name.strip() for name in environ["RELEASE_MOCK_APIS"].split(",") if name.strip())
        if environ.get("RELEASE_MOCK_VALIDATE_RESPONSES"):
            values["validate_responses"] = _is_yes(environ["RELEASE_MOCK_VALIDATE_RESPONSES"])
        if environ.get("RELEASE_MOCK_ACCESS_LOG"):
            values["access_log"] = _is_yes(environ["RELEASE_MOCK_ACCESS_LOG"])
        if environ.get("RELEASE_MOCK_ADMIN_TOKEN"):
            values["admin_token"] = environ["RELEASE_MOCK_ADMIN_TOKEN"]
        if environ.get("RELEASE_MOCK_JOURNAL_SIZE"):
            values["journal_size"] = _count(environ["RELEASE_MOCK_JOURNAL_SIZE"], "RELEASE_MOCK_JOURNAL_SIZE")
        if environ.get("RELEASE_MOCK_STATE_FILE"):
            values["state_file"] = pathlib.Path(environ["RELEASE_MOCK_STATE_FILE"])
        mounts = _env_mounts(environ)
        if mounts:
            values["mounts"] = mounts
        values.update({key: value for key, value in overrides.items() if value is not None})
        values["port"] = _port(values.get("port", cls.port), "the port")
        values["journal_size"] = _count(values.get("journal_size", cls.journal_size), "the journal size")
        return cls(**values)


def _port(value: object, source: str) -> int:
    """A TCP port (0 picks a free one); ``SettingsError`` naming ``source`` otherwise."""
    try:
        port = int(str(value).strip())
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise SettingsError(f"{source} must be a number from 0 to 65535, got {value!r}")
    return port


def _count(value: object, source: str) -> int:
    """A whole number from 0 up; ``SettingsError`` naming ``source`` otherwise."""
    try:
        count = int(str(value).strip())
    except ValueError:
        count = -1
    if count < 0:
        raise SettingsError(f"{source} must be a whole number from 0 up, got {value!r}")
    return count
