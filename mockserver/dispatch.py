"""The error dispatcher: every failure, wherever it is raised, is rendered by the owning API.

Connexion and Starlette raise their own exceptions (routing misses, unsupported media types,
problems in the body). ``as_mock_error`` translates them into ``MockError``s, and
``ErrorDispatcher`` picks the API whose mount point the request is under and lets its
renderer write the response. Nothing reaches the client as ``application/problem+json`` or
a stack trace unless the API itself uses that shape.
"""

from __future__ import annotations

import json
import logging
import typing as t

from connexion.exceptions import NonConformingResponse, ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from . import errors
from .exchange import Reply

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
        if exc.status_code == 405:
            allow = (exc.headers or {}).get("Allow", "")
            return errors.MethodNotAllowed(method.strip() for method in allow.split(",") if method.strip())
        return _BY_STATUS.get(exc.status_code, InternalError)(None)
    if isinstance(exc, ProblemException):
        return _BY_STATUS.get(exc.status, InternalError)(None)
    logger.error("unhandled error", exc_info=exc)
    return InternalError(None)


def neutral_renderer(error: errors.MockError) -> Reply:
    """For paths that belong to no API."""
    text = {404: "404 Not Found", 405: "405 Method Not Allowed"}.get(error.status_code, str(error.status_code))
    return Reply({"error": text}, status=error.status_code, headers=error.headers)


class ErrorDispatcher:
    def __init__(self) -> None:
        self._renderers: list[tuple[str, t.Callable[[errors.MockError], Reply]]] = []

    def add(self, mount: str, renderer: t.Callable[[errors.MockError], Reply]) -> None:
        self._renderers.append((mount, renderer))
        self._renderers.sort(key=lambda entry: len(entry[0]), reverse=True)

    def renderer_for(self, path: str) -> t.Callable[[errors.MockError], Reply]:
        for mount, renderer in self._renderers:
            if path == mount or path.startswith(mount + "/") or mount == "":
                return renderer
        return neutral_renderer

    def __call__(self, request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        error = as_mock_error(exc)
        reply = self.renderer_for(request.scope.get("path", "/"))(error)
        headers = {**reply.headers, **error.headers}
        body = reply.body
        if reply.media_type.endswith("json"):
            body = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        return ConnexionResponse(
            status_code=reply.status, body=body, headers=headers, mimetype=reply.media_type, content_type=reply.media_type
        )
