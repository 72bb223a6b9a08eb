"""Swagger UI 5 at ``<mount>/ui/`` for every mounted API, served from the files the ``swagger-ui-py`` package ships.

Connexion's own UI comes from ``swagger-ui-bundle``, whose Swagger UI 4 refuses OpenAPI 3.1
documents ("Unable to render this definition"). Swagger UI 5 reads 3.1, and ``swagger-ui-py``
ships its built files, so the UI works offline: no CDN, nothing fetched at run time.

Only the page is ours: a few lines that start Swagger UI on ``../openapi.json`` (served by
Connexion, as written). Every URL in it is relative, so the page needs no knowledge of the
mount, the host or a proxy's prefix; "Try it out" sends requests to the document's relative
``servers`` URL, which is the mount.
"""

from __future__ import annotations

import html
import importlib.resources
import json
import pathlib
import typing as t

from connexion.middleware.abstract import SpecMiddleware
from connexion.spec import Specification
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

UI_PATH = "/ui"
"""Where each API's UI lives, under its mount."""

SPEC_PATH = "/openapi.json"
"""Where each API's document lives, under its mount (served by Connexion)."""

ASSETS = frozenset({"swagger-ui.css", "index.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png"})
"""The package's files the page loads; the rest of its folder (Swagger Editor, petstore initializer) stays unserved."""

_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} · Swagger UI</title>
  <link rel="stylesheet" href="swagger-ui.css">
  <link rel="stylesheet" href="index.css">
  <link rel="icon" type="image/png" href="favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="favicon-16x16.png" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="swagger-ui-bundle.js"></script>
  <script>
    // validatorUrl null: the default badge would call an online validator, and the mock must work offline.
    window.ui = SwaggerUIBundle({{
      url: new URL({spec_url}, document.baseURI).href,
      dom_id: "#swagger-ui",
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      deepLinking: true,
      displayRequestDuration: true,
      validatorUrl: null,
    }});
  </script>
</body>
</html>
"""


def assets_dir() -> pathlib.Path:
    return pathlib.Path(str(importlib.resources.files("swagger_ui") / "static"))


def render_page(title: str) -> str:
    # The index is at <mount>/ui/ (or <mount>/ui/index.html): the document is one level up.
    spec_url = json.dumps(".." + SPEC_PATH).replace("</", "<\\/")
    return _PAGE.format(title=html.escape(title), spec_url=spec_url)


def route_path(scope: Scope) -> str:
    """The request path below the application's ``root_path`` (set when served behind a proxy prefix)."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and (path == root_path or path.startswith(root_path + "/")):
        return path[len(root_path) :]
    return path


class SwaggerUIMiddleware(SpecMiddleware):
    """Answers ``GET <mount>/ui``, ``<mount>/ui/`` (or ``index.html``) and the UI's assets; passes the rest on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._pages: dict[str, str] = {}
        self._assets = StaticFiles(directory=assets_dir())

    def add_api(self, specification: Specification, base_path: str | None = None, **kwargs: t.Any) -> None:
        title = str(specification.raw.get("info", {}).get("title", kwargs.get("name", "API")))
        self._pages[(base_path or "").rstrip("/")] = render_page(title)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            answer = self._answer(scope)
            if answer is not None:
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _answer(self, scope: Scope) -> ASGIApp | None:
        path = route_path(scope)
        # Longest mount first, so that "/gl/ui/" belongs to "/gl" even when another API is mounted at "/".
        for mount in sorted(self._pages, key=len, reverse=True):
            ui = mount + UI_PATH
            if path == ui:
                # As Connexion did: the page's relative URLs need the trailing slash.
                return RedirectResponse(scope.get("root_path", "") + ui + "/")
            if not path.startswith(ui + "/"):
                continue
            name = path[len(ui) + 1 :]
            if name in ("", "index.html"):
                return HTMLResponse(self._pages[mount])
            if name in ASSETS:
                return self._asset(name)
            return None
        return None

    def _asset(self, name: str) -> ASGIApp:
        async def serve(scope: Scope, receive: Receive, send: Send) -> None:
            # StaticFiles maps the request path onto its folder; hand it the file's name alone.
            await self._assets(dict(scope, path="/" + name, root_path=""), receive, send)

        return serve
