"""A scenario compiled to a state document: the base's fixture data, the scenario's records, then generated ones.

The document is what ``MockApp.import_state`` takes, so loading a scenario is an import: checked
whole, built apart, installed at once. Before anything is generated, the records the file writes
out are checked by each API's own ``check_seed``, so that a bad one is reported at its place in
the file (line and JSON pointer), not somewhere in a document of ten thousand releases.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from ..bundled import FIXTURES_DIR, SPECS_DIR
from ..clock import iso_stored
from ..fixtures import FixtureError, read_yaml
from ..plugin import ApiPlugin, discover_plugins
from ..state_document import FORMAT, VERSION
from .catalogue import scenario_file
from .generators import Context, Generator, Ids, generators
from .moments import RELATIVE, moment
from .providers import seeded_faker
from .source import ScenarioError, ScenarioSource, pointer

MountedApi = tuple[ApiPlugin, t.Mapping[str, t.Any]]
Path = list[t.Any]
DEFAULT_SEED = 0
# Fields of the fixture forms that hold a moment or a day: there a scenario may write `now`, `-2y`, `+30d`.
MOMENT_FIELDS = frozenset(
    {
        "created_at", "updated_at", "released_at", "collected_at", "authored_date", "committed_date",
        "dateCreated", "dateReleased", "dateStarted", "dateFinished", "timestamp", "created_on", "last_modified_on",
        "adopted", "unadopted",
    }
)  # fmt: skip
DAY_FIELDS = frozenset({"due_date", "start_date", "published_on"})


def bundled_apis() -> list[MountedApi]:
    """Every API, with its bundled spec (for compiling outside an app)."""
    return [(plugin, read_yaml(SPECS_DIR / plugin.spec_file)) for plugin in discover_plugins()]


def compile_scenario(
    name_or_path: str, seed: int | None, now: dt.datetime, apis: t.Iterable[MountedApi] | None = None
) -> dict[str, t.Any]:
    """The state document of a scenario (a shipped name or a file's path) for ``seed`` at the clock's ``now``.

    ``apis``: the APIs to make parts for, each with its spec (default: every API, bundled specs).
    ``base: default`` is the bundled default fixtures, whatever folder a server was started with.
    The same scenario, seed and ``now`` give the same document, byte for byte. ``ScenarioError``
    (file, place, line, reason) when the scenario cannot be compiled.
    """
    source = ScenarioSource(scenario_file(name_or_path))
    chosen = generators()
    parts = {}
    for plugin, spec in bundled_apis() if apis is None else apis:
        if plugin.name in chosen:
            seeded = f"{DEFAULT_SEED if seed is None else seed}:{plugin.name}"
            parts[plugin.name] = _compile_api(source, plugin, spec, chosen[plugin.name], seeded, now)
    return {"format": FORMAT, "version": VERSION, "apis": parts}


def _compile_api(
    source: ScenarioSource,
    plugin: ApiPlugin,
    spec: t.Mapping[str, t.Any],
    generator: Generator,
    seed: str,
    now: dt.datetime,
) -> dict[str, t.Any]:
    name = plugin.name
    base = plugin.load_seed(FIXTURES_DIR / name, spec)
    if source.base == "empty":
        base = {stem: [] for stem, value in base.items() if isinstance(value, list)}
    section = _with_moments(source.data.get(name, {}), now)
    merged, origins, blocks = _merged(base, section, generator.keys, name)
    try:
        plugin.check_seed(merged, spec)
    except FixtureError as error:
        raise _located(source, name, error, origins) from None
    context = Context(seeded_faker(seed), now, Ids(generator.last_id(merged)), merged)
    for stem, index, block, path in blocks:
        record = merged[stem][index]
        try:
            extra = generator.generate(record, block, context)
        except ValueError as error:
            source.fail([*path, "generate"], str(error))
        for part, records in extra.items():
            merged.setdefault(part, []).extend(records)
    return merged


Origins = dict[tuple[str, int], tuple[Path, dict[str, int]]]
"""(part, index in the merged data) -> (path in the file, the base's length of each list the record extended)."""


def _merged(
    base: t.Mapping[str, t.Any], section: t.Mapping[str, t.Any], keys: t.Mapping[str, str], api: str
) -> tuple[dict[str, t.Any], Origins, list[tuple[str, int, t.Mapping[str, t.Any], Path]]]:
    """The base with the scenario's records added, where each came from, and the generate blocks to run."""
    merged = {stem: list(value) if isinstance(value, list) else value for stem, value in base.items()}
    origins: Origins = {}
    blocks = []
    for stem, records in section.items():
        key = keys.get(stem)
        target = merged.setdefault(stem, [])
        for file_index, written in enumerate(records):
            record = dict(written)
            block = record.pop("generate", None)
            path: Path = [api, stem, file_index]
            found = next(
                (i for i, old in enumerate(target) if key and key in record and old.get(key) == record[key]), None
            )
            if found is None:
                target.append(record)
                index, lengths = len(target) - 1, {}
            else:
                index, old = found, target[found]
                lengths = {field: len(value) for field, value in old.items() if isinstance(value, list)}
                target[found] = _extended(old, record)
            origins[(stem, index)] = (path, lengths)
            if block is not None:
                blocks.append((stem, index, block, path))
    return merged, origins, blocks


def _extended(old: t.Mapping[str, t.Any], new: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """A base record extended by the scenario's: lists grow, mappings are merged, other fields replaced."""
    record = dict(old)
    for field, value in new.items():
        if isinstance(value, list) and isinstance(old.get(field), list):
            record[field] = [*old[field], *value]
        elif isinstance(value, dict) and isinstance(old.get(field), dict):
            record[field] = {**old[field], **value}
        else:
            record[field] = value
    return record


def _with_moments(value: t.Any, now: dt.datetime, field: str = "") -> t.Any:
    """The scenario's records with relative moments (``-2y``, ``now``) written as moments from ``now``."""
    if isinstance(value, dict):
        return {key: item if key == "generate" else _with_moments(item, now, key) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_moments(item, now, field) for item in value]
    if isinstance(value, str) and (value == "now" or RELATIVE.match(value)):
        if field in MOMENT_FIELDS:
            return iso_stored(moment(value, now))
        if field in DAY_FIELDS:
            return moment(value, now).date().isoformat()
    return value


def _located(source: ScenarioSource, api: str, error: FixtureError, origins: Origins) -> ScenarioError:
    """An API's complaint about the merged data, placed in the scenario file where the record was written."""
    stem = error.file.name
    inside = [] if error.where in ("", "/") else [_unescape(part) for part in error.where.split("/")[1:]]
    if inside and inside[0].isdigit() and (stem, int(inside[0])) in origins:
        path, lengths = origins[(stem, int(inside[0]))]
        rest: Path = [int(part) if part.isdigit() else part for part in inside[1:]]
        if len(rest) > 1 and rest[0] in lengths and isinstance(rest[1], int):
            rest[1] -= lengths[rest[0]]
        if not (len(rest) > 1 and isinstance(rest[1], int) and rest[1] < 0):
            where = [*path, *rest]
            return ScenarioError(source.file, pointer(where), error.reason, source.line_of(where))
    reason = f"{error.reason} (in the {api} data this scenario makes, {stem} at {error.where or '/'})"
    return ScenarioError(source.file, pointer([api]), reason, source.line_of([api]))


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")
