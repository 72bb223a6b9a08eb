"""The JSON Schema formats our specs use are checked, not only named (``validation.FORMAT_CHECKER``)."""

from __future__ import annotations

import pytest
import yaml

from mockserver.bundled import SPECS_DIR
from mockserver.fixtures import SAFE_LOADER
from mockserver.validation import FORMAT_CHECKER, fast_verdict, schema_validator

# OpenAPI's own formats: they describe a value (a size, a file) and no validator checks them.
ANNOTATIONS = {"int32", "int64", "float", "double", "binary", "byte", "password", "path"}
# A value each checked format must refuse: jsonschema passes anything under a format it has no checker for.
REFUSED = {"date": "2026-13-01", "date-time": "yesterday", "uri": "no scheme here"}


def _formats(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["format"]} if isinstance(node.get("format"), str) else set()
        # Examples are data: a GitLab release source has a "format" of its own (zip, tar.gz...).
        return found.union(*(_formats(value) for key, value in node.items() if key not in ("example", "examples")))
    if isinstance(node, list):
        return set().union(*(_formats(item) for item in node))
    return set()


def test_every_format_our_specs_use_is_an_annotation_or_checked() -> None:
    documents = [yaml.load(path.read_bytes(), Loader=SAFE_LOADER) for path in SPECS_DIR.glob("*.yaml")]
    used = set().union(*(_formats(document) for document in documents))
    assert used - ANNOTATIONS == set(REFUSED)


@pytest.mark.parametrize(("format_name", "value"), sorted(REFUSED.items()))
def test_a_checked_format_refuses_a_bad_value(format_name: str, value: str) -> None:
    assert not FORMAT_CHECKER.conforms(value, format_name)


@pytest.mark.parametrize(
    ("schema", "values"),
    [
        pytest.param({"type": "integer", "minimum": 1}, [1, 0, -1, 10**40, "1", 1.5, True], id="integer-range"),
        pytest.param({"type": ["string", "null"], "maxLength": 3}, ["abc", "abcd", None, 3, ""], id="type-list"),
        pytest.param({"enum": ["asc", "desc"]}, ["asc", "ASC", 1, None], id="enum"),
        pytest.param(
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "array", "uniqueItems": True}}},
            [{"a": [1, 2]}, {"a": [1, 1]}, {"a": [1, True]}, {}, [], {"a": "x"}],
            id="object",
        ),
    ],
)
def test_the_fast_verdict_is_jsonschemas(schema: dict, values: list) -> None:
    fast = fast_verdict(schema)
    assert fast is not None
    assert [fast(value) for value in values] == [schema_validator(schema).is_valid(value) for value in values]


@pytest.mark.parametrize(
    "schema",
    [
        pytest.param({"type": "string", "format": "date-time"}, id="format"),
        pytest.param({"type": "object", "properties": {"tag": {"pattern": "^v"}}}, id="nested-pattern"),
    ],
)
def test_schemas_whose_verdicts_could_differ_take_the_slow_path(schema: dict) -> None:
    assert fast_verdict(schema) is None


def test_a_schema_jsonschema_rs_refuses_is_left_to_jsonschema() -> None:
    # A spec trusted by the start-up cache is not checked again; jsonschema-rs would refuse this one.
    assert fast_verdict({"type": "strnig"}) is None
