"""Format negotiation as Grape does it, for an API that serves a fixed set of formats (``ApiPlugin.formats``).

Grape's formatter takes a request's format from the path's extension when that names a format
the API serves, else from the ``format`` query parameter, else the API's own. A ``format``
parameter naming any other format is refused with 406 before the route runs: before
authentication, the body and the parameters' checks, and on paths the API does not know as on
those it does. The parameter sent without ``=`` is no format at all (Rack reads it as nil), and
the API's own format stands; sent empty, it names the format ``''``, which no API serves.
"""

from __future__ import annotations

import typing as t
from urllib.parse import unquote_to_bytes

from connexion.middleware.abstract import SpecMiddleware
from connexion.spec import Specification
from starlette.types import ASGIApp, Receive, Scope, Send

from . import grape
from .errors import InvalidParameter, NotAcceptable

PARAMETER = "format"
_PARAMETER_BYTES = PARAMETER.encode()


class FormatNegotiationMiddleware(SpecMiddleware):
    """Refuses, for each API that lists its ``formats``, a request whose ``format`` parameter names another."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._mounts: list[tuple[str, frozenset[str]]] = []

    def add_api(self, specification: Specification, base_path: str | None = None, **kwargs: t.Any) -> None:
        formats = kwargs.get("formats") or ()
        if formats:
            self._mounts.append(((base_path or "").rstrip("/"), frozenset(formats)))
            self._mounts.sort(key=lambda mount: len(mount[0]), reverse=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Most requests carry no format parameter: they pass on after a look at the query's bytes
        # (a key may come percent-encoded, as Rack decodes keys too).
        query = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if self._mounts and (_PARAMETER_BYTES in query or b"%" in query):
            formats = self._formats_at(scope["path"])
            if formats is not None:
                refuse_unserved_format(scope, formats)
        await self.app(scope, receive, send)

    def _formats_at(self, path: str) -> frozenset[str] | None:
        for mount, formats in self._mounts:
            if path == mount or path.startswith(mount + "/"):
                return formats
        return None


def refuse_unserved_format(scope: Scope, formats: frozenset[str]) -> None:
    """``NotAcceptable`` naming the format asked for, unless the path's extension or the query names a served one."""
    path = scope.get("raw_path") or scope["path"].encode()
    _, dot, extension = path.split(b"?", 1)[0].rpartition(b".")
    if dot and extension.decode("latin-1") in formats:
        return
    requested = requested_format(scope.get("query_string", b""))
    if requested is None or (isinstance(requested, str) and requested in formats):
        return
    raise NotAcceptable(f"The requested format '{ruby_inspect(requested)}' is not supported.")


def requested_format(query: bytes) -> t.Any:
    """The ``format`` parameter as Rack reads the query (the last one sent, nested keys built), or ``None``."""
    pairs: list[tuple[str, t.Any]] = []
    for part in query.split(b"&"):
        key, equals, value = part.partition(b"=")
        name = _unescape(key)
        if grape.key_head(name) == PARAMETER:
            pairs.append((name, _unescape(value) if equals else None))
    if not pairs:
        return None
    try:
        return grape.nested(pairs).get(PARAMETER)
    except InvalidParameter:
        # Keys Rack cannot build (a value and a hash at once): no format is read from them.
        return None


def _unescape(text: bytes) -> str:
    return unquote_to_bytes(text.replace(b"+", b" ")).decode("utf-8", errors="replace")


def ruby_inspect(value: t.Any) -> str:
    """How Ruby's string interpolation writes a parameter: a text as it is, a list or hash as ``inspect`` does."""
    if isinstance(value, str):
        return value
    return _inspect(value)


def _inspect(value: t.Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_inspect(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_inspect(key)}=>{_inspect(item)}" for key, item in value.items()) + "}"
    return str(value)
