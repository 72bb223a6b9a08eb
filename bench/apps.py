"""The served side of the bench: the mock filled with releases, or the bare app, in a child process."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pathlib
import socket
import sys
import threading
import time
import typing as t
import warnings

from .bare_app import create_bare_app, load_recording

HOST = "127.0.0.1"
PROJECT_ID = 24
TOKEN = "glpat-maintainer-000000000001"
FILL_BATCH = 1000


def build_mock_app(releases: int, links_per_release: int = 0) -> t.Any:
    """The production app (``Settings()``), project 24 filled up to ``releases`` releases."""
    from mockserver import Settings, create_app

    app = create_app(Settings())
    fill_releases(app, releases, links_per_release)
    return app


def without_memo(app: t.Any) -> None:
    """Nothing kept in the APIs' memos: each answer rendered from the rows, as on its first request.

    For comparing list times across store sizes: walking every page of a large store misses the
    memo where a small store's few pages all hit it, which would measure the memo, not the store.
    """
    for name in app.store.namespaces:
        app.store.state(name).memo.size = 0


def fill_releases(app: t.Any, releases: int, links_per_release: int) -> None:
    """Add releases to project 24 until it holds ``releases``, each with ``links_per_release`` asset links.

    Releases go in through the GitLab domain function that ``POST /projects/24/releases`` calls,
    so the store holds what the API itself would have stored, indexes and links included.
    """
    from mockserver.apis.gitlab import releases as gitlab_releases
    from mockserver.apis.gitlab.state import GitLabState

    first_release = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    number = 0
    filled = False
    while not filled:
        # One transaction per batch, as one per request would be: its undo journal stays small.
        with app.store.transaction("gitlab") as data:
            state = GitLabState(data)
            project = state.project(PROJECT_ID)
            author_id = state.tokens.get(TOKEN)["user_id"]
            for _ in range(FILL_BATCH):
                if state.release_count(PROJECT_ID) >= releases:
                    filled = True
                    break
                number += 1
                body: dict[str, t.Any] = {
                    "tag_name": f"bench-{number:04d}",
                    "ref": "main",
                    "released_at": (first_release + dt.timedelta(hours=number)).isoformat(),
                }
                if links_per_release:
                    body["assets"] = {
                        "links": [
                            {"name": f"asset-{link}", "url": f"https://example.com/bench/{number}/{link}"}
                            for link in range(1, links_per_release + 1)
                        ]
                    }
                gitlab_releases.create_release(state, project, author_id, body, app.clock.now())


def serve_on(app: t.Any, port: int) -> None:
    """Serve with the uvicorn settings of ``release-mock serve``; exit when the parent closes our stdin."""
    import uvicorn

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, port))
    listener.listen(128)  # connections wait in the backlog until uvicorn takes over

    def exit_when_parent_goes() -> None:
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[listener])


def main(argv: list[str]) -> None:
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    parser = argparse.ArgumentParser(prog="python -m bench.apps")
    parser.add_argument("--port", type=int, required=True)
    apps = parser.add_subparsers(dest="app", required=True)
    mock = apps.add_parser("mock")
    mock.add_argument("--releases", type=int, required=True)
    mock.add_argument("--links", type=int, default=0)
    mock.add_argument(
        "--no-memo", action="store_true", help="render every answer afresh (no views kept between requests)"
    )
    apps.add_parser("bare").add_argument("--recording", type=pathlib.Path, required=True)
    options = parser.parse_args(argv)
    if options.app == "mock":
        app = build_mock_app(0)
        if options.no_memo:
            without_memo(app)
        started = time.perf_counter()
        fill_releases(app, options.releases, options.links)
        # The launcher reads this line to report how long loading the releases took.
        print(f"loaded {options.releases} {time.perf_counter() - started:.3f}", flush=True)
    else:
        app = create_bare_app(load_recording(options.recording))
        print("loaded 0 0", flush=True)
    serve_on(app, options.port)


if __name__ == "__main__":
    main(sys.argv[1:])
