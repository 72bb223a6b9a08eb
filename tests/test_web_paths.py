"""Pages outside an API's mount answered by its operations: GitLab's upload pages, wherever GitLab is mounted."""

from __future__ import annotations

import asyncio
import typing as t

import httpx
import pytest

from mockserver import Settings, create_app
from mockserver.apis.gitlab import UPLOAD_PAGES
from mockserver.serving import BackgroundServer
from mockserver.web_paths import WebPathMiddleware
from tests.conftest import MAINTAINER

SECRET = "0123456789abcdef0123456789abcdef"


def served(settings: Settings) -> BackgroundServer:
    return BackgroundServer(create_app(settings))


def uploaded(base_url: str, mount: str) -> dict[str, t.Any]:
    response = httpx.post(
        f"{base_url}{mount}/projects/24/uploads",
        headers={"PRIVATE-TOKEN": MAINTAINER},
        files={"file": ("a.txt", b"web page")},
    )
    assert response.status_code == 201, response.text
    return t.cast(dict[str, t.Any], response.json())


def test_the_pages_follow_the_api_where_it_is_mounted() -> None:
    with served(Settings(apis=("gitlab",), mounts={"gitlab": "/gitlab/api/v4"})) as server:
        body = uploaded(server.url, "/gitlab/api/v4")
        for page in (f"/root/awesome-app{body['url']}", body["full_path"]):
            response = httpx.get(server.url + page)
            assert (response.status_code, response.content) == (200, b"web page"), page


def test_only_get_and_head_are_pages(server: BackgroundServer, gitlab: httpx.Client) -> None:
    body = gitlab.post("/projects/24/uploads", files={"file": ("a.txt", b"x")}).json()
    page = f"{server.url}{body['full_path']}"
    assert httpx.head(page).status_code == 200
    assert httpx.post(page).status_code == 404
    assert httpx.delete(page).status_code == 404


def test_without_gitlab_there_are_no_upload_pages() -> None:
    with served(Settings(apis=("sentry",))) as server:
        response = httpx.get(f"{server.url}/root/awesome-app/uploads/{SECRET}/a.txt")
        assert response.status_code == 404


@pytest.mark.parametrize(
    ("path", "rewritten"),
    [
        pytest.param(f"/-/project/7/uploads/{SECRET}/a.txt", f"/api/projects/7/uploads/{SECRET}/a.txt", id="by-id"),
        pytest.param(
            f"/group/sub/app/uploads/{SECRET}/a%20b.txt",
            f"/api/projects/group%2Fsub%2Fapp/uploads/{SECRET}/a%20b.txt",
            id="by-path-one-segment",
        ),
        pytest.param(f"/api/projects/7/uploads/{SECRET}/a.txt", None, id="under-a-mount-left-alone"),
        pytest.param(f"/group/app/uploads/{SECRET[:-1]}/a.txt", None, id="not-a-secret"),
        pytest.param(f"/group/app/uploads/{SECRET}/dir/a.txt", None, id="file-in-a-folder"),
    ],
)
def test_how_a_page_is_rewritten(path: str, rewritten: str | None) -> None:
    seen: list[t.Any] = []

    async def app(scope: t.Any, receive: t.Any, send: t.Any) -> None:
        seen.append(scope)

    middleware = WebPathMiddleware(app, [("/api", page) for page in UPLOAD_PAGES], ["/api", "/__admin"])
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b""}
    asyncio.run(middleware(scope, None, None))  # type: ignore[arg-type]
    assert seen[0]["raw_path"].decode() == (rewritten or path)
