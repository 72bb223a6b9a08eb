"""In-process cost of one request (no HTTP, no server): the mock's ASGI app called with a prepared scope.

``python -m bench.micro`` prints microseconds per request, best of several repetitions, for the
requests the bench sends (get one release, a list page of 20), on the app the bench serves
(project 24 holding 1,000 releases). The machine may be busy: best-of is the figure that moves
least. ``--count N`` runs N requests of one kind, untimed, for an instruction counter
(``valgrind --tool=callgrind``, whose counts do not depend on the load): the difference between two
counts, say N=200 and N=0, divided by 200, is the instructions one request costs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import typing as t
import warnings

from .apps import PROJECT_ID, TOKEN, build_mock_app
from .record import GITLAB_MOUNT, PER_PAGE

HOST = b"127.0.0.1:8080"


def scope_for(target: str) -> dict[str, t.Any]:
    """The scope uvicorn builds for ``GET target`` as the bench's load generator sends it."""
    path, _, query = target.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8080),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": "GET",
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [
            (b"host", HOST),
            (b"private-token", TOKEN.encode()),
            (b"accept", b"application/json"),
        ],
        "state": {},
    }


class Answer:
    """What the app sent for one request: status, headers, body bytes."""

    def __init__(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""

    async def send(self, message: t.MutableMapping[str, t.Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", ()))
        else:
            self.body += message.get("body", b"")


async def _receive() -> dict[str, t.Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def call(app: t.Any, target: str) -> Answer:
    answer = Answer()
    await app(scope_for(target), _receive, answer.send)
    return answer


def targets() -> dict[str, list[str]]:
    return {
        "get": [f"{GITLAB_MOUNT}/projects/{PROJECT_ID}/releases/bench-{n:04d}" for n in range(1, 201)],
        "list": [f"{GITLAB_MOUNT}/projects/{PROJECT_ID}/releases?per_page={PER_PAGE}&page={p}" for p in range(1, 11)],
    }


async def timed(app: t.Any, kind: str, requests: int, repeats: int) -> float:
    """Best of ``repeats`` runs of ``requests`` requests, in microseconds per request."""
    cycle = targets()[kind]
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for number in range(requests):
            await call(app, cycle[number % len(cycle)])
        best = min(best, (time.perf_counter() - started) / requests)
    return best * 1e6


async def run(options: argparse.Namespace) -> None:
    warnings.filterwarnings("ignore")
    app = build_mock_app(1000)
    for target in (*targets()["get"][:1], *targets()["list"][:1]):
        answer = await call(app, target)
        assert answer.status == 200, (target, answer.status, answer.body[:200])
    if options.count is not None:
        await timed(app, options.kind, len(targets()[options.kind]), 1)  # warm: first uses out of the count
        if options.count:
            await timed(app, options.kind, options.count, 1)
        return
    for kind in ("get", "list"):
        micros = await timed(app, kind, options.requests, options.repeats)
        print(f"{kind:5} {micros:8.1f} us/request (best of {options.repeats} x {options.requests})")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.micro")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--count", type=int, help="run N requests of --kind, untimed (for an instruction counter)")
    parser.add_argument("--kind", choices=("get", "list"), default="get")
    asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main(sys.argv[1:])
