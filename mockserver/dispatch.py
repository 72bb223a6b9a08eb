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
from connexion.frameworks.starlette import starlettify_path
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route

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


_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _path_routes(spec: t.Any) -> list[Route]:
    """One route per path of the spec, carrying every method the path serves.

    Connexion registers one route per operation, so the 405 Starlette raises names only the
    first operation's method; a 405 must list them all in ``Allow``.
    """
    routes = []
    for path, item in spec["paths"].items():
        operations = [item[name] for name in item if name in _HTTP_METHODS]
        parameters = [*item.get("parameters", []), *(p for op in operations for p in op.get("parameters", []))]
        types = {p["name"]: _path_type(p.get("schema", {})) for p in parameters if p.get("in") == "path"}
        methods = [name.upper() for name in item if name in _HTTP_METHODS]
        routes.append(Route(starlettify_path(path, types), _never_called, methods=methods))
    return routes


def _path_type(schema: t.Mapping[str, t.Any]) -> t.Any:
    """As Connexion types a path parameter for routing (``format: path`` may hold slashes)."""
    return "path" if schema.get("type") == "string" and schema.get("format") == "path" else schema.get("type")


def _never_called(request: t.Any) -> None:  # pragma: no cover - the routes only match paths
    raise AssertionError("used for matching only")


class ErrorDispatcher:
    def __init__(self) -> None:
        self._apis: list[tuple[str, t.Callable[[errors.MockError], Reply], t.Any]] = []
        self._routes: dict[str, list[Route]] = {}

    def add(self, mount: str, renderer: t.Callable[[errors.MockError], Reply], spec: t.Any = None) -> None:
        self._apis.append((mount, renderer, spec))
        self._apis.sort(key=lambda entry: len(entry[0]), reverse=True)

    def _api_for(self, path: str) -> tuple[str, t.Callable[[errors.MockError], Reply], t.Any] | None:
        for entry in self._apis:
            mount = entry[0]
            if path == mount or path.startswith(mount + "/") or mount == "":
                return entry
        return None

    def renderer_for(self, path: str) -> t.Callable[[errors.MockError], Reply]:
        entry = self._api_for(path)
        return entry[1] if entry else neutral_renderer

    def allowed_methods(self, path: str) -> list[str]:
        """Every method some operation of the owning API serves at ``path``."""
        entry = self._api_for(path)
        if entry is None:
            return []
        mount, _renderer, spec = entry
        if spec is None:
            return []
        # Built on first use: Connexion registers its path convertors (signed integers) only
        # when its router starts, and these routes must match the paths Connexion's do.
        routes = self._routes.get(mount) or self._routes.setdefault(mount, _path_routes(spec))
        scope = {"type": "http", "path": path[len(mount):] or "/", "method": ""}
        return [method for route in routes if route.matches(scope)[0] is not Match.NONE for method in route.methods or ()]

    def __call__(self, request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        path = request.scope.get("path", "/")
        error = as_mock_error(exc)
        if isinstance(error, errors.MethodNotAllowed):
            error = errors.MethodNotAllowed([*filter(None, error.allowed.split(", ")), *self.allowed_methods(path)])
        reply = self.renderer_for(path)(error)
        headers = {**reply.headers, **error.headers}
        body = reply.body
        if reply.media_type.endswith("json"):
            body = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        return ConnexionResponse(
            status_code=reply.status, body=body, headers=headers, mimetype=reply.media_type, content_type=reply.media_type
        )
