"""The whole store as one JSON document: ``export_state`` writes it, ``import_state`` puts one back in one step.

``{"format": "release-mock/state", "version": 1, "apis": {name: part}}``: each part is what the
API's plugin dumps (its fixture form, by fixture file stem), so a part could be a fixtures
folder.

An import is all or nothing. The whole document is checked first (the envelope, then every
part by its API's ``check_seed``), every API's data is then built apart from the store, and
only when all of it is ready is it installed, in one step. Any problem rejects the import with
every reason found (``ImportRejected``), and the store stays exactly as it was. APIs the
document does not name keep their state.
"""

from __future__ import annotations

import copy
import dataclasses
import typing as t
from contextlib import ExitStack

from .fixtures import FixtureError
from .plugin import ApiPlugin, discover_plugins
from .store import ApiData, BlobTooLarge, Store

FORMAT = "release-mock/state"
VERSION = 1
ENVELOPE = ("format", "version", "apis")

MountedApi = tuple[ApiPlugin, t.Mapping[str, t.Any]]
"""A mounted API's plugin and its spec document (what ``check_seed`` validates parts against)."""


@dataclasses.dataclass(frozen=True)
class Problem:
    """One reason an import is refused: the API (None for the envelope), a JSON pointer into the document, why."""

    api: str | None
    where: str
    reason: str

    def as_json(self) -> dict[str, t.Any]:
        return {"api": self.api, "where": self.where, "reason": self.reason}


class ImportRejected(Exception):
    """A state document refused as a whole; ``problems`` lists every reason. Nothing was changed."""

    status_code = 400

    def __init__(self, problems: t.Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{problem.where or '/'}: {problem.reason}" for problem in self.problems))

    def as_json(self) -> dict[str, t.Any]:
        """A body for an HTTP 400 (or a CLI's report): the message and every problem."""
        return {"message": "the state document was not imported", "problems": [p.as_json() for p in self.problems]}


def export_state(store: Store, apis: t.Iterable[MountedApi]) -> dict[str, t.Any]:
    """Every mounted API, dumped at one moment (the store's lock held over all of them)."""
    plugins = {name: plugin for name, (plugin, _) in _by_name(apis).items()}
    parts: dict[str, t.Any] = {}
    with ExitStack() as held:
        for plugin in plugins.values():
            data = held.enter_context(store.transaction(plugin.name))
            parts[plugin.name] = plugin.dump_state(data)
    # A copy: the parts share rows with the store, and the caller may change the document.
    document: dict[str, t.Any] = {"format": FORMAT, "version": VERSION, "apis": copy.deepcopy(parts)}
    return document


def import_state(
    store: Store,
    apis: t.Iterable[MountedApi],
    document: t.Any,
    known: t.Collection[str] | None = None,
    *,
    handed_over: bool = False,
) -> None:
    """Replace the state of every API the document names, all at once; ``ImportRejected`` and no change otherwise.

    ``known`` is every API name there is (default: discovery), to tell an unknown API from one not mounted here.
    ``handed_over``: the caller gives the document up (a scenario just compiled), so it is not copied first.
    """
    mounted = _by_name(apis)
    known = set(known if known is not None else (plugin.name for plugin in discover_plugins())) | set(mounted)
    if not handed_over:
        # A copy: the rows installed must not change when the caller changes the document afterwards.
        # (A large import's copy also stays behind as holes in the process's memory once it is freed.)
        document = copy.deepcopy(document)
    parts, problems = _read_envelope(document)
    seeds: dict[str, t.Any] = {}
    for name, part in parts.items():
        name = str(name)
        problem = _refusal(name, part, mounted, known)
        if problem is not None:
            problems.append(problem)
            continue
        plugin, spec = mounted[name]
        try:
            seeds[name] = plugin.check_seed(part, spec)
        except FixtureError as error:
            problems.append(_from_fixture_error(name, error))
    if problems:
        raise ImportRejected(problems)
    built: dict[str, ApiData] = {}
    for name, seed in seeds.items():
        try:
            built[name] = store.build(name, seed, consume=handed_over)
        except FixtureError as error:
            problems.append(_from_fixture_error(name, error))
        except BlobTooLarge as error:
            problems.append(Problem(name, _pointer("apis", name), f"a file is too large: {error}"))
    if problems:
        raise ImportRejected(problems)
    store.install(built)


def _read_envelope(document: t.Any) -> tuple[t.Mapping[str, t.Any], list[Problem]]:
    """The parts by API name and the envelope's problems; rejected at once when the parts cannot be read."""
    if not isinstance(document, t.Mapping):
        raise ImportRejected([Problem(None, "", f"expected a JSON object with {', '.join(ENVELOPE[:3])}")])
    problems = []
    if document.get("format") != FORMAT:
        problems.append(Problem(None, "/format", f"expected {FORMAT!r}"))
    if document.get("version") != VERSION:
        problems.append(Problem(None, "/version", f"expected {VERSION} (the version this server reads)"))
    for member in sorted(set(document) - set(ENVELOPE)):
        problems.append(Problem(None, _pointer(str(member)), f"unexpected member; expected {', '.join(ENVELOPE)}"))
    parts = document.get("apis")
    if not isinstance(parts, t.Mapping):
        problems.append(Problem(None, "/apis", "expected an object whose keys are API names"))
    # Parts are read only from a document that says it is this format and version: checking them
    # by other rules would only add misleading reasons.
    if any(problem.where in ("/format", "/version", "/apis") for problem in problems):
        raise ImportRejected(problems)
    assert isinstance(parts, t.Mapping)
    return parts, problems


def _refusal(name: str, part: t.Any, mounted: t.Mapping[str, MountedApi], known: set[str]) -> Problem | None:
    """Why a part cannot be read at all, before its API checks it."""
    where = _pointer("apis", name)
    if name not in known:
        return Problem(name, where, f"no such API; the APIs are {', '.join(sorted(known))}")
    if name not in mounted:
        return Problem(name, where, f"not mounted on this server; mounted: {', '.join(sorted(mounted))}")
    if not isinstance(part, t.Mapping):
        return Problem(name, where, "expected an object whose keys are fixture file names")
    return None


def _from_fixture_error(api: str, error: FixtureError) -> Problem:
    """A part's problem, placed in the document: the fixture file the error names is a member of the part."""
    if len(error.file.parts) < 2:
        return Problem(api, _pointer("apis", api), error.reason)
    # The fixture loader writes the whole of a file as "/", which in a pointer would name a member "".
    inside = "" if error.where == "/" else error.where
    return Problem(api, _pointer("apis", api, error.file.stem) + inside, error.reason)


def _by_name(apis: t.Iterable[MountedApi]) -> dict[str, MountedApi]:
    # One API may be mounted at several places; its state is one namespace.
    return {plugin.name: (plugin, spec) for plugin, spec in apis}


def _pointer(*members: str) -> str:
    """A JSON pointer (RFC 6901) to nested members."""
    return "".join("/" + member.replace("~", "~0").replace("/", "~1") for member in members)
