"""Sentry's release search syntax, as the organization's release list reads ``query``.

A query is words and ``key:value`` filters, separated by spaces (a quoted value or a ``[a, b]``
list may hold spaces). Every filter must hold for a release to be listed. The keys Sentry
accepts here are ``release``, ``release.version``, ``release.package``, ``release.build``,
``release.stage``, ``finalized`` and ``release.created``; any other key, and ``AND``/``OR``,
answer 400. Words are free text: when there are any, the *whole* query must be part of the
version (any case), as Sentry compares it, or ``name (build)`` must match ``name+build``.
"""

from __future__ import annotations

import dataclasses
import operator
import re
import typing as t

from ...errors import BadRequest
from ...store import Row
from .versions import Semver, semver_of

RELEASE = "release"
SEMVER = "release.version"
PACKAGE = "release.package"
BUILD = "release.build"
STAGE = "release.stage"
FINALIZED = "finalized"
CREATED = "release.created"
KEYS = frozenset({RELEASE, SEMVER, PACKAGE, BUILD, STAGE, FINALIZED, CREATED})
COMPARABLE = frozenset({SEMVER, BUILD, CREATED})
"""Keys whose value may start with a comparison (``release.version:>=1.2.0``)."""

STAGES = frozenset({"adopted", "low_adoption", "replaced"})
SEMVER_WILDCARDS = frozenset({"*", "X"})

INVALID_SEMVER = 'Invalid format of semantic version. For searching non-semver releases, use "release:" instead.'
BOOLEANS = 'Boolean statements containing "OR" or "AND" are not supported in this search'

_FILTER = re.compile(r"^(?P<negated>!?)(?P<key>[a-zA-Z0-9_.-]+):(?P<value>.*)$", re.DOTALL)
_COMPARISON = re.compile(r"^(>=|<=|>|<|=)")
_SUFFIX = re.compile(r"^(.*)\s+\(([^)]+)\)\s*$")
_COMPARE: dict[str, t.Callable[[t.Any, t.Any], bool]] = {
    "=": operator.eq,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


@dataclasses.dataclass(frozen=True)
class Filter:
    key: str
    operator: str
    """``=``, ``!=``, ``>``, ``>=``, ``<``, ``<=``, ``IN`` or ``NOT IN``."""
    value: t.Any
    """A string, or a list of strings for ``IN``/``NOT IN``."""


@dataclasses.dataclass(frozen=True)
class Scope:
    """What a filter may look at besides the release: the projects and environments of the request."""

    project_ids: t.Sequence[int]
    environments: t.Sequence[str]
    latest: t.Callable[[], set[str]]
    """The versions ``release:latest`` names (computed only when asked)."""
    stages: t.Callable[[Row], set[str]]
    """The adoption stages of the release in each of the scope's projects that have seen it."""


def split(query: str) -> list[str]:
    """Terms separated by whitespace; quotes and brackets keep theirs."""
    terms, term, quote, depth = [], "", None, 0
    for char in query:
        if quote is None and depth == 0 and char.isspace():
            if term:
                terms.append(term)
            term = ""
            continue
        term += char
        if quote is not None:
            quote = None if char == quote and not term.endswith("\\" + char) else quote
        elif char == '"':
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
    if term:
        terms.append(term)
    return terms


def _unquoted(value: str) -> str:
    if len(value) > 1 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"')
    return value


def parse(query: str) -> tuple[list[Filter], bool]:
    """The query's filters and whether it has free text; 400 (``{"detail": ...}``) for what Sentry refuses."""
    filters: list[Filter] = []
    free_text = False
    for term in split(query):
        if term.upper() in ("AND", "OR"):
            raise BadRequest(BOOLEANS)
        found = _FILTER.match(term)
        if found is None:
            free_text = True
            continue
        key, raw = found["key"], found["value"]
        if key not in KEYS:
            raise BadRequest(f"Invalid key for this search: {key}")
        negated = bool(found["negated"])
        if raw.startswith("[") and raw.endswith("]"):
            values = [_unquoted(item.strip()) for item in raw[1:-1].split(",") if item.strip()]
            filters.append(Filter(key, "NOT IN" if negated else "IN", values))
            continue
        comparison = _COMPARISON.match(raw) if key in COMPARABLE else None
        op = comparison.group(1) if comparison else "="
        value = _unquoted(raw[len(op) :] if comparison else raw)
        filters.append(Filter(key, "!=" if negated and op == "=" else op, value))
    return filters, free_text


class ReleaseSearch:
    """A parsed query: ``matches(release)`` says whether a release passes every filter."""

    def __init__(self, query: str, scope: Scope) -> None:
        self.query = query
        self.filters, self.free_text = parse(query)
        self.scope = scope
        self._checks = [self._check_of(item) for item in self.filters]
        self._latest: set[str] | None = None

    def __bool__(self) -> bool:
        return self.free_text or bool(self.filters)

    def matches(self, release: Row) -> bool:
        version: str = release["version"]
        if self.free_text and not _free_text_matches(self.query, version):
            return False
        return all(check(release) for check in self._checks)

    # -- one check per filter, built once -------------------------------------------------------

    def _check_of(self, item: Filter) -> t.Callable[[Row], bool]:
        if item.key == RELEASE:
            return self._release_check(item)
        if item.key == SEMVER:
            return _semver_check(item)
        if item.key == PACKAGE:
            return _negatable(item, lambda semver: semver is not None and semver.package == item.value)
        if item.key == BUILD:
            return _build_check(item)
        if item.key == STAGE:
            return self._stage_check(item)
        if item.key == FINALIZED:
            # Sentry reads the value alone: ``!finalized:true`` is ``finalized:true``.
            wanted = {"true": True, "false": False}.get(str(item.value))
            return lambda release: wanted is None or (release["date_released"] is not None) == wanted
        return lambda release: True  # release.created: accepted, and not applied by the list

    def _release_check(self, item: Filter) -> t.Callable[[Row], bool]:
        if item.operator in ("IN", "NOT IN"):
            names = set(item.value)
            return lambda release: (release["version"] in names) == (item.operator == "IN")
        value: str = item.value
        kind, text = _wildcard(value)
        # As Sentry checks them: a wildcard decides before the operator, so ``!release:1.*`` is ``release:1.*``.
        if kind == "infix":
            return lambda release: text in release["version"]
        if kind == "suffix":
            return lambda release: release["version"].endswith(text)
        if kind == "prefix":
            return lambda release: release["version"].startswith(text)
        if kind == "pattern":
            return lambda release: False  # compared as a pattern's text, which no version equals
        if item.operator == "!=":
            return lambda release: release["version"] != value
        if value == "latest":
            return lambda release: release["version"] in self.latest()
        return lambda release: release["version"] == value

    def latest(self) -> set[str]:
        if self._latest is None:
            self._latest = self.scope.latest()
        return self._latest

    def _stage_check(self, item: Filter) -> t.Callable[[Row], bool]:
        if len(self.scope.environments) != 1:
            raise BadRequest("Choose a single environment to filter by release stage.")
        stages = set(item.value) if isinstance(item.value, list) else {item.value}
        if not stages <= STAGES:
            raise BadRequest("Unsupported release.stage value.")
        if item.operator in ("=", "IN"):
            return lambda release: bool(self.scope.stages(release) & stages)
        return lambda release: bool(self.scope.stages(release) - stages)


def _free_text_matches(query: str, version: str) -> bool:
    folded = version.lower()
    if query.lower() in folded:
        return True
    suffix = _SUFFIX.match(query)
    return suffix is not None and f"{suffix.group(1)}+{suffix.group(2)}".lower() in folded


def _wildcard(value: str) -> tuple[str, str]:
    """How Sentry classifies a ``release:`` value: infix, suffix or prefix (with the text), else plain or pattern."""
    if "*" not in value:
        return "plain", value
    inner = value.strip("*")
    if "*" in inner:
        return "pattern", value
    if value.startswith("*") and value.endswith("*") and len(value) > 1:
        return "infix", inner
    if value.startswith("*"):
        return "suffix", inner
    return "prefix", inner


def _negatable(item: Filter, holds: t.Callable[[Semver | None], bool]) -> t.Callable[[Row], bool]:
    negated = item.operator == "!="
    return lambda release: holds(semver_of(release["version"])) != negated


def _semver_check(item: Filter) -> t.Callable[[Row], bool]:
    if item.operator in ("IN", "NOT IN"):
        raise BadRequest("Invalid operation 'IN' for semantic version filter.")
    value: str = item.value
    package, _, text = value.rpartition("@") if "@" in value else ("", "", value)
    target = semver_of(f"{package or 'sentry'}@{text}")
    negated = item.operator == "!="
    if target is not None:
        compare = _COMPARE["=" if negated else item.operator]
        wanted_package = package or None

        def holds(semver: Semver | None) -> bool:
            if semver is None or (wanted_package is not None and semver.package != wanted_package):
                return False
            return compare(semver.order, t.cast(Semver, target).order)

        return _negatable(item, holds)
    # Not a whole version: a prefix of numbers up to a wildcard (``1.2.*``), compared part by part.
    parts: list[int] = []
    for part in text.split(".", 3) if text else []:
        if part in SEMVER_WILDCARDS:
            break
        if not part.isdecimal():
            raise BadRequest(INVALID_SEMVER)
        parts.append(int(part))

    def prefix_holds(semver: Semver | None) -> bool:
        if package and (semver is None or semver.package != package):
            return False
        if not parts:
            return True
        return semver is not None and list(semver.order[: len(parts)]) == parts

    return _negatable(item, prefix_holds)


def _build_check(item: Filter) -> t.Callable[[Row], bool]:
    if item.operator in ("IN", "NOT IN"):
        raise BadRequest("Invalid operation 'IN' for semantic version filter.")
    value: str = item.value
    negated = item.operator == "!="
    if value.isdecimal() and int(value) < 2**63:
        number, compare = int(value), _COMPARE["=" if negated else item.operator]

        def holds(semver: Semver | None) -> bool:
            build = semver.build_number if semver is not None else None
            return build is not None and compare(build, number)

    elif not value or value.endswith("*"):

        def holds(semver: Semver | None) -> bool:
            return semver is not None and semver.build is not None and semver.build.startswith(value[:-1])

    else:

        def holds(semver: Semver | None) -> bool:
            return semver is not None and semver.build == value

    return _negatable(item, holds)
