"""``GET /``: the index of the mounted APIs, as JSON for clients and as HTML for a browser.

The index lives at the host root, outside every vendor's mount. An API mounted at ``/`` owns
the root, so there is no index then: the request goes on to that API like any other.
"""

from __future__ import annotations

import dataclasses
import html
import typing as t

from connexion.middleware.abstract import SpecMiddleware
from connexion.spec import Specification
from starlette.datastructures import Headers
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .swagger_ui import SPEC_PATH, UI_PATH, route_path


@dataclasses.dataclass(frozen=True)
class IndexEntry:
    name: str
    title: str
    mount: str

    def as_json(self, root_path: str) -> dict[str, str]:
        base = root_path + self.mount
        return {
            "name": self.name,
            "title": self.title,
            "mount": self.mount or "/",
            "spec": base + SPEC_PATH,
            "ui": base + UI_PATH + "/",
        }


def quality(accept: str, media_type: str) -> float:
    """How much an ``Accept`` header wants ``media_type`` (its q-value, through ``type/*`` and ``*/*``)."""
    kind = media_type.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for item in accept.split(","):
        pattern, *params = (part.strip() for part in item.split(";"))
        specificity = {media_type: 2, f"{kind}/*": 1, "*/*": 0}.get(pattern.lower())
        if specificity is None or specificity < best[0]:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        best = (specificity, q)
    return best[1]


def wants_html(accept: str | None) -> bool:
    # JSON is the default (no Accept, */*, a tie): only a client preferring HTML, as browsers do, gets the page.
    if not accept:
        return False
    return quality(accept, "text/html") > quality(accept, "application/json")


def render_html(entries: list[dict[str, str]]) -> str:
    rows = "\n".join(
        "    <tr><td>{name}</td><td>{title}</td><td><code>{mount}</code></td>"
        '<td><a href="{ui}">Swagger UI</a></td><td><a href="{spec}">openapi.json</a></td></tr>'.format(
            **{key: html.escape(value, quote=True) for key, value in entry.items()}
        )
        for entry in entries
    )
    return f"""\
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>release-mock</title>
  <style>body {{ font-family: sans-serif; margin: 2em; }} th, td {{ padding: 0.3em 1em; text-align: left; }}</style>
</head>
<body>
  <h1>release-mock</h1>
  <table>
    <tr><th>API</th><th>title</th><th>mount</th><th>UI</th><th>spec</th></tr>
{rows}
  </table>
</body>
</html>
"""


class ApiIndexMiddleware(SpecMiddleware):
    """Answers ``GET /`` (and ``HEAD``) with the index, unless an API is mounted at the root."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._entries: list[IndexEntry] = []
        self._controls: IndexEntry | None = None

    def add_api(self, specification: Specification, base_path: str | None = None, **kwargs: t.Any) -> None:
        mount = (base_path or "").rstrip("/")
        name = str(kwargs.get("name") or mount)
        title = str(specification.raw.get("info", {}).get("title", name))
        entry = IndexEntry(name, title, mount)
        if kwargs.get("controls"):
            # The mock's own controls are listed apart: ``apis`` stays the vendor APIs a client may call.
            self._controls = entry
            return
        self._entries.append(entry)
        self._entries.sort(key=lambda entry: entry.name)

    @property
    def _root_is_free(self) -> bool:
        return all(entry.mount for entry in self._entries)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and route_path(scope) in ("", "/")
            and self._root_is_free
        ):
            await self._index(scope)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _index(self, scope: Scope) -> Response:
        root_path = scope.get("root_path", "")
        entries = [entry.as_json(root_path) for entry in self._entries]
        controls = self._controls.as_json(root_path) if self._controls is not None else None
        headers = {"Vary": "Accept"}
        if wants_html(Headers(scope=scope).get("accept")):
            return HTMLResponse(render_html(entries + ([controls] if controls else [])), headers=headers)
        body: dict[str, t.Any] = {"apis": entries}
        if controls is not None:
            body["admin"] = controls
        return JSONResponse(body, headers=headers)
