"""What the server writes per request: one access line when asked for, and none of its libraries' chatter."""

from __future__ import annotations

import datetime
import logging
import re
import time
import typing as t

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Loggers that speak up for requests that are merely unusual; each such request already gets the API's own answer.
REQUEST_NOISE = (
    # Connexion, at ERROR, for every query parameter or body property the spec does not name: GitLab ignores
    # unknown parameters (clients send ``private_token`` in the query), and so does the mock.
    ("connexion.decorators.parameter", logging.CRITICAL),
    # Connexion, at WARNING, for every request to an operation that accepts several body media types.
    ("connexion.operations.openapi3", logging.ERROR),
    # python-multipart, for every malformed multipart body; the API answers it with its own 400.
    ("python_multipart", logging.CRITICAL),
)

# Tokens clients may send in the query string; the access log shows them as GitLab's own logs do.
TOKEN_IN_QUERY = re.compile(rb"(?i)(^|&)(private_token|job_token|access_token)=[^&]*")


def quiet_request_noise() -> None:
    """Raise the level of the loggers above; errors of the mock itself (logger ``mockserver``) still show."""
    for name, level in REQUEST_NOISE:
        logging.getLogger(name).setLevel(level)


class AccessLog:
    """ASGI middleware writing one line per request: when, client, method, path with query, status and duration."""

    def __init__(self, app: ASGIApp, stream: t.TextIO) -> None:
        self._app = app
        self._stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, send_noting_status)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            print(self._line(scope, status, elapsed_ms), file=self._stream, flush=True)

    @staticmethod
    def _line(scope: Scope, status: int | None, elapsed_ms: float) -> str:
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        client = scope["client"][0] if scope.get("client") else "-"
        # The path as the client sent it (``%2F`` kept), which is what GitLab and Sentry paths hinge on.
        path = scope.get("raw_path") or scope["path"].encode()
        query = TOKEN_IN_QUERY.sub(rb"\1\2=[FILTERED]", scope.get("query_string", b""))
        target = (path + b"?" + query if query else path).decode("ascii", "backslashreplace")
        return f"{now} {client} {scope['method']} {target} {status or '-'} {elapsed_ms:.1f}ms"
