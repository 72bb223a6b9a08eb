"""Query, path and header parameter validation (``mockserver.validation.ParameterValidator``)."""

from __future__ import annotations

from mockserver.validation import ParameterValidator, validator_map


def test_a_parameter_schema_is_compiled_once_not_per_request() -> None:
    # Connexion builds a ParameterValidator for every request; an app's validator map caches.
    parameters = [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}]
    cached = validator_map()["parameter"]
    first = cached(parameters, uri_parser=None)
    second = cached(parameters, uri_parser=None)
    assert first._validators[id(parameters[0])] is second._validators[id(parameters[0])]
    other_app = validator_map()["parameter"](parameters, uri_parser=None)
    assert other_app._validators[id(parameters[0])] is not first._validators[id(parameters[0])]


def test_each_parameter_is_checked_once_and_the_operations_own_overrides_the_paths() -> None:
    # Connexion hands over the operation's parameters followed by the path's, the latter repeated.
    own = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    path_level = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    query = {"name": "page", "in": "query", "schema": {"type": "integer"}}
    validator = ParameterValidator([own, query, path_level, path_level, path_level], uri_parser=None)
    assert [id(param) for param in validator.parameters] == [id(own), id(query)]
