"""Split the request path on ``/`` before percent-decoding, as GitLab and Sentry do.

ASGI servers hand over ``path`` already decoded, so ``releases/release%2F1.0`` arrives as
``releases/release/1.0`` and no route matches. This middleware rebuilds ``path`` from
``raw_path`` segment by segment, decoding everything except ``%2F`` and ``%25``, which stay
escaped so routing sees one segment. ``unescape_segment`` finishes the decoding once a path
parameter has been matched.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

_KEPT_ESCAPES = re.compile(r"%(2F|25)")


def escape_segment(raw_segment: str) -> str:
    decoded = unquote(raw_segment, errors="replace")
    return decoded.replace("%", "%25").replace("/", "%2F")


def unescape_segment(value: str) -> str:
    return _KEPT_ESCAPES.sub(lambda match: "/" if match.group(1) == "2F" else "%", value)


def routing_path(raw_path: bytes) -> str:
    text = raw_path.split(b"?", 1)[0].decode("utf-8", errors="replace")
    return "/".join(escape_segment(segment) for segment in text.split("/"))


class RawPathMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("raw_path"):
            scope = dict(scope, path=routing_path(scope["raw_path"]))
        await self.app(scope, receive, send)
