"""Request bodies: read within a bound, parsed by media type, checked, and typed for the handler.

``BodyReader`` is compiled once per operation (``plans``). For each request it picks the
media type the client declared (refusing one the spec does not list with a 415), reads the
body, parses it (JSON, URL-encoded or multipart form), validates it on 2020-12 and returns a
``Body``: what the handler reads in ``Call.body``, the uploaded files it reads in
``Call.params``, and the parsed form to close once the handler is done.

Form fields are resolved as Connexion always resolved them for our handlers (repeats joined,
arrays split, values typed by their schema), so clients see the same behaviour. An API with
Grape's semantics (``grape``) reads them as Grape does instead, and takes the query string's
fields into the body.
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

from . import grape
from .errors import BadRequest, InvalidParameter, PayloadTooLarge, UnsupportedMediaType
from .validation import BodyCheck, coerce_text, schema_types

MAX_BODY_BYTES = 1_048_576
MAX_JSON_NESTING = 100
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
MAX_FORM_FIELDS = 1000
"""Starlette's own limit, kept where forms are read as Grape reads them."""


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

    def __init__(self, operation: t.Mapping[str, t.Any], parameters: list[dict], *, grape: bool = False) -> None:
        """``grape``: read the body with Grape's semantics (``mockserver.grape``)."""
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
        self.grape = grape
        # Grape declares an operation's parameters once, whatever the encoding: the JSON body's schema.
        declared = next((entry for media_type, entry in content.items() if is_json(media_type)), None)
        self._declared_schema = declared.get("schema") if isinstance(declared, dict) else None
        self._declared_check = (
            BodyCheck(self._declared_schema, required=self.required) if self._declared_schema else None
        )
        query_names = {param["name"] for param in parameters if param.get("in") == "query"}
        self.query_fields = frozenset(
            name
            for entry in content.values()
            if isinstance(entry, dict)
            for name in entry.get("schema", {}).get("properties", {})
            if name not in query_names
        )
        """Body fields the query string may carry instead (Grape)."""

    async def read(self, headers: Headers, receive: Receive, query: t.Sequence[tuple[str, str]] = ()) -> Body:
        """The body as the handler reads it; ``query``: the request's query pairs, for Grape's merge."""
        if self.grape:
            return await self._read_grape(headers, receive, query)
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

    async def _read_grape(self, headers: Headers, receive: Receive, query: t.Sequence[tuple[str, str]]) -> Body:
        """Query fields, then the body's over them (a form's or a JSON object's), coerced and checked as one."""
        media_type, charset = split_content_type(headers.get("content-type"))
        raw = await read_body(receive)
        from_query = [(key, value) for key, value in query if grape.key_head(key) in self.query_fields]
        if not raw.strip():
            # No body (curl -X POST with the query alone): the media type declared does not matter.
            schema, check = self._grape_schema(media_type)
            if not from_query and "default" in schema:
                return Body(copy.deepcopy(schema["default"]))
            return Body(self._checked(grape.coerce(grape.nested(from_query), schema), check))
        if media_type is None:
            media_type = self.consumes[0] if self.consumes else "application/octet-stream"
        # Rack reads both kinds of form for any route, whatever the route declares.
        if self.consumes and media_type.lower() not in self._accepted and media_type not in (FORM, MULTIPART):
            raise UnsupportedMediaType(None)
        schema, check = self._grape_schema(media_type)
        queried = grape.coerce(grape.nested(from_query), schema)
        if is_json(media_type):
            body = parse_json(raw, charset or "utf-8")
            if isinstance(body, dict):
                body = {**queried, **grape.coerce(body, schema)}
            elif body is None:
                body = queried
            return Body(self._checked(body, check))
        if media_type == FORM:
            try:
                pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                raise InvalidParameter("body", "", "malformed", "the form is not valid UTF-8") from None
            if len(pairs) > MAX_FORM_FIELDS:
                raise PayloadTooLarge()
            fields = {**queried, **grape.coerce(grape.nested(pairs), schema)}
            return Body(self._checked(fields, check))
        if media_type == MULTIPART:
            return await self._grape_multipart(raw, headers, queried, schema, check)
        return Body(raw)

    async def _grape_multipart(
        self, raw: bytes, headers: Headers, queried: dict, schema: dict, check: BodyCheck | None
    ) -> Body:
        try:
            form = await MultiPartParser(headers, _replay(raw)).parse()
        except MultiPartException as error:
            raise InvalidParameter("body", "", "malformed", str(error)) from None
        try:
            texts = [(key, value) for key, value in form.multi_items() if not isinstance(value, UploadFile)]
            fields = {**queried, **grape.coerce(grape.nested(texts), schema)}
            files: dict[str, list] = {}
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    files.setdefault(key, []).append(value)
            properties = schema.get("properties", {})
            many = {key for key in files if "array" in schema_types(properties.get(key, {}))}
            # Uploads stand as empty texts for the check: their contents are not the schema's business.
            standing = {key: [""] * len(files[key]) if key in many else "" for key in files}
            self._checked({**fields, **standing}, check, uploads=files.keys())
            uploads = {key: values if key in many else values[-1] for key, values in files.items()}
        except BaseException:
            await form.close()
            raise
        return Body(fields, uploads, form)

    def _grape_schema(self, media_type: str | None) -> tuple[dict, BodyCheck | None]:
        """The schema and check a body is read by: the JSON body's, else the media type's, else the first listed."""
        if self._declared_check is not None and self._declared_schema is not None:
            return self._declared_schema, self._declared_check
        if media_type is None or self._content.get(media_type) is None:
            media_type = self.consumes[0] if self.consumes else None
        definition = (self._content.get(media_type) if media_type else None) or {}
        return definition.get("schema", {}), self._checks.get(media_type) if media_type else None

    @staticmethod
    def _checked(body: t.Any, check: BodyCheck | None, uploads: t.Collection[str] = ()) -> t.Any:
        """``body`` once checked; ``uploads``: the fields that came as files (standing as empty texts)."""
        if check is not None:
            check.check({} if body is None else body, every_problem=True)
            if isinstance(body, dict):
                _refuse_text_for_files({key: value for key, value in body.items() if key not in uploads}, check.schema)
        return body

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


def _refuse_text_for_files(fields: dict, schema: dict) -> None:
    """A field the schema wants a file in that came as text (a form field, a JSON value) is no file.

    Uploads travel apart (``Body.files``), so whatever is left in the fields under a file's name is text.
    """
    for key, prop in schema.get("properties", {}).items():
        if key in fields and (_is_file(prop) or _is_file(prop.get("items", {}))):
            raise InvalidParameter("body", key, "invalid", "a file is expected", rule="type")


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
