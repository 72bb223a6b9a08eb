"""Split the request path on ``/`` before percent-decoding, as GitLab and Sentry do.

ASGI servers hand over ``path`` already decoded, so ``releases/release%2F1.0`` arrives as
``releases/release/1.0`` and no route matches. This middleware rebuilds ``path`` from
``raw_path`` segment by segment, decoding everything except ``/``, ``%`` and control
characters, which stay escaped: the first so routing sees one segment, the last because
Starlette's mount patterns stop at a newline. ``unescape_segment`` finishes the decoding
once a path parameter has been matched.

An API whose paths take a format suffix (GitLab's Grape routes end in an optional ``.json``)
has it dropped here, before routing, so ``/releases.json`` is served as ``/releases``.
"""

from __future__ import annotations

import re
import typing as t
from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

_KEPT = re.compile(r"[%/\x00-\x1f\x7f]")
_KEPT_ESCAPES = re.compile(r"%([0-9A-F]{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A raw path that routing_path gives back as it is: ASCII, no escape, no control character, no query.
_PLAIN = re.compile(rb"[\x20-\x24\x26-\x3e\x40-\x7e]*")


def escape_segment(raw_segment: str) -> str:
    decoded = unquote(raw_segment, errors="replace")
    return _KEPT.sub(lambda match: f"%{ord(match.group()):02X}", decoded)


def unescape_segment(value: str) -> str:
    # After escape_segment every "%" starts one of our escapes, so each %XX is decoded exactly once.
    if "%" not in value:
        return value
    return _KEPT_ESCAPES.sub(lambda match: chr(int(match.group(1), 16)), value)


def routing_path(raw_path: bytes) -> str:
    raw = raw_path.split(b"?", 1)[0]
    if b"%" not in raw and raw.isascii():
        # Nothing escaped: each segment is itself, unless it holds a control character.
        text = raw.decode("ascii")
        if not _CONTROL.search(text):
            return text
    text = raw.decode("utf-8", errors="replace")
    return "/".join(escape_segment(segment) for segment in text.split("/"))


class FormatSuffixes:
    """The mounts whose paths may end in a format suffix, each with the paths where it may not.

    A path whose last parameter takes the rest of the path (``format: path``) keeps its suffix:
    there it is part of the value (a file ``notes.json``), as Grape's ``format: false`` routes do.
    So do the pages served under the mount that are not the API's (``pages``: its spec document,
    its Swagger UI and what lies below it).
    Filled by ``create_app`` as it mounts the APIs; read by ``RawPathMiddleware`` on each request.
    """

    def __init__(self) -> None:
        self._mounts: list[tuple[str, str, re.Pattern[str] | None]] = []

    def add(self, mount: str, suffix: str, paths: t.Mapping[str, t.Any], pages: t.Iterable[str] = ()) -> None:
        if not suffix:
            return
        kept = [_pattern(template, item) for template, item in paths.items() if _ends_in_wide_parameter(item)]
        kept += [f"{re.escape(page)}(?:/.*)?" for page in pages]
        exempt = re.compile(f"^{re.escape(mount)}(?:{'|'.join(kept)})$", re.DOTALL) if kept else None
        self._mounts.append((mount, suffix, exempt))

    def __bool__(self) -> bool:
        return bool(self._mounts)

    def strip(self, path: str) -> str:
        for mount, suffix, exempt in self._mounts:
            if path.endswith(suffix) and path.startswith(mount + "/"):
                bare = path[: -len(suffix)]
                if bare.endswith("/") or (exempt is not None and exempt.match(path)):
                    return path
                return bare
        return path


def _wide_parameters(item: t.Mapping[str, t.Any]) -> set[str]:
    """The path item's parameters (its own and its operations') that take the rest of the path."""
    operations = [item, *(value for value in item.values() if isinstance(value, dict))]
    return {
        param["name"]
        for operation in operations
        for param in operation.get("parameters", [])
        if isinstance(param, dict) and param.get("schema", {}).get("format") == "path"
    }


def _ends_in_wide_parameter(item: t.Mapping[str, t.Any]) -> bool:
    return bool(_wide_parameters(item))


def _pattern(template: str, item: t.Mapping[str, t.Any]) -> str:
    wide = _wide_parameters(item)
    return re.sub(
        r"\\\{([^}]+)\\\}",
        lambda match: ".+" if match.group(1) in wide else "[^/]+",
        re.escape(template),
    )


class RawPathMiddleware:
    def __init__(self, app: ASGIApp, format_suffixes: FormatSuffixes | None = None) -> None:
        self.app = app
        self.format_suffixes = format_suffixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path") if scope["type"] == "http" else None
        if raw:
            # Most paths have nothing escaped and no query: then the path is the raw path as it is.
            path = raw.decode("ascii") if _PLAIN.fullmatch(raw) else routing_path(raw)
            if self.format_suffixes:
                path = self.format_suffixes.strip(path)
            if path != scope["path"]:
                scope = dict(scope, path=path)
        await self.app(scope, receive, send)
