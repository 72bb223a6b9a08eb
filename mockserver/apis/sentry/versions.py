"""Release version strings: which ones Sentry refuses (§B.6) and how it reads ``package@version+build``."""

from __future__ import annotations

import re
import typing as t

MAX_VERSION_LENGTH = 200
BAD_CHARACTERS = frozenset("\r\n\f\x0c\t/\\")
RESERVED = (".", "..")

_SEMVER = re.compile(
    r"^(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)(?:\.(?P<revision>0|[1-9]\d*))?"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+(?P<build>[0-9A-Za-z.-]+))?$"
)
_HASH = re.compile(r"^[0-9a-fA-F]{6,64}$")


def is_valid_version(version: str) -> bool:
    if any(character in BAD_CHARACTERS for character in version):
        return False
    stripped = version.strip()
    return bool(stripped) and stripped not in RESERVED and stripped.lower() != "latest"


def version_info(version: str) -> dict[str, t.Any] | None:
    """``versionInfo``, as Sentry's release parser derives it (``shortVersion`` is the version itself)."""
    package, _, rest = version.rpartition("@") if "@" in version else ("", "", version)
    match = _SEMVER.match(rest)
    if match:
        parts = {key: value for key, value in match.groupdict().items()}
        numbers = {key: int(parts[key]) for key in ("major", "minor", "patch")}
        revision = int(parts["revision"]) if parts["revision"] else 0
        core = ".".join(str(numbers[key]) for key in ("major", "minor", "patch"))
        if parts["revision"]:
            core += f".{revision}"
        if parts["pre"]:
            core += f"-{parts['pre']}"
        build = parts["build"]
        description = f"{core} ({build})" if build else core
        return {
            "package": package or None,
            "version": {
                "raw": rest,
                **numbers,
                "revision": revision,
                "pre": parts["pre"],
                "buildCode": build,
                "components": 4 if parts["revision"] else 3,
            },
            "description": description,
            "buildHash": None,
        }
    return {
        "package": package or None,
        "version": {"raw": rest},
        "description": rest,
        "buildHash": rest if _HASH.match(rest) else None,
    }


def semver_key(version: str) -> tuple[t.Any, ...]:
    """Sort key for ``sort=semver``: semver releases by their numbers, the rest after them."""
    rest = version.rpartition("@")[2]
    match = _SEMVER.match(rest)
    if not match:
        return (0, 0, 0, 0, 0, "")
    parts = match.groupdict()
    return (
        1,
        int(parts["major"]),
        int(parts["minor"]),
        int(parts["patch"]),
        int(parts["revision"] or 0),
        # A release without a pre-release part sorts above its pre-releases.
        "~" if parts["pre"] is None else parts["pre"],
    )


def build_key(version: str) -> tuple[int, int]:
    """Sort key for ``sort=build``: the numeric build code, if any."""
    match = _SEMVER.match(version.rpartition("@")[2])
    build = match.group("build") if match else None
    return (1, int(build)) if build and build.isdigit() else (0, 0)


class Semver(t.NamedTuple):
    """The parts Sentry stores for a release whose version parses as ``package@semver``."""

    package: str | None
    major: int
    minor: int
    patch: int
    revision: int
    pre: str
    build: str | None

    @property
    def order(self) -> tuple[int, int, int, int, int, str]:
        """As Sentry compares them: a release sorts above its pre-releases, which sort by their text."""
        return (self.major, self.minor, self.patch, self.revision, 0 if self.pre else 1, self.pre)

    @property
    def build_number(self) -> int | None:
        """The build code as a number, where it is one that fits 64 bits."""
        if self.build is not None and self.build.isdecimal() and int(self.build) < 2**63:
            return int(self.build)
        return None


def semver_of(version: str) -> Semver | None:
    """The semantic version parts of ``version`` (with its package, if any), or None."""
    package, _, rest = version.rpartition("@")
    match = _SEMVER.match(rest)
    if match is None:
        return None
    parts = match.groupdict()
    return Semver(
        package or None,
        int(parts["major"]),
        int(parts["minor"]),
        int(parts["patch"]),
        int(parts["revision"] or 0),
        parts["pre"] or "",
        parts["build"],
    )
