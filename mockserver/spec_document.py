"""Connexion's middleware that serves each mount's ``openapi.json`` (and ``.yaml``), entered only for those paths.

Its router walks every mount on every request and copies the scope before handing it on;
for the requests that are not for a document (all but a few), that was a cost for nothing.
"""

from __future__ import annotations

from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette.types import Receive, Scope, Send

from .swagger_ui import SPEC_PATH

# The JSON route, its YAML twin, and (for the router's trailing-slash redirect) either with a "/".
DOCUMENT_ENDINGS = (SPEC_PATH, SPEC_PATH[: -len("json")] + "yaml")


class SpecDocumentMiddleware(SwaggerUIMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].rstrip("/").endswith(DOCUMENT_ENDINGS):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
