"""Connexion's routing middleware, with integer path segments read by ``ids.read_integer`` (or left
untyped for an API that asks), and its answers for paths it has routed before read back from a memo.

Connexion routes a path parameter of ``type: integer`` as ``{name:int}`` and converts the
segment with ``int()`` while matching; a segment of more than 4,300 digits raised out of
the router as a 500. Read here, it is an id beyond every id, which the handler does not find.
The convertor is Starlette's, one per process, so an API whose real server routes a segment
whatever its declared type (Grape: ``links/abc`` reaches the endpoint, whose parameter check
answers 400) is added with ``typed_segments=False``: its integer segments are routed as any
segment and handed on as text, for the pipeline's parameter check to read.

Routing walks the mounts and then the routes of an API in order, matching a pattern each time:
about a quarter of what a request for one release costs. Its answer depends only on the method
and the path (the routes are fixed once the app starts), so the operation Connexion's router
found is kept for the path, and the same request later gets the same operation, path parameters
and base path without the walk. Only paths that reached an operation are kept; anything else
(no route, a method the path does not serve, a redirect) goes through the router every time.
"""

from __future__ import annotations

import collections
import typing as t

import starlette.convertors
from connexion.frameworks.starlette import IntegerConverter, starlettify_path
from connexion.middleware.abstract import ROUTING_CONTEXT
from connexion.middleware.routing import RoutingAPI
from connexion.middleware.routing import RoutingMiddleware as ConnexionRoutingMiddleware
from connexion.operations import AbstractOperation
from connexion.spec import Specification
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from .ids import read_integer

MEMO_SIZE = 4096
"""Paths whose routing is kept; the oldest make room. A path's entry is a few hundred bytes."""

_Routed = tuple[dict[str, t.Any], str, str]
"""What routing adds to a request: its path parameters, the API's base path, the operation's key."""


class IntegerSegment(IntegerConverter):
    """Connexion's ``int`` segment (an optional sign and digits), of any length."""

    def convert(self, value: str) -> int:
        return read_integer(value)


class UntypedSegmentsAPI(RoutingAPI):
    """Connexion's routing of one API, each path parameter matching any one segment whatever its type.

    Only ``format: path`` keeps its convertor: such a parameter takes the rest of the path.
    """

    @staticmethod
    def _framework_path_and_name(operation: AbstractOperation, path: str) -> tuple[str, str]:
        kinds = {name: kind for name, kind in operation.get_path_parameter_types().items() if kind == "path"}
        starlette_path = starlettify_path(path, kinds)
        return starlette_path, starlette_path


class RoutingMiddleware(ConnexionRoutingMiddleware):
    def __init__(self, app: ASGIApp, memo_size: int = MEMO_SIZE) -> None:
        super().__init__(app)
        # Connexion has just registered its own ``int`` convertor, process-wide, as every router
        # does; routes pick their convertors up when they are added, which comes right after.
        starlette.convertors.register_url_convertor("int", IntegerSegment())
        self._next = app
        self._memo: collections.OrderedDict[tuple[str, str, str], _Routed] = collections.OrderedDict()
        self._memo_size = memo_size
        # The APIs, added later, hand their requests on to ``self.app``: routed requests are noted there.
        self.app = self._noting_routes

    def add_api(  # type: ignore[override]
        self,
        specification: Specification,
        base_path: str | None = None,
        arguments: dict | None = None,
        *,
        typed_segments: bool = True,
        **kwargs: t.Any,
    ) -> None:
        """Connexion's ``add_api``; ``typed_segments=False``: the API's segments are routed untyped."""
        if typed_segments:
            super().add_api(specification, base_path=base_path, arguments=arguments, **kwargs)
            return
        api = UntypedSegmentsAPI(specification, base_path=base_path, arguments=arguments, next_app=self.app, **kwargs)
        # As Connexion chains APIs that share a base path: a path the first does not route goes on to the next.
        for route in self.router.routes:
            if isinstance(route, Mount) and route.path == api.base_path:
                route.app.default = api.router  # type: ignore[attr-defined]
        self.router.mount(api.base_path, app=api.router)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            known = self._memo.get((scope["method"], scope["path"], scope.get("root_path", "")))
            if known is not None:
                await self._next(_as_routed(scope, known), receive, send)
                return
        await super().__call__(scope, receive, send)

    async def _noting_routes(self, scope: Scope, receive: Receive, send: Send) -> None:
        """What Connexion's router decided for a request that reached an operation, kept for its path."""
        routed = scope.get("extensions", {}).get(ROUTING_CONTEXT, {})
        operation_id = routed.get("operation_id")
        if scope["type"] == "http" and operation_id is not None and self._memo_size > 0:
            memo = self._memo
            if len(memo) >= self._memo_size:
                memo.popitem(last=False)
            key = (scope["method"], scope["path"], scope.get("root_path", ""))
            memo[key] = (dict(scope.get("path_params", {})), routed["api_base_path"], operation_id)
        await self._next(scope, receive, send)


def _as_routed(scope: Scope, routed: _Routed) -> Scope:
    """The scope as Connexion's routing hands it on: a copy, with the path parameters and the operation added."""
    path_params, base_path, operation_id = routed
    scope = dict(scope)
    scope.setdefault("path_params", {}).update(path_params)
    context = scope.setdefault("extensions", {}).setdefault(ROUTING_CONTEXT, {})
    context.update({"api_base_path": base_path, "operation_id": operation_id})
    return scope
