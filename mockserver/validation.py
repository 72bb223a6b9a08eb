"""Request and response validation on JSON Schema 2020-12, compiled once per operation.

``ParameterCheck`` and ``BodyCheck`` are built at start-up (``plans``) and raise
``InvalidParameter`` with the location, name and reason of the first problem, so each API can
word the error its own way; ``ResponseCheck`` checks the mock's own replies in the test suite.

A schema may carry ``x-error``: for a keyword of that schema (``anyOf``, ``not``, ...), the
message the API answers when that rule fails, e.g. GitLab's ``params is empty``; ``{value}``
in it stands for the rejected value. The
message goes to the API's renderer as a ``BadRequest``, so the shape stays the API's.
"""

from __future__ import annotations

import typing as t

import jsonschema_rs
from connexion.exceptions import NonConformingResponseBody
from connexion.utils import boolean
from jsonschema import Draft202012Validator, ValidationError

from .errors import BadRequest, InvalidParameter, MockError, reported

FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER

# Keywords whose failure means "a value of the right type, but not one of those allowed".
_NOT_ALLOWED_KEYWORDS = frozenset(
    {
        "enum",
        "const",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "minItems",
        "maxItems",
        "uniqueItems",
        "multipleOf",
    }
)


def schema_validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=FORMAT_CHECKER)


# Keywords whose verdicts may differ between the two implementations (formats are checked by
# different libraries, regular expressions by different engines): schemas with them skip the fast path.
_SLOW_PATH_KEYWORDS = frozenset({"format", "pattern", "patternProperties", "$ref", "$dynamicRef"})


def fast_verdict(schema: dict) -> t.Callable[[t.Any], bool] | None:
    """jsonschema-rs's ``is_valid`` for ``schema``, where its verdict is jsonschema's; else ``None``.

    Most values are valid: jsonschema-rs says so in a fraction of jsonschema's time. Only a value
    it refuses goes on to jsonschema, which words the problem, so the messages stay the same.
    """
    if _mentions(schema, _SLOW_PATH_KEYWORDS):
        return None
    try:
        return t.cast(t.Callable[[t.Any], bool], jsonschema_rs.Draft202012Validator(schema).is_valid)
    except jsonschema_rs.ValidationError:
        # jsonschema-rs checks the schema against the meta-schema; jsonschema validates with it as it is.
        return None


def _mentions(schema: t.Any, keywords: frozenset[str]) -> bool:
    if isinstance(schema, dict):
        return any(key in keywords or _mentions(value, keywords) for key, value in schema.items())
    if isinstance(schema, list):
        return any(_mentions(item, keywords) for item in schema)
    return False


_NO_SCHEMA: dict = {}
ABSENT = object()
"""A parameter neither sent nor defaulted by its spec: not in ``Call.params``."""


def first_problem(errors: t.Iterable[ValidationError]) -> ValidationError | None:
    """The most useful error first: the shallowest one, as a person reads a body top-down.

    At one depth a wrong type comes first: the other keywords' verdicts on a value of the
    wrong type mean nothing (``required`` passes on a list, so ``not: {required: ...}`` fails).
    """
    ranked = sorted(
        errors, key=lambda error: (len(error.absolute_path), error.validator != "type", str(error.validator))
    )
    return ranked[0] if ranked else None


def describe(error: ValidationError, *, location: str, prefix: str = "") -> MockError:
    """Turn a jsonschema error into an ``InvalidParameter`` naming the field and the reason,
    or into the spec's own message for the failed rule (``x-error``)."""
    custom = error.schema.get("x-error", {}) if isinstance(error.schema, dict) else {}
    if error.validator in custom:
        return BadRequest(_with_value(custom[error.validator], error.instance, error.message))
    parts = [str(part) for part in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = next((name for name in error.validator_value if name not in error.instance), "")
        return InvalidParameter(
            location, ".".join([*filter(None, [prefix]), *parts, missing]), "missing", error.message, rule="required"
        )
    reason = "not_allowed" if error.validator in _NOT_ALLOWED_KEYWORDS else "invalid"
    name = ".".join([*filter(None, [prefix]), *parts])
    return InvalidParameter(location, name, reason, error.message, rule=str(error.validator))


def describe_all(errors: t.Iterable[ValidationError], *, location: str) -> list[MockError]:
    """Every problem, the most useful first (``first_problem``), then the others as the schema
    lists them; a ``required`` that misses several names is one problem per name."""
    found = list(errors)
    first = first_problem(found)
    if first is None:
        return []
    problems: list[MockError] = []
    seen: set[tuple] = set()
    for error in [first, *(error for error in found if error is not first)]:
        if error.validator == "required" and isinstance(error.instance, dict):
            where = (tuple(error.absolute_path), id(error.schema))
            if where in seen:
                continue
            seen.add(where)
            parts = [str(part) for part in error.absolute_path]
            problems.extend(
                InvalidParameter(location, ".".join([*parts, name]), "missing", error.message, rule="required")
                for name in error.validator_value
                if name not in error.instance
            )
        else:
            problems.append(describe(error, location=location))
    return problems


def _with_value(message: t.Any, value: t.Any, problem: str = "") -> t.Any:
    """An ``x-error`` message with ``{value}`` replaced by the rejected value and ``{message}`` by
    jsonschema's own wording of the problem (what APIs that run jsonschema themselves answer)."""
    if isinstance(message, str):
        return message.replace("{value}", str(value)).replace("{message}", problem)
    if isinstance(message, list):
        return [_with_value(item, value, problem) for item in message]
    if isinstance(message, dict):
        return {key: _with_value(item, value, problem) for key, item in message.items()}
    return message


def schema_types(schema: dict) -> list[str]:
    """The types a schema declares, ``null`` aside."""
    declared = schema.get("type")
    if isinstance(declared, list):
        return [kind for kind in declared if kind != "null"]
    return [declared] if declared else []


def decimal(text: str) -> int:
    """An integer as OpenAPI reads one from text: base 10 (Python's ``int`` accepts a sign, spaces, ``_``)."""
    return int(text, 10)


def coerce_text(raw: t.Any, schema: dict, read_boolean: t.Callable[[t.Any], bool] = boolean) -> t.Any:
    """Read a query, path or header string as the type its schema declares; ValueError if it is not.

    Values the router already converted (an ``{id:int}`` segment) pass through unchanged.
    ``read_boolean``: how the API reads a boolean (``true``/``false`` unless it says otherwise).
    """
    return _coerce(raw, schema_types(schema), read_boolean)


def _coerce(
    raw: t.Any,
    kinds: list[str],
    read_boolean: t.Callable[[t.Any], bool] = boolean,
    read_integer: t.Callable[[str], int] = decimal,
) -> t.Any:
    if not isinstance(raw, str) or not kinds or "string" in kinds:
        return raw
    for kind in kinds:
        try:
            if kind == "integer":
                return read_integer(raw)
            if kind == "number":
                return float(raw)
            if kind == "boolean":
                return read_boolean(raw)
        except ValueError:
            continue
    raise ValueError(raw)


QUERY_DELIMITERS = {"spaceDelimited": " ", "pipeDelimited": "|"}


class ParameterCheck:
    """One query, path or header parameter: its validator compiled and its reading prepared, once.

    ``read`` validates the value as sent and returns what the handler receives in
    ``Call.params`` (``None`` for a header, which handlers read from ``Call.headers``).
    ``read_boolean``, ``read_integer``: how the API reads a boolean or an integer from text.
    """

    def __init__(
        self,
        param: t.Mapping[str, t.Any],
        read_boolean: t.Callable[[t.Any], bool] = boolean,
        read_integer: t.Callable[[str], int] = decimal,
    ) -> None:
        self.read_boolean = read_boolean
        self.read_integer = read_integer
        self.name: str = param["name"]
        self.location: str = param["in"]
        self.required = bool(param.get("required"))
        self.schema: dict = param.get("schema", _NO_SCHEMA)
        self.validator = schema_validator(self.schema)
        self.valid = fast_verdict(self.schema)
        self.kinds = schema_types(self.schema)
        self.is_array = "array" in self.kinds
        self.items: dict = self.schema.get("items", {}) if self.is_array else {}
        self.item_kinds = schema_types(self.items)
        style = param.get("style", "form" if self.location == "query" else "simple")
        self.explode = param.get("explode", style == "form")
        self.delimiter = QUERY_DELIMITERS.get(style, ",")
        self.default = param["default"] if "default" in param else self.schema.get("default", ABSENT)

    def check(self, raw_values: t.Sequence[str]) -> None:
        """Raise ``InvalidParameter`` for the first problem with the values as sent."""
        name, location = self.name, self.location
        if not raw_values:
            if self.required:
                raise InvalidParameter(location, name, "missing", rule="required")
            return
        try:
            if self.is_array:
                texts = raw_values if len(raw_values) > 1 else raw_values[0].split(",")
                value: t.Any = [_coerce(text, self.item_kinds, self.read_boolean, self.read_integer) for text in texts]
            else:
                value = _coerce(raw_values[-1], self.kinds, self.read_boolean, self.read_integer)
        except ValueError:
            raise InvalidParameter(location, name, "invalid", value=raw_values[-1], rule="type") from None
        if self.valid is not None and self.valid(value):
            return
        problem = first_problem(self.validator.iter_errors(value))
        if problem is not None:
            error = describe(problem, location=location)
            if not isinstance(error, InvalidParameter):
                raise error
            raise InvalidParameter(location, name, error.reason, problem.message, value=value, rule=error.rule)

    def handler_value(self, raw_values: t.Sequence[str]) -> t.Any:
        """The value a handler reads, once ``check`` passed: repeats and delimiters resolved, then typed."""
        if not raw_values:
            return self.default
        if self.is_array:
            joined = self.delimiter.join(raw_values) if self.explode else raw_values[-1]
            return [
                _typed_or_text(part, self.item_kinds, self.read_boolean, self.read_integer)
                for part in joined.split(self.delimiter)
            ]
        return _coerce(raw_values[-1], self.kinds, self.read_boolean, self.read_integer)


def _typed_or_text(
    text: str, kinds: list[str], read_boolean: t.Callable[[t.Any], bool], read_integer: t.Callable[[str], int]
) -> t.Any:
    try:
        return _coerce(text, kinds, read_boolean, read_integer)
    except ValueError:
        return text


class BodyCheck:
    """A request body's schema, compiled once; whether the operation requires a body."""

    def __init__(self, schema: dict, *, required: bool) -> None:
        self.schema = schema
        self.required = required
        self.validator = schema_validator(schema)
        self.valid = fast_verdict(schema)

    def check(self, body: t.Any, *, every_problem: bool = False) -> None:
        """``every_problem``: report all the body's problems at once, for APIs that do."""
        if body is None:
            if self.required:
                self.check_empty()
                raise InvalidParameter("body", "", "missing", "a request body is required")
            return
        if self.valid is not None and self.valid(body):
            return
        if every_problem:
            problems = describe_all(self.validator.iter_errors(body), location="body")
            if problems:
                raise reported(problems)
            return
        problem = first_problem(self.validator.iter_errors(body))
        if problem is not None:
            raise describe(problem, location="body")

    def check_empty(self) -> None:
        """An empty body is an empty set of fields: report what is missing, as form-minded servers do."""
        if "object" in schema_types(self.schema) or "properties" in self.schema:
            self.check({})


class ResponseCheck:
    """Checks the mock's own JSON responses in the test suite (not on every request in production)."""

    def __init__(self, schema: dict) -> None:
        self.validator = schema_validator(schema)

    def check(self, body: t.Any) -> None:
        problem = first_problem(self.validator.iter_errors(body))
        if problem is not None:
            where = "/".join(str(part) for part in problem.absolute_path)
            raise NonConformingResponseBody(detail=f"response does not match the spec at /{where}: {problem.message}")
