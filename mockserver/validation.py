"""Request and response validation on JSON Schema 2020-12, in place of Connexion's draft-4 validators.

``validator_map()`` gives Connexion parameter, body and response validators for one app. They
raise ``InvalidParameter`` with the location, name and reason of the first problem, so each
API can word the error its own way.

A schema may carry ``x-error``: for a keyword of that schema (``anyOf``, ``not``, ...), the
message the API answers when that rule fails, e.g. GitLab's ``params is empty``; ``{value}``
in it stands for the rejected value. The
message goes to the API's renderer as a ``BadRequest``, so the shape stays the API's.
"""

from __future__ import annotations

import json
import re
import typing as t
from functools import cached_property
from urllib.parse import parse_qsl

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import NonConformingResponseBody
from connexion.utils import boolean
from connexion.validators import (
    FormDataValidator,
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    MultiPartFormDataValidator,
    TextResponseBodyValidator,
)
from jsonschema import Draft202012Validator, ValidationError
from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from .errors import BadRequest, InvalidParameter, MockError, PayloadTooLarge

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

MAX_BODY_BYTES = 1_048_576
MAX_JSON_NESTING = 100


def schema_validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=FORMAT_CHECKER)


class ValidatorCache:
    """Compiled 2020-12 validators by schema identity, owned by one app (see ``validator_map``).

    Connexion builds a new ``ParameterValidator`` for every request; compiling one validator per
    parameter there cost 10-15 us each, every time. Parameter schemas are the spec's own dicts,
    kept for the life of the app: their identity is the key, and each entry holds its schema so
    that the id cannot be reused while it is cached.
    """

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[dict, Draft202012Validator]] = {}

    def get(self, schema: dict) -> Draft202012Validator:
        cached = self._by_id.get(id(schema))
        if cached is None or cached[0] is not schema:
            cached = self._by_id[id(schema)] = (schema, schema_validator(schema))
        return cached[1]


_NO_SCHEMA: dict = {}


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
        return BadRequest(_with_value(custom[error.validator], error.instance))
    parts = [str(part) for part in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = next((name for name in error.validator_value if name not in error.instance), "")
        return InvalidParameter(
            location, ".".join([*filter(None, [prefix]), *parts, missing]), "missing", error.message
        )
    reason = "not_allowed" if error.validator in _NOT_ALLOWED_KEYWORDS else "invalid"
    name = ".".join([*filter(None, [prefix]), *parts])
    return InvalidParameter(location, name, reason, error.message)


def _with_value(message: t.Any, value: t.Any) -> t.Any:
    """An ``x-error`` message with ``{value}`` replaced by the rejected value."""
    if isinstance(message, str):
        return message.replace("{value}", str(value))
    if isinstance(message, list):
        return [_with_value(item, value) for item in message]
    if isinstance(message, dict):
        return {key: _with_value(item, value) for key, item in message.items()}
    return message


def _schema_types(schema: dict) -> list[str]:
    declared = schema.get("type")
    if isinstance(declared, list):
        return [kind for kind in declared if kind != "null"]
    return [declared] if declared else []


def coerce_text(raw: t.Any, schema: dict) -> t.Any:
    """Read a query, path or header string as the type its schema declares; ValueError if it is not.

    Values the router already converted (``{link_id:int}``) pass through unchanged.
    """
    kinds = _schema_types(schema)
    if not isinstance(raw, str) or not kinds or "string" in kinds:
        return raw
    for kind in kinds:
        try:
            if kind == "integer":
                return int(raw, 10)
            if kind == "number":
                return float(raw)
            if kind == "boolean":
                return boolean(raw)
        except ValueError:
            continue
    raise ValueError(raw)


class ParameterValidator:
    """Validates query, path and header parameters on JSON Schema 2020-12."""

    cache: t.ClassVar[ValidatorCache | None] = None
    """Set on the subclass ``validator_map`` makes for an app; without one, nothing is cached."""

    def __init__(self, parameters, uri_parser, strict_validation=False, security_query_params=None):
        # Connexion appends the path-level parameters to the operation's own list in place, once
        # for each middleware that builds the operation, so they arrive several times over. The
        # first of each (name, in) is the one that counts: the operation's own overrides the path's.
        unique: dict[tuple[str, str], dict] = {}
        for param in parameters:
            if param["in"] in ("query", "path", "header"):
                unique.setdefault((param["name"], param["in"]), param)
        self.parameters = list(unique.values())
        compile_ = self.cache.get if self.cache is not None else schema_validator
        self._validators = {id(p): compile_(p.get("schema", _NO_SCHEMA)) for p in self.parameters}

    def validate(self, scope) -> None:
        request = Request(scope)
        for param in self.parameters:
            self._validate_one(param, request)

    def _values(self, param: dict, request: Request) -> list[str]:
        name = param["name"]
        if param["in"] == "query":
            return request.query_params.getlist(name)
        if param["in"] == "header":
            value = request.headers.get(name)
            return [] if value is None else [value]
        # The router has already converted integer path segments; validate the text as sent.
        value = request.path_params.get(name)
        return [] if value is None else [str(value)]

    def _validate_one(self, param: dict, request: Request) -> None:
        name, location = param["name"], param["in"]
        schema = param.get("schema", {})
        raw_values = self._values(param, request)
        if not raw_values:
            if param.get("required"):
                raise InvalidParameter(location, name, "missing")
            return
        try:
            if "array" in _schema_types(schema):
                items = schema.get("items", {})
                texts = raw_values if len(raw_values) > 1 else raw_values[0].split(",")
                value: t.Any = [coerce_text(text, items) for text in texts]
            else:
                value = coerce_text(raw_values[-1], schema)
        except ValueError:
            raise InvalidParameter(location, name, "invalid", value=raw_values[-1]) from None
        problem = first_problem(self._validators[id(param)].iter_errors(value))
        if problem is not None:
            error = describe(problem, location=location)
            if not isinstance(error, InvalidParameter):
                raise error
            raise InvalidParameter(location, name, error.reason, problem.message, value=value)


class _BodyValidation:
    """Shared by the JSON and form body validators: a cached 2020-12 validator and error mapping."""

    _schema: dict

    @cached_property
    def _validator(self) -> Draft202012Validator:
        return schema_validator(self._schema)

    def _validate(self, body: t.Any) -> None:
        if body is None:
            if self._required:  # type: ignore[attr-defined]
                self._validate_empty()
                raise InvalidParameter("body", "", "missing", "a request body is required")
            return
        problem = first_problem(self._validator.iter_errors(body))
        if problem is not None:
            raise describe(problem, location="body")

    def _validate_empty(self) -> None:
        """An empty body is an empty set of fields: report what is missing, as form-minded servers do."""
        if "object" in _schema_types(self._schema) or "properties" in self._schema:
            self._validate({})

    async def wrap_receive(self, receive, *, scope):  # type: ignore[no-untyped-def]
        # Connexion rejects a required body that has no Content-Length before any schema is read.
        if self._required and not Headers(scope=scope).get("content-length", "0").strip("0"):  # type: ignore[attr-defined]
            self._validate_empty()
        return await super().wrap_receive(receive, scope=scope)  # type: ignore[misc]


async def read_body(stream: t.AsyncIterator[bytes]) -> bytes:
    """The whole body, or ``PayloadTooLarge`` as soon as it passes ``MAX_BODY_BYTES``."""
    chunks, size = [], 0
    async for chunk in stream:
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise PayloadTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


class JSONBodyValidator(_BodyValidation, JSONRequestBodyValidator):
    async def _parse(self, stream, scope) -> t.Any:
        raw = await read_body(stream)
        if not raw.strip():
            return None
        try:
            body = json.loads(raw.decode(self._encoding))
        except (UnicodeDecodeError, LookupError):
            raise InvalidParameter(
                "body", "", "malformed", "the body is not valid text in its declared charset"
            ) from None
        except (ValueError, RecursionError) as error:
            # ValueError covers JSONDecodeError and integers longer than Python's digit limit.
            raise InvalidParameter("body", "", "malformed", f"the body is not valid JSON: {error}") from None
        problem = _unusable_json(body)
        if problem:
            raise InvalidParameter("body", "", "malformed", problem)
        return body


_SURROGATE = re.compile("[\ud800-\udfff]")


def _unusable_json(value: t.Any) -> str | None:
    """Why a parsed body cannot be used, if it cannot.

    Nesting is bounded like Ruby's ``JSON.parse`` (``max_nesting`` 100): Connexion parses the
    body again deeper in the stack, where a depth our parse survived can exhaust recursion.
    A ``"\\ud800"`` escape parses to a str that cannot be written back as UTF-8.
    """
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return "the body escapes a lone UTF-16 surrogate"
        elif isinstance(item, (dict, list)):
            if depth >= MAX_JSON_NESTING:
                return f"the body nests deeper than {MAX_JSON_NESTING} levels"
            children = [*item, *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return None


def reject_repeated_fields(keys: t.Sequence[str], schema: dict) -> None:
    """A field sent twice is a list; where the schema wants one value that is a wrong type.

    Connexion would keep one of the values silently.
    """
    properties = schema.get("properties", {})
    for key in {key for key in keys if keys.count(key) > 1 and key in properties}:
        if "array" not in _schema_types(properties[key]):
            raise InvalidParameter("body", key, "invalid", "sent more than once")


class FormBodyValidator(_BodyValidation, FormDataValidator):
    async def _parse(self, stream, scope) -> dict:
        raw = await read_body(stream)
        # Starlette reads form bytes as latin-1 and bad %-escapes as U+FFFD, so text that is
        # not UTF-8 would pass as mojibake: check it here, raw and unescaped.
        try:
            pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise InvalidParameter("body", "", "malformed", "the form is not valid UTF-8") from None

        async def replay() -> t.AsyncIterator[bytes]:
            yield raw

        try:
            data = await super()._parse(replay(), scope)
        except MultiPartException:
            # Starlette's own limit of 1,000 fields (a field cannot pass 1 MiB: the body cannot).
            raise PayloadTooLarge() from None
        reject_repeated_fields([key for key, _ in pairs], self._schema)
        properties = self._schema.get("properties", {})
        for key, value in list(data.items()):
            schema = properties.get(key, {})
            if isinstance(value, str) and _schema_types(schema) and "string" not in _schema_types(schema):
                try:
                    data[key] = coerce_text(value, schema)
                except ValueError:
                    raise InvalidParameter("body", key, "invalid") from None
        return data


class MultipartBodyValidator(_BodyValidation, MultiPartFormDataValidator):
    """Multipart bodies: the whole body is bounded, and the parsed copy's files are closed.

    Connexion parses the form to validate it and again to call the handler; the first copy's
    uploads (spooled temporary files) would otherwise be left open.
    """

    async def _parse(self, stream, scope) -> dict:
        raw = await read_body(stream)
        forms: list[t.Any] = []

        class RecordingParser(MultiPartParser):
            async def parse(self) -> t.Any:
                forms.append(await super().parse())
                return forms[-1]

        async def replay() -> t.AsyncIterator[bytes]:
            yield raw

        self._parser = RecordingParser
        try:
            data = t.cast(dict, await super()._parse(replay(), scope))
            reject_repeated_fields([key for key, _ in forms[-1].multi_items()] if forms else [], self._schema)
            return data
        except MultiPartException as error:
            raise InvalidParameter("body", "", "malformed", str(error)) from None
        finally:
            for form in forms:
                await form.close()

    @property
    def _form_parser_cls(self) -> t.Any:
        return getattr(self, "_parser", MultiPartParser)


class JSONResponseValidator(JSONResponseBodyValidator):
    """Checks the mock's own responses in the test suite (not on every request in production)."""

    @cached_property
    def validator(self) -> Draft202012Validator:  # type: ignore[override]
        return schema_validator(self._schema)

    def _validate(self, body: dict) -> None:
        problem = first_problem(self.validator.iter_errors(body))
        if problem is not None:
            where = "/".join(str(part) for part in problem.absolute_path)
            raise NonConformingResponseBody(detail=f"response does not match the spec at /{where}: {problem.message}")


def validator_map() -> dict[str, t.Any]:
    """Connexion's ``validator_map`` for one app: our 2020-12 validators, with the app's own cache."""

    class CachedParameterValidator(ParameterValidator):
        cache = ValidatorCache()

    return {
        "parameter": CachedParameterValidator,
        "body": MediaTypeDict(
            {
                "*/*json": JSONBodyValidator,
                "application/x-www-form-urlencoded": FormBodyValidator,
                "multipart/form-data": MultipartBodyValidator,
            }
        ),
        "response": MediaTypeDict(
            {
                "*/*json": JSONResponseValidator,
                "text/plain": TextResponseBodyValidator,
            }
        ),
    }
