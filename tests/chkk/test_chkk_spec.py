"""specs/chkk.yaml: valid OpenAPI 3.1, every 2xx response has an example, and every example fits its schema."""

from __future__ import annotations

import typing as t

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mockserver.validation import FORMAT_CHECKER
from tests.chkk.conftest import SPEC

_URI = "urn:chkk-spec"
_REGISTRY = Registry().with_resource(_URI, Resource.from_contents(SPEC, default_specification=DRAFT202012))


def _at(pointer: str) -> t.Any:
    node: t.Any = SPEC
    for part in pointer.lstrip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _resolved(node: dict[str, t.Any]) -> tuple[dict[str, t.Any], str | None]:
    return (_at(node["$ref"][1:]), node["$ref"][1:]) if "$ref" in node else (node, None)


def _responses() -> t.Iterator[tuple[str, str, dict[str, t.Any], str]]:
    """(operation, status, response, JSON pointer of the response)."""
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                pointer = f"/paths/{path.replace('~', '~0').replace('/', '~1')}/{method}/responses/{status}"
                resolved, ref = _resolved(response)
                yield f"{method.upper()} {path}", status, resolved, ref or pointer


def _media_examples() -> list[t.Any]:
    found = []
    for operation, status, response, pointer in _responses():
        for media_type, content in response.get("content", {}).items():
            if "example" in content:
                where = f"{pointer}/content/{media_type.replace('/', '~1')}/schema"
                found.append(pytest.param(content["example"], where, id=f"{operation} {status} {media_type}"))
    for name, parameter in SPEC["components"]["parameters"].items():
        for index, value in enumerate(parameter["schema"].get("examples", [])):
            found.append(pytest.param(value, f"/components/parameters/{name}/schema", id=f"parameter {name} {index}"))
    for name, schema in SPEC["components"]["schemas"].items():
        for prop, subschema in schema.get("properties", {}).items():
            for index, value in enumerate(subschema.get("examples", [])):
                where = f"/components/schemas/{name}/properties/{prop.replace('~', '~0').replace('/', '~1')}"
                found.append(pytest.param(value, where, id=f"{name}.{prop} {index}"))
    return found


def test_spec_is_valid_openapi_31() -> None:
    assert SPEC["openapi"].startswith("3.1.")
    assert [error.message for error in OpenAPIV31SpecValidator(SPEC).iter_errors()] == []


def test_every_2xx_response_has_an_example() -> None:
    success = [(op, status, response) for op, status, response, _ in _responses() if status.startswith("2")]
    assert len(success) == 2
    for operation, status, response in success:
        for media_type, content in response["content"].items():
            assert "example" in content or content.get("examples"), f"{operation} {status} {media_type}"


def test_every_error_is_a_problem_document() -> None:
    for operation, status, response, _ in _responses():
        if not status.startswith("2"):
            assert list(response["content"]) == ["application/problem+json"], f"{operation} {status}"
            assert response["content"]["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorModel"
            }


@pytest.mark.parametrize(("value", "schema"), _media_examples())
def test_example_satisfies_its_schema(value: t.Any, schema: str) -> None:
    validator = Draft202012Validator({"$ref": f"{_URI}#{schema}"}, registry=_REGISTRY, format_checker=FORMAT_CHECKER)
    assert [error.message for error in validator.iter_errors(value)] == []
