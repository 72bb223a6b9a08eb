"""The pages for people, as one layer: the ``/`` index, each API's Swagger UI and spec document.

Each of the three is a layer of its own (``api_index``, ``swagger_ui``, ``spec_document``) that
looks at the path of every request; together they cost about a tenth of a request for one
release. Their paths are few and easy to tell from an API call, so this layer looks once and
enters the three only for a path one of them may answer; every other request goes straight on.
"""

from __future__ import annotations

import typing as t

from connexion.middleware.abstract import SpecMiddleware
from connexion.spec import Specification
from starlette.types import ASGIApp, Receive, Scope, Send

from .api_index import ApiIndexMiddleware
from .spec_document import DOCUMENT_ENDINGS, SpecDocumentMiddleware
from .swagger_ui import UI_PATH, SwaggerUIMiddleware, route_path


class PagesMiddleware(SpecMiddleware):
    """Spec documents, then Swagger UI, then the index (their order as layers), for their paths only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.index = ApiIndexMiddleware(app)
        self.ui = SwaggerUIMiddleware(self.index)
        self.documents = SpecDocumentMiddleware(self.ui)

    def add_api(self, specification: Specification, base_path: str | None = None, **kwargs: t.Any) -> None:
        for layer in (self.documents, self.ui, self.index):
            layer.add_api(specification, base_path=base_path, **kwargs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not may_be_page(scope):
            await self.app(scope, receive, send)
            return
        await self.documents(scope, receive, send)


def may_be_page(scope: Scope) -> bool:
    """Whether one of the three might answer: each path test is the one its layer starts with, or wider."""
    path: str = scope["path"]
    # Swagger UI: <mount>/ui, <mount>/ui/ and what is under it (found in the path below the root path).
    if UI_PATH in path:
        return True
    # A spec document, as its layer tests the whole path.
    if path.rstrip("/").endswith(DOCUMENT_ENDINGS):
        return True
    # The index: the root, below the root path.
    return route_path(scope) in ("", "/")
