"""specs/gitlab.yaml: a valid OpenAPI 3.1 document, each of whose examples satisfies its own schema."""

from __future__ import annotations

import re
import typing as t

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mockserver.clock import parse_iso
from mockserver.settings import PROJECT_ROOT
from mockserver.validation import FORMAT_CHECKER

SPEC_FILE = PROJECT_ROOT / "specs" / "gitlab.yaml"
SPEC_URI = "urn:release-mock:specs:gitlab"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Subschema keywords of JSON Schema 2020-12, by the shape of their value.
ONE_SCHEMA = (
    "items",
    "not",
    "additionalProperties",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
SCHEMA_MAP = ("properties", "patternProperties", "$defs", "dependentSchemas")
SCHEMA_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")


def _load() -> dict[str, t.Any]:
    with open(SPEC_FILE, encoding="utf-8") as handle:
        return t.cast(dict, yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


DOCUMENT = _load()
REGISTRY = Registry().with_resource(SPEC_URI, Resource.from_contents(DOCUMENT, default_specification=DRAFT202012))


def _escape(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _at(pointer: str) -> t.Any:
    node: t.Any = DOCUMENT
    for part in pointer.lstrip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


class Example(t.NamedTuple):
    value: t.Any
    schema: str
    """JSON pointer of the schema the value must satisfy."""
    where: str
    """JSON pointer of the example (of the named example, when it is a ``$ref``)."""


def _schema_examples(schema: t.Any, pointer: str) -> t.Iterator[Example]:
    """``examples`` and ``example`` of a schema and of all its subschemas."""
    if not isinstance(schema, dict):
        return
    for index, value in enumerate(schema.get("examples", [])):
        yield Example(value, pointer, f"{pointer}/examples/{index}")
    if "example" in schema:
        yield Example(schema["example"], pointer, f"{pointer}/example")
    for keyword in ONE_SCHEMA:
        yield from _schema_examples(schema.get(keyword), f"{pointer}/{keyword}")
    for keyword in SCHEMA_MAP:
        for name, subschema in schema.get(keyword, {}).items():
            yield from _schema_examples(subschema, f"{pointer}/{keyword}/{_escape(name)}")
    for keyword in SCHEMA_LIST:
        for index, subschema in enumerate(schema.get(keyword, [])):
            yield from _schema_examples(subschema, f"{pointer}/{keyword}/{index}")


def _holder_examples(node: t.Any, pointer: str) -> t.Iterator[Example]:
    """Examples of media types, parameters and headers (whatever holds a ``schema``), and of their schemas."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _holder_examples(item, f"{pointer}/{index}")
        return
    if not isinstance(node, dict):
        return
    holder = isinstance(node.get("schema"), dict)
    if holder:
        schema = f"{pointer}/schema"
        if "example" in node:
            yield Example(node["example"], schema, f"{pointer}/example")
        for name, example in node.get("examples", {}).items():
            where = f"{pointer}/examples/{_escape(name)}"
            if "$ref" in example:
                where = example["$ref"][1:]
                example = _at(where)
            if "value" in example:
                yield Example(example["value"], schema, where)
        yield from _schema_examples(node["schema"], schema)
    for key, value in node.items():
        if key.startswith("x-") or (holder and key in ("schema", "example", "examples")):
            continue
        if pointer == "/components" and key in ("schemas", "examples"):
            continue
        yield from _holder_examples(value, f"{pointer}/{_escape(key)}")


def all_examples() -> list[Example]:
    found = list(_holder_examples(DOCUMENT, ""))
    for name, schema in DOCUMENT.get("components", {}).get("schemas", {}).items():
        found.extend(_schema_examples(schema, f"/components/schemas/{_escape(name)}"))
    return found


EXAMPLES = all_examples()


def test_spec_is_valid_openapi_31() -> None:
    assert DOCUMENT["openapi"].startswith("3.1.")
    assert [error.message for error in OpenAPIV31SpecValidator(DOCUMENT).iter_errors()] == []


def _place(pointer: str) -> str:
    """``/paths/...`` -> ``paths``; ``/components/headers/...`` -> ``components/headers``."""
    parts = pointer.split("/")
    return "/".join(parts[1:3]) if parts[1] == "components" else parts[1]


def test_examples_were_found_everywhere_they_can_be() -> None:
    # Guards the walk itself: each kind of place that holds examples in this spec yielded some.
    assert {_place(example.where) for example in EXAMPLES} >= {
        "paths",
        "components/schemas",
        "components/parameters",
        "components/headers",
        "components/examples",
        "components/responses",
    }
    assert len(EXAMPLES) >= 50


@pytest.mark.parametrize(
    "example",
    [pytest.param(example, id=f"{example.where} <- {example.schema}") for example in EXAMPLES],
)
def test_example_satisfies_its_schema(example: Example) -> None:
    validator = Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{example.schema}"}, registry=REGISTRY, format_checker=FORMAT_CHECKER
    )
    problems = [
        f"/{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(example.value)
    ]
    assert problems == []


def test_every_named_example_is_used() -> None:
    named = {f"/components/examples/{_escape(name)}" for name in DOCUMENT.get("components", {}).get("examples", {})}
    assert named - {example.where for example in EXAMPLES} == set()


def _operations() -> t.Iterator[tuple[str, dict, dict]]:
    for path, item in DOCUMENT["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item, item[method]


def _resolved(node: dict) -> dict:
    return t.cast(dict, _at(node["$ref"][1:])) if "$ref" in node else node


def test_parameters_and_form_fields_declare_one_type() -> None:
    """Connexion's argument layer reads ``schema["type"]`` as one string (see test_openapi31)."""
    untyped = []
    for operation, item, details in _operations():
        for parameter in map(_resolved, [*item.get("parameters", []), *details.get("parameters", [])]):
            schemas = [_resolved(parameter["schema"])]
            schemas += [_resolved(schemas[0]["items"])] if schemas[0].get("type") == "array" else []
            untyped += [
                f"{operation} {parameter['name']}" for schema in schemas if not isinstance(schema.get("type"), str)
            ]
        for media_type, content in details.get("requestBody", {}).get("content", {}).items():
            if media_type == "application/x-www-form-urlencoded":
                for name, field in _resolved(content["schema"]).get("properties", {}).items():
                    forbidden = _resolved(field) == {"not": {}}  # a key the form must not carry
                    # A Grape-typed field lists the JSON types Grape takes; GitLab's forms are read
                    # by mockserver.grape, which goes by that type, not by Connexion's argument layer.
                    grape_typed = "x-grape-type" in _resolved(field)
                    if not forbidden and not grape_typed and not isinstance(_resolved(field).get("type"), str):
                        untyped.append(f"{operation} form field {name}")
    assert untyped == []


@settings(max_examples=150, deadline=None, database=None)
@given(text=st.from_regex(_at("/components/schemas/GrapeDateTime/pattern"), fullmatch=True))
def test_every_moment_the_spec_admits_is_one_the_mock_reads(text: str) -> None:
    """Schemathesis sends any text the pattern admits and expects it taken: the mock must read each one."""
    try:
        parse_iso(text)
    except OverflowError:
        pass  # a moment beyond the years a datetime holds, once in UTC: read, then taken as the first or last


@pytest.mark.parametrize(
    "text", ["2023-02-29", "1900-02-29", "2019-04-31", "2019-00-10", "0000-01-01", "2019-03-15T24:00"]
)
def test_the_moment_pattern_admits_only_dates_that_exist(text: str) -> None:
    assert re.fullmatch(_at("/components/schemas/GrapeDateTime/pattern"), text) is None
