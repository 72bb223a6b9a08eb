"""Load an API's fixture folder and check it against a schema that points into the API's spec.

Each API keeps a ``fixture_schema.yaml`` beside its code. Its ``$ref``s name the spec's own
components (``spec#/components/schemas/ReleaseCreateRequest``), so fixtures are held to the
same rules as requests. A bad file stops start-up with the file, the place inside it and why.
"""

from __future__ import annotations

import pathlib
import typing as t

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

# libyaml's loader when present: the specs are large, and start-up reads them all.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FixtureError(Exception):
    def __init__(self, file: pathlib.Path, where: str, reason: str) -> None:
        super().__init__(f"{file}: at {where or '/'}: {reason}")
        self.file = file
        self.where = where
        self.reason = reason


def read_yaml(file: pathlib.Path) -> t.Any:
    try:
        with open(file, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=SAFE_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FixtureError(file, where, f"not valid YAML: {getattr(error, 'problem', error)}") from None
    except OSError as error:
        raise FixtureError(file, "", f"cannot be read: {error.strerror}") from None


def load_folder(folder: pathlib.Path, schema_file: pathlib.Path, spec: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Every ``*.yaml`` file of ``folder`` by stem, each validated against its part of the schema."""
    schema = read_yaml(schema_file)
    registry = Registry().with_resource("spec", Resource.from_contents(dict(spec), default_specification=DRAFT202012))
    seed: dict[str, t.Any] = {}
    for file in sorted(folder.glob("*.yaml")):
        file_schema = schema.get("files", {}).get(file.stem)
        if file_schema is None:
            raise FixtureError(file, "", f"unexpected fixture file; expected one of {sorted(schema.get('files', {}))}")
        data = read_yaml(file)
        validator = Draft202012Validator(
            {**file_schema, "$defs": schema.get("$defs", {})},
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        errors = sorted(validator.iter_errors(data), key=lambda error: list(map(str, error.absolute_path)))
        if errors:
            where = "/" + "/".join(str(part) for part in errors[0].absolute_path)
            raise FixtureError(file, where, errors[0].message)
        seed[file.stem] = data
    for required in schema.get("required", []):
        if required not in seed:
            raise FixtureError(folder / f"{required}.yaml", "", "missing fixture file")
    return seed
