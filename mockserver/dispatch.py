"""The error dispatcher: every failure, wherever it is raised, is rendered by the owning API.

Connexion and Starlette raise their own exceptions (routing misses, unsupported media types,
problems in the body). ``as_mock_error`` translates them into ``MockError``s, and
``ErrorDispatcher`` picks the API whose mount point the request is under and lets its
renderer write the response. ``ErrorMiddleware`` is the one layer that catches them, in place
of Starlette's two (server errors, then handled exceptions), which both wrapped every answer
and ran a synchronous handler on a thread. Nothing reaches the client as
``application/problem+json`` or a stack trace unless the API itself uses that shape.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import typing as t

from connexion.exceptions import NonConformingResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import errors
from .exchange import Reply
from .json_body import dump_json
from .openapi31 import HTTP_METHODS
from .plugin import UnservedMethod

logger = logging.getLogger("mockserver")

_BY_STATUS: dict[int, type[errors.MockError]] = {
    400: errors.BadRequest,
    401: errors.Unauthorized,
    403: errors.Forbidden,
    404: errors.NotFound,
    409: errors.Conflict,
    413: errors.PayloadTooLarge,
    415: errors.UnsupportedMediaType,
    422: errors.Unprocessable,
}


class InternalError(errors.MockError):
    status_code = 500


def as_mock_error(exc: Exception) -> errors.MockError:
    if isinstance(exc, errors.MockError):
        return exc
    if isinstance(exc, NonConformingResponse):
        logger.error("response does not conform to the spec: %s", exc.detail)
        return InternalError(f"response does not conform to the spec: {exc.detail}")
    if isinstance(exc, HTTPException):
        # ProblemException is an HTTPException too, with the same status in ``status_code``.
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            allow = headers.get("Allow", "")
            return errors.MethodNotAllowed(method.strip() for method in allow.split(",") if method.strip())
        known = _BY_STATUS.get(exc.status_code)
        if known is not None:
            return known(None, headers=headers)
        if exc.status_code >= 500:
            logger.error("the framework answered %s", exc.status_code, exc_info=exc)
        # A status nothing here names (406, 411, 414, 431, ...) is still the framework's answer, not a crash.
        return errors.StatusError(exc.status_code, headers=headers)
    logger.error("unhandled error", exc_info=exc)
    return InternalError(None)


def neutral_renderer(error: errors.MockError) -> Reply:
    """For paths that belong to no API."""
    text = {404: "404 Not Found", 405: "405 Method Not Allowed"}.get(error.status_code, str(error.status_code))
    return Reply({"error": text}, status=error.status_code, headers=error.headers)


class MethodTable:
    """Which methods the spec documents for a request path, for the ``Allow`` header of a 405.

    Starlette's own ``Allow`` lists only the methods of the first route that matched the
    path, and Connexion adds one route per operation, so it would leave methods out.
    """

    def __init__(self, mount: str, paths: t.Mapping[str, t.Any]) -> None:
        self._templates: list[tuple[re.Pattern[str], set[str]]] = []
        for template, item in paths.items():
            methods = {method.upper() for method in item if method in HTTP_METHODS}
            if "GET" in methods:
                methods.add("HEAD")  # served for every GET route, so advertised too
            wide = {
                param["name"]
                for method in item
                if method in HTTP_METHODS
                for param in item[method].get("parameters", []) + item.get("parameters", [])
                if isinstance(param, dict) and param.get("schema", {}).get("format") == "path"
            }
            pattern = re.sub(r"\\\{([^}]+)\\\}", self._segment_pattern(wide), re.escape(template))
            self._templates.append((re.compile(f"^{re.escape(mount)}{pattern}$", re.DOTALL), methods))

    @staticmethod
    def _segment_pattern(wide: set[str]) -> t.Callable[[re.Match[str]], str]:
        """A ``{name}`` matches one segment, or several for ``format: path`` parameters."""
        return lambda match: ".+" if match.group(1) in wide else "[^/]+"

    def allowed(self, path: str) -> set[str]:
        found: set[str] = set()
        for pattern, methods in self._templates:
            if pattern.match(path):
                found |= methods
        return found


@dataclasses.dataclass(frozen=True)
class _Owner:
    """An API as the dispatcher sees it: where it is mounted, its renderer, and how it answers unserved methods."""

    mount: str
    renderer: t.Callable[[errors.MockError], Reply]
    methods: MethodTable
    unserved_method: UnservedMethod
    answers_options: bool


class ErrorDispatcher:
    def __init__(self) -> None:
        self._owners: list[_Owner] = []

    def add(
        self,
        mount: str,
        renderer: t.Callable[[errors.MockError], Reply],
        paths: t.Mapping[str, t.Any],
        unserved_method: UnservedMethod = "method_not_allowed",
        answers_options: bool = False,
    ) -> None:
        """``unserved_method``, ``answers_options``: how the API answers a method a known path does not serve."""
        self._owners.append(_Owner(mount, renderer, MethodTable(mount, paths), unserved_method, answers_options))
        self._owners.sort(key=lambda owner: len(owner.mount), reverse=True)

    def owner_of(self, path: str) -> _Owner | None:
        for owner in self._owners:
            if path == owner.mount or path.startswith(owner.mount + "/") or owner.mount == "":
                return owner
        return None

    def response_for(self, scope: Scope, exc: Exception) -> Response:
        """The owning API's answer to ``exc``, raised while serving the request of ``scope``."""
        error = as_mock_error(exc)
        path = scope.get("path", "/")
        owner = self.owner_of(path)
        renderer = owner.renderer if owner is not None else neutral_renderer
        if isinstance(error, errors.MethodNotAllowed) and owner is not None:
            allowed = owner.methods.allowed(path)
            if owner.answers_options and allowed and scope.get("method") == "OPTIONS":
                return Response(status_code=204, headers={"Allow": ", ".join(sorted(allowed | {"OPTIONS"}))})
            if owner.unserved_method == "not_found":
                # The API's catch-all route answers, as it answers a path it does not know.
                error = errors.NotFound(None)
            elif allowed:
                error = errors.MethodNotAllowed(allowed, scope.get("method"))
        reply = renderer(error)
        headers = {**reply.headers, **error.headers}
        body = reply.body
        if reply.media_type.endswith("json"):
            body = dump_json(body)
        return Response(body, status_code=reply.status, headers=headers, media_type=reply.media_type)


class ErrorMiddleware:
    """Whatever the layers inside raise before their answer started becomes the owning API's error answer.

    A failure after the answer started cannot be answered any more: it goes on to the server, which
    closes the connection, as it would for any ASGI app.
    """

    def __init__(self, app: ASGIApp, dispatcher: ErrorDispatcher | None = None) -> None:
        self.app = app
        self.dispatcher = dispatcher if dispatcher is not None else ErrorDispatcher()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            started = True  # the first message a layer sends is always the start
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except Exception as exc:
            if started:
                raise
            response = self.dispatcher.response_for(scope, exc)
            # Reused exception instances would otherwise keep every request's traceback alive.
            exc.__traceback__ = None
            await response(scope, receive, send)
