"""The benchmark's floor: a bare Starlette app that replays the mock's responses, byte for byte.

It has the same two routes as the benchmarked GitLab reads, but none of the mock's work: no
Connexion, no validation, no store, no views, no JSON encoding. Every response (status,
headers that matter, body) was recorded from the mock for the exact path and query string,
so both servers put the same bytes on the wire; what the mock costs beyond this floor is its
own. Served by ``bench/apps.py`` with the very same uvicorn settings as the mock.
"""

from __future__ import annotations

import json
import pathlib
import typing as t

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

NOT_FOUND = b'{"error":"404 Not Found"}'


class RecordedResponse(t.NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


def request_target(raw_path: bytes, query_string: bytes) -> str:
    """``/path?query`` exactly as sent: the key under which a response was recorded."""
    target = raw_path.decode("latin-1")
    return f"{target}?{query_string.decode('latin-1')}" if query_string else target


def save_recording(path: pathlib.Path, recorded: t.Mapping[str, RecordedResponse]) -> None:
    rows = [
        {
            "target": target,
            "status": response.status,
            "headers": response.headers,
            "body": response.body.decode("utf-8"),
        }
        for target, response in recorded.items()
    ]
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def load_recording(path: pathlib.Path) -> dict[str, RecordedResponse]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {row["target"]: RecordedResponse(row["status"], row["headers"], row["body"].encode("utf-8")) for row in rows}


def create_bare_app(recorded: t.Mapping[str, RecordedResponse]) -> Starlette:
    async def replay(request: Request) -> Response:
        scope = request.scope
        response = recorded.get(request_target(scope.get("raw_path") or scope["path"].encode(), scope["query_string"]))
        if response is None:
            return Response(NOT_FOUND, status_code=404, media_type="application/json")
        return Response(
            response.body, status_code=response.status, headers=response.headers, media_type="application/json"
        )

    return Starlette(
        routes=[
            Route("/api/v4/projects/{id}/releases", replay),
            Route("/api/v4/projects/{id}/releases/{tag_name}", replay),
        ]
    )
