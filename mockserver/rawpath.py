"""Split the request path on ``/`` before percent-decoding, as GitLab and Sentry do.

ASGI servers hand over ``path`` already decoded, so ``releases/release%2F1.0`` arrives as
``releases/release/1.0`` and no route matches. This middleware rebuilds ``path`` from
``raw_path`` segment by segment, decoding everything except ``/``, ``%`` and control
characters, which stay escaped: the first so routing sees one segment, the last because
Starlette's mount patterns stop at a newline. ``unescape_segment`` finishes the decoding
once a path parameter has been matched.
"""

from __future__ import annotations

import re
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


class RawPathMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path") if scope["type"] == "http" else None
        if raw:
            # Most paths have nothing escaped and no query: then the path is the raw path as it is.
            path = raw.decode("ascii") if _PLAIN.fullmatch(raw) else routing_path(raw)
            if path != scope["path"]:
                scope = dict(scope, path=path)
        await self.app(scope, receive, send)
