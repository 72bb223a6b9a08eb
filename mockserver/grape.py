"""Grape's parameter semantics, for an API whose real server is built on Grape (GitLab).

Grape reads one set of parameters per request: the query string and the body (a form, or a
JSON object) merged, the body winning a key both carry, and the path's own on top. Keys are
read as Rack reads them (``assets[links][][name]``, ``milestones[]``: nested hashes and
arrays, a repeated plain key keeps its last value), and every value is coerced to the type its
declaration names (booleans as dry-types reads them, integers in base 10, a comma-separated
text for an array), whatever the value's source: a JSON body's values are coerced too. A value
that does not coerce is left as sent, so that the schema check reports it as the wrong type,
which Grape words ``is invalid``.

Where a schema's JSON type cannot say what Grape declared, its ``x-grape-type`` does:
``String`` takes a JSON number or boolean as its text (``5`` -> ``"5"``, as Ruby writes it),
``Boolean`` takes dry-types' texts and the numbers ``0`` and ``1`` (read as their text).

A path segment declared an integer is read as dry-types reads any string for ``type: Integer``
(``integer``): Grape's routes match a segment whatever its type, so ``links/abc`` reaches the
endpoint and fails this coercion (``link_id is invalid``) rather than missing the route.

Nothing here knows an API by name: ``ApiPlugin.parameters = "grape"`` selects it.
"""

from __future__ import annotations

import math
import re
import typing as t

from .errors import InvalidParameter
from .ids import read_integer
from .validation import schema_types

TRUE_TEXTS = frozenset("1 on On ON t true True TRUE T y yes Yes YES Y".split())
FALSE_TEXTS = frozenset("0 off Off OFF f false False FALSE F n no No NO N".split())


def boolean(value: t.Any) -> bool:
    """A boolean as dry-types' ``Params::Bool`` reads it (case matters: ``tRUE`` is no boolean).

    dry-types looks the value's text up, so the JSON numbers ``1`` and ``0`` are booleans too
    (``1.0`` is not: Ruby writes it ``"1.0"``).
    """
    if isinstance(value, bool):
        return value
    text = value if isinstance(value, str) else str(value) if isinstance(value, int) else None
    if text in TRUE_TEXTS:
        return True
    if text in FALSE_TEXTS:
        return False
    raise ValueError(value)


_RUBY_SPACE = " \t\n\v\f\r"
_RUBY_DECIMAL = re.compile(r"([+-]?)(?:0[dD])?([0-9]+(?:_[0-9]+)*)")
"""What Ruby's ``Integer(text, 10)`` accepts between spaces: a sign, the ``0d`` prefix, digits
with single underscores between them (``+5``, ``05``, ``0d12``, ``1_000``)."""


def integer(text: str) -> int:
    """An integer as dry-types' ``Params::Integer`` reads a string (Ruby's ``Integer(text, 10)``),
    its size capped as ``ids.read_integer`` caps it: an id beyond 64 bits is one no row has.

    ``ValueError`` for anything else (``abc``, ``1.5``, ``0x1A``, ``1__0``, non-ASCII digits).
    """
    match = _RUBY_DECIMAL.fullmatch(text.strip(_RUBY_SPACE))
    if match is None:
        raise ValueError(text)
    sign, digits = match.groups()
    return read_integer(sign + digits.replace("_", ""))


def ruby_text(value: bool | int | float) -> str:
    """A JSON scalar as Ruby's ``to_s`` writes it, which is what dry-types' ``Coercible::String`` gives."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    # Python's shortest repr switches to an exponent where Ruby does (from 1e16, below 1e-4);
    # Ruby keeps a fraction in the mantissa: 1.0e+16, not 1e+16.
    text = repr(value)
    mantissa, marker, exponent = text.partition("e")
    if marker and "." not in mantissa:
        return f"{mantissa}.0e{exponent}"
    return text


SCALAR_GRAPE_TYPES = frozenset({"String", "Boolean"})
"""The ``x-grape-type``s read here; any other (``Array[String]``) is coerced by its JSON type."""


def _as_declared(value: t.Any, grape_type: str) -> t.Any:
    """``value`` as the Grape type an ``x-grape-type`` names; unchanged where Grape would refuse it."""
    if grape_type == "String" and isinstance(value, (bool, int, float)):
        return ruby_text(value)
    if grape_type == "Boolean" and isinstance(value, (str, int, float)):
        if isinstance(value, float) and value.is_integer():
            # Ruby refuses 1.0 (its text is "1.0"), but JSON Schema cannot tell 1.0 from 1, so the
            # spec accepts it: it is read as the 1 the spec lets through.
            value = int(value)
        try:
            return boolean(value)
        except ValueError:
            return value
    return value


_KEY_HEAD = re.compile(r"\A[\[\]]*([^\[\]]+)\]*")
_ARRAY_OF_HASHES = re.compile(r"\A\[\]\[([^\[\]]+)\]\Z")
_ARRAY_THEN_MORE = re.compile(r"\A\[\](.+)\Z")
MAX_KEY_DEPTH = 32
"""How deep a bracketed key may nest: Rack's own default limit (``key_space_limit`` aside)."""


def key_head(name: str) -> str:
    """The top-level parameter a bracketed key fills: ``assets`` for ``assets[links][][url]``."""
    match = _KEY_HEAD.match(name)
    return match.group(1) if match else ""


def nested(pairs: t.Iterable[tuple[str, t.Any]]) -> dict[str, t.Any]:
    """Pairs to parameters, as Rack's ``parse_nested_query`` builds them."""
    params: dict[str, t.Any] = {}
    for name, value in pairs:
        _normalize(params, name, value, 0)
    return params


def _normalize(params: dict[str, t.Any], name: str, value: t.Any, depth: int) -> dict[str, t.Any]:
    if depth > MAX_KEY_DEPTH:
        raise InvalidParameter("body", key_head(name), "invalid", "the key nests too deep")
    match = _KEY_HEAD.match(name)
    if match is None:
        return params
    key, after = match.group(1), name[match.end() :]
    if after == "":
        params[key] = value
    elif after == "[":
        params[name] = value
    elif after == "[]":
        _as_list(params, key).append(value)
    elif (found := _ARRAY_OF_HASHES.match(after) or _ARRAY_THEN_MORE.match(after)) is not None:
        child = found.group(1)
        items = _as_list(params, key)
        if items and isinstance(items[-1], dict) and not _has_key(items[-1], child):
            _normalize(items[-1], child, value, depth + 1)
        else:
            items.append(_normalize({}, child, value, depth + 1))
    else:
        inner = params.setdefault(key, {})
        if not isinstance(inner, dict):
            raise InvalidParameter("body", key, "invalid", "the key is both a value and a hash")
        _normalize(inner, after, value, depth + 1)
    return params


def _as_list(params: dict[str, t.Any], key: str) -> list[t.Any]:
    items = params.setdefault(key, [])
    if not isinstance(items, list):
        raise InvalidParameter("body", key, "invalid", "the key is both a value and a list")
    return items


def _has_key(params: dict[str, t.Any], key: str) -> bool:
    """Whether a hash already holds ``key`` (``name`` or ``a][b``): a new array entry starts if so."""
    if "[]" in key:
        return False
    current: t.Any = params
    for part in filter(None, re.split(r"[\[\]]+", key)):
        if not isinstance(current, dict) or part not in current:
            return False
        current = current[part]
    return True


def coerce(value: t.Any, schema: t.Mapping[str, t.Any]) -> t.Any:
    """``value`` as the type ``schema`` declares, where Grape would coerce it; else unchanged."""
    if schema.get("x-grape-type") in SCALAR_GRAPE_TYPES and not isinstance(value, (dict, list)):
        return _as_declared(value, schema["x-grape-type"])
    kinds = schema_types(dict(schema))
    if isinstance(value, dict):
        if kinds and "object" not in kinds:
            return value
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        return {
            key: coerce(item, properties.get(key, extra if isinstance(extra, dict) else {}))
            for key, item in value.items()
        }
    if isinstance(value, list):
        if "array" not in kinds:
            return value
        items = schema.get("items", {})
        return [coerce(item, items) for item in value]
    if not isinstance(value, str) or not kinds or "string" in kinds:
        return value
    for kind in kinds:
        try:
            if kind == "integer":
                return int(value, 10)
            if kind == "number":
                return float(value)
            if kind == "boolean":
                return boolean(value)
        except ValueError:
            continue
        if kind == "array" and not _holds_hashes(schema):
            # One text for a list: its comma-separated parts, as GitLab's list parameters read them.
            # A list of hashes (Grape's ``Array do ... end``) takes no text at all.
            return coerce(value.split(",") if value else [], schema)
    return value


def _holds_hashes(schema: t.Mapping[str, t.Any]) -> bool:
    items = schema.get("items", {})
    return "object" in schema_types(dict(items)) or "properties" in items
