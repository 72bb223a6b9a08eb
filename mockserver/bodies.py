"""Request bodies: read within a bound, parsed by media type, checked, and typed for the handler.

``BodyReader`` is compiled once per operation (``plans``). For each request it picks the
media type the client declared (refusing one the spec does not list with a 415), reads the
body, parses it (JSON, URL-encoded or multipart form), validates it on 2020-12 and returns a
``Body``: what the handler reads in ``Call.body``, the uploaded files it reads in
``Call.params``, and the parsed form to close once the handler is done.

Form fields are resolved as Connexion always resolved them for our handlers (repeats joined,
arrays split, values typed by their schema), so clients see the same behaviour.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import typing as t
from fnmatch import fnmatch
from urllib.parse import parse_qsl

from connexion.exceptions import TypeValidationError
from connexion.uri_parsing import OpenAPIURIParser
from connexion.utils import boolean
from starlette.datastructures import FormData, Headers, UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.types import Receive

from .errors import BadRequest, InvalidParameter, PayloadTooLarge, UnsupportedMediaType
from .validation import BodyCheck, coerce_text, schema_types

MAX_BODY_BYTES = 1_048_576
MAX_JSON_NESTING = 100
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


@dataclasses.dataclass
class Body:
    value: t.Any = None
    files: dict[str, t.Any] = dataclasses.field(default_factory=dict)
    form: FormData | None = None
    """A parsed multipart form, whose spooled uploads are closed after the handler ran."""

    async def close(self) -> None:
        if self.form is not None:
            await self.form.close()


class MediaTypes:
    """Media types or ranges as the spec lists them; a lookup picks the most specific match."""

    def __init__(self, entries: t.Mapping[str, t.Any]) -> None:
        self._entries = sorted(entries.items(), key=lambda item: ("*" not in item[0], item[0]), reverse=True)

    def get(self, media_type: str) -> t.Any:
        for pattern, value in self._entries:
            if fnmatch(media_type, pattern):
                return value
        return None

    def __contains__(self, media_type: str) -> bool:
        return any(fnmatch(media_type, pattern) for pattern, _ in self._entries)


def split_content_type(value: str | None) -> tuple[str | None, str | None]:
    """The media type and the charset of a ``Content-Type`` (other parameters ignored)."""
    if value is None:
        return None, None
    if ";" not in value:
        return value, None
    media_type, parameters = value.split(";", 1)
    charset = None
    for parameter in parameters.split(";"):
        if parameter.startswith("charset="):
            charset = parameter[len("charset=") :]
    return media_type, charset


def is_json(media_type: str) -> bool:
    main, _, sub = media_type.partition("/")
    sub = sub.split(";", 1)[0]
    return main == "application" and (sub == "json" or sub.endswith("+json"))


class BodyReader:
    """How an operation with a ``requestBody`` reads it: the media types it takes, each with its check."""

    def __init__(self, operation: t.Mapping[str, t.Any], parameters: list[dict]) -> None:
        request_body = operation.get("requestBody", {})
        content: dict = request_body.get("content", {})
        self.required = bool(request_body.get("required", False))
        self.consumes = list(content)
        self._accepted = MediaTypes({media_type.lower(): None for media_type in content})
        self._content = MediaTypes(content)
        self._checks = MediaTypes(
            {
                media_type: BodyCheck(entry["schema"], required=self.required)
                for media_type, entry in content.items()
                if isinstance(entry, dict) and entry.get("schema")
            }
        )
        first = content.get(self.consumes[0], {}) if self.consumes else {}
        # Forms are resolved against the first media type's definition, as Connexion did.
        self._form_parser = OpenAPIURIParser(parameters, first)
        self._additional = first.get("schema", {}).get("additionalProperties", True)

    async def read(self, headers: Headers, receive: Receive) -> Body:
        media_type, charset = split_content_type(headers.get("content-type"))
        if media_type is None:
            media_type = self.consumes[0] if self.consumes else "application/octet-stream"
        if self.consumes and media_type.lower() not in self._accepted:
            raise UnsupportedMediaType(None)
        check: BodyCheck | None = self._checks.get(media_type)
        definition = self._content.get(media_type) or {}
        schema = definition.get("schema", {})
        kind = "json" if is_json(media_type) else media_type if media_type in (FORM, MULTIPART) else "raw"
        declared_empty = not headers.get("content-length", "0").strip("0")
        if check is not None and kind != "raw" and self.required and declared_empty:
            if kind == "json" and "malformed" in schema.get("x-error", {}):
                raise BadRequest(schema["x-error"]["malformed"])  # no bytes are no JSON either
            check.check_empty()
        raw = await read_body(receive)
        if declared_empty:
            if "default" in schema:
                raw = json.dumps(schema["default"]).encode(charset or "utf-8")
            elif self.required and check is not None and kind != "raw":
                raise BadRequest(None)
        if not raw and not self.required and kind == MULTIPART:
            # An optional form sent empty (no parts, maybe no Content-Type): nothing to parse.
            return Body({})
        if kind == "json":
            return Body(self._json(raw, charset or "utf-8", check, schema))
        if kind == FORM:
            return await self._form(raw, headers, check, schema)
        if kind == MULTIPART:
            return await self._multipart(raw, headers, check, schema)
        return Body(raw or None)

    def _json(self, raw: bytes, charset: str, check: BodyCheck | None, schema: dict) -> t.Any:
        if check is not None:
            try:
                body = parse_json(raw, charset)
            except InvalidParameter:
                # A schema may name the answer to a body that is not JSON at all (``x-error: malformed``).
                malformed = schema.get("x-error", {}).get("malformed")
                if malformed is None:
                    raise
                raise BadRequest(malformed) from None
            check.check(body)
        else:
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
        return copy.deepcopy(schema.get("default", {})) if body is None else body

    async def _form(self, raw: bytes, headers: Headers, check: BodyCheck | None, schema: dict) -> Body:
        if check is not None:
            # Starlette reads form bytes as latin-1 and bad %-escapes as U+FFFD, so text that is
            # not UTF-8 would pass as mojibake: check it here, raw and unescaped.
            try:
                pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                raise InvalidParameter("body", "", "malformed", "the form is not valid UTF-8") from None
        try:
            form = await FormParser(headers, _replay(raw)).parse()
        except MultiPartException:
            # Starlette's own limit of 1,000 fields (a field cannot pass 1 MiB: the body cannot).
            raise PayloadTooLarge() from None
        if check is not None:
            data = self._fields_to_check(form, schema)
            reject_repeated_fields([key for key, _ in pairs], schema)
            _coerce_fields(data, schema)
            check.check(data)
        return Body(self._typed_fields(form, schema))

    async def _multipart(self, raw: bytes, headers: Headers, check: BodyCheck | None, schema: dict) -> Body:
        try:
            form = await MultiPartParser(headers, _replay(raw)).parse()
        except MultiPartException as error:
            raise InvalidParameter("body", "", "malformed", str(error)) from None
        try:
            if check is not None:
                data = self._fields_to_check(form, schema)
                reject_repeated_fields([key for key, _ in form.multi_items()], schema)
                check.check(data)
            files: dict[str, list] = {}
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    files.setdefault(key, []).append(value)
            properties = schema.get("properties", {})
            uploads = {
                key: values if properties.get(key, {}).get("type") == "array" else values[0]
                for key, values in files.items()
            }
            body = self._typed_fields(form, schema)
        except BaseException:
            await form.close()
            raise
        return Body(body, uploads, form)

    def _fields_to_check(self, form: FormData, schema: dict) -> dict:
        """The form as validated: fields resolved, uploads standing as empty strings."""
        fields: dict[str, t.Any] = {}
        uploads: dict[str, t.Any] = {}
        properties = schema.get("properties", {})
        for key in form.keys():
            prop = properties.get(key, {})
            values = form.getlist(key)
            if _is_file(prop):
                uploads[key] = "" if len(values) == 1 else [""] * len(values)
            elif _is_file(prop.get("items", {})) or isinstance(values[0], UploadFile):
                uploads[key] = [""] * len(values)
            else:
                fields[key] = values
        data = self._resolve(fields)
        data.update(uploads)
        return data

    def _typed_fields(self, form: FormData, schema: dict) -> dict:
        """The form as the handler reads it: text fields resolved and typed by the body's schema."""
        fields: dict[str, list] = {}
        for key, value in form.multi_items():
            if not isinstance(value, UploadFile):
                fields.setdefault(key, []).append(value)
        body = copy.deepcopy(schema.get("default", {}))
        body.update(self._resolve(fields))
        properties = schema.get("properties", {})
        if not (properties or self._additional):
            return {}
        typed = {}
        for key, value in body.items():
            prop = properties.get(key)
            if prop is not None and isinstance(prop.get("type"), str) and prop["type"] in _TYPES:
                typed[key] = _typed(value, prop)
            elif self._additional:
                typed[key] = value
        return typed

    def _resolve(self, fields: dict[str, list]) -> dict:
        try:
            return t.cast(dict, self._form_parser.resolve_form(fields))
        except TypeValidationError:
            # A field its schema types but that does not read as that type: a plain 400, as before.
            raise BadRequest(None) from None


_TYPES: dict[str, t.Callable[[t.Any], t.Any]] = {
    "integer": int,
    "number": float,
    "string": str,
    "boolean": boolean,
    "array": list,
    "object": dict,
}


def _typed(value: t.Any, schema: dict) -> t.Any:
    if schema["type"] == "array":
        items = schema.get("items", {})
        return [_typed(part, items) if isinstance(items.get("type"), str) else part for part in value]
    if schema["type"] == "string" and schema.get("format") == "binary":
        return value
    return _TYPES.get(schema["type"], lambda same: same)(value)


def _is_file(schema: t.Mapping[str, t.Any]) -> bool:
    return schema.get("type") == "string" and schema.get("format") in ("binary", "base64")


def _coerce_fields(data: dict, schema: dict) -> None:
    properties = schema.get("properties", {})
    for key, value in list(data.items()):
        prop = properties.get(key, {})
        if isinstance(value, str) and schema_types(prop) and "string" not in schema_types(prop):
            try:
                data[key] = coerce_text(value, prop)
            except ValueError:
                raise InvalidParameter("body", key, "invalid") from None


async def _replay(raw: bytes) -> t.AsyncGenerator[bytes, None]:
    yield raw


async def read_body(receive: Receive) -> bytes:
    """The whole body, or ``PayloadTooLarge`` as soon as it passes ``MAX_BODY_BYTES``."""
    chunks, size = [], 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise PayloadTooLarge()
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def parse_json(raw: bytes, charset: str) -> t.Any:
    """The JSON body, ``None`` for an empty one; ``InvalidParameter`` when it cannot be used."""
    if not raw.strip():
        return None
    try:
        body = json.loads(raw.decode(charset))
    except (UnicodeDecodeError, LookupError):
        raise InvalidParameter("body", "", "malformed", "the body is not valid text in its declared charset") from None
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

    Nesting is bounded like Ruby's ``JSON.parse`` (``max_nesting`` 100), so that no later
    recursive walk of the body (validation, rendering) can exhaust Python's recursion.
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

    Connexion's form resolution would keep the values joined, silently.
    """
    properties = schema.get("properties", {})
    for key in {key for key in keys if keys.count(key) > 1 and key in properties}:
        if "array" not in schema_types(properties[key]):
            raise InvalidParameter("body", key, "invalid", "sent more than once")
