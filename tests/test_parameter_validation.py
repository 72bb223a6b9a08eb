"""Query, path and header parameter validation (``mockserver.openapi31.ParameterValidator``)."""

from __future__ import annotations

from mockserver.openapi31 import ParameterValidator


def test_a_parameter_schema_is_compiled_once_not_per_request() -> None:
    # Connexion builds a ParameterValidator for every request.
    parameters = [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}]
    first = ParameterValidator(parameters, uri_parser=None)
    second = ParameterValidator(parameters, uri_parser=None)
    assert first._validators[id(parameters[0])] is second._validators[id(parameters[0])]
