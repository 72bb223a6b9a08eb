"""Load an API's fixture folder and check it against a schema that points into the API's spec.

Each API keeps a ``fixture_schema.yaml`` beside its code. Its ``$ref``s name the spec's own
components (``spec#/components/schemas/ReleaseCreateRequest``), so fixtures are held to the
same rules as requests. A bad file stops start-up with the file, the place inside it and why.
"""

from __future__ import annotations

import pathlib
import typing as t

import jsonschema_rs
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

# libyaml's loader when present: the specs are large, and start-up reads them all.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


T = t.TypeVar("T")


class JsonLoader(SAFE_LOADER):  # type: ignore[misc, valid-type]
    """YAML read as JSON would hold it: an unquoted date or time stays the string it was written as.

    Fixture data becomes rows in the store, which keep JSON values only (and are exported as JSON).
    """


JsonLoader.add_constructor("tag:yaml.org,2002:timestamp", SAFE_LOADER.construct_yaml_str)


class FixtureError(Exception):
    def __init__(self, file: pathlib.Path, where: str, reason: str) -> None:
        super().__init__(f"{file}: at {where or '/'}: {reason}")
        self.file = file
        self.where = where
        self.reason = reason


def read_yaml(file: pathlib.Path) -> t.Any:
    try:
        with open(file, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=JsonLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FixtureError(file, where, f"not valid YAML: {getattr(error, 'problem', error)}") from None
    except OSError as error:
        raise FixtureError(file, "", f"cannot be read: {error.strerror}") from None


def load_folder(folder: pathlib.Path, schema_file: pathlib.Path, spec: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Every ``*.yaml`` file of ``folder`` by stem, each validated against its part of the schema."""
    schema = read_yaml(schema_file)
    seed: dict[str, t.Any] = {}
    for file in sorted(folder.glob("*.yaml")):
        if file.stem not in schema.get("files", {}):
            raise FixtureError(file, "", f"unexpected fixture file; expected one of {sorted(schema.get('files', {}))}")
        seed[file.stem] = read_yaml(file)
    return _validated(seed, schema, spec, lambda stem: folder / f"{stem}.yaml")


def validate_seed(
    seed: t.Mapping[str, t.Any], schema_file: pathlib.Path, spec: t.Mapping[str, t.Any], origin: str
) -> dict[str, t.Any]:
    """Fixture data held in memory (an import, a dump), by file stem, validated as ``load_folder`` validates files.

    ``origin`` names where the data came from in errors, e.g. ``import:gitlab`` gives ``import:gitlab/projects``.
    """
    schema = read_yaml(schema_file)
    if not isinstance(seed, t.Mapping):
        raise FixtureError(pathlib.Path(origin), "", "expected an object whose keys are fixture file names")
    unexpected = sorted(set(seed) - set(schema.get("files", {})))
    if unexpected:
        raise FixtureError(
            pathlib.Path(origin, unexpected[0]),
            "",
            f"unexpected part; expected one of {sorted(schema.get('files', {}))}",
        )
    return _validated(dict(seed), schema, spec, lambda stem: pathlib.Path(origin, stem))


def _validated(
    seed: dict[str, t.Any],
    schema: t.Mapping[str, t.Any],
    spec: t.Mapping[str, t.Any],
    where: t.Callable[[str], pathlib.Path],
) -> dict[str, t.Any]:
    registry = Registry().with_resource("spec", Resource.from_contents(dict(spec), default_specification=DRAFT202012))
    fast_registry = _fast_registry(spec)
    for stem, data in seed.items():
        file_schema = {**schema["files"][stem], "$defs": schema.get("$defs", {})}
        if fast_registry is not None and _fast_verdict(file_schema, fast_registry, data):
            continue
        validator = Draft202012Validator(
            file_schema,
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        errors = sorted(validator.iter_errors(data), key=lambda error: list(map(str, error.absolute_path)))
        if errors:
            path = "/" + "/".join(str(part) for part in errors[0].absolute_path)
            raise FixtureError(where(stem), path, errors[0].message)
    for required in schema.get("required", []):
        if required not in seed:
            raise FixtureError(where(required), "", "missing fixture file")
    return seed


# A scenario or an import can hold tens of thousands of records: jsonschema-rs says "valid" for
# them in a fraction of jsonschema's time. Only data it refuses goes on to jsonschema, which finds
# and words the first problem, so the errors are the same; where jsonschema-rs cannot read a
# schema, jsonschema alone decides.


# jsonschema-rs resolves ``spec#/...`` against an absolute base: the spec is given a URI beside it.
_FAST_BASE = "https://release-mock.invalid/"


def _fast_registry(spec: t.Mapping[str, t.Any]) -> t.Any:
    try:
        return jsonschema_rs.Registry([(_FAST_BASE + "spec", dict(spec))])
    except (jsonschema_rs.ReferencingError, ValueError):
        return None


def _fast_verdict(file_schema: dict[str, t.Any], registry: t.Any, data: t.Any) -> bool:
    try:
        validator = jsonschema_rs.validator_for(
            file_schema, registry=registry, validate_formats=True, base_uri=_FAST_BASE + "fixture"
        )
        return bool(validator.is_valid(data))
    except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError):
        return False


def each(records: list[T], *, consume: bool) -> t.Iterator[T]:
    """``records`` in order; with ``consume``, each is dropped from the list as it is handed out.

    For a loader given fixture data that is its to take apart (an import handed over): a record
    freed while its rows are built leaves room that the next rows fill. Freed all at once once the
    load is over, the records would stay behind as holes that the process cannot give back
    (100,000 generated releases: some 110 MB more resident).
    """
    if not consume:
        yield from records
        return
    for index, record in enumerate(records):
        records[index] = None  # type: ignore[assignment]
        yield record
