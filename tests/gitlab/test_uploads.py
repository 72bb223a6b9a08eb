"""Markdown uploads over HTTP: the answer's links, the file served again (API and web paths), rights and limits."""

from __future__ import annotations

import re

import httpx
import pytest

from mockserver import MockApp
from mockserver.serving import BackgroundServer
from tests.conftest import GUEST, OUTSIDER, READ_ONLY

UPLOADS = "/projects/24/uploads"
SECRET = re.compile(r"^[0-9a-f]{32}$")


def upload(client: httpx.Client, name: str, content: bytes = b"bytes", project: str = "24") -> httpx.Response:
    return client.post(f"/projects/{project}/uploads", files={"file": (name, content)})


@pytest.mark.parametrize(
    ("name", "alt", "markdown"),
    [
        pytest.param("dk.png", "dk", "![dk]({url})", id="image-embedded-without-extension"),
        pytest.param("demo.MP4", "demo", "![demo]({url})", id="video-extension-any-case"),
        pytest.param("logo.svg", "logo.svg", "![logo.svg]({url})", id="svg-embedded-whole-name"),
        pytest.param("notes.txt", "notes.txt", "[notes.txt]({url})", id="other-files-linked"),
        pytest.param("a]b.zip", "a_b.zip", "[a_b.zip]({url})", id="unsafe-characters-replaced"),
        pytest.param("my file (1).tar.gz", "my_file__1_.tar.gz", "[my_file__1_.tar.gz]({url})", id="spaces"),
    ],
)
def test_the_answer_says_where_the_file_is_and_how_markdown_links_it(
    gitlab: httpx.Client, name: str, alt: str, markdown: str
) -> None:
    response = upload(gitlab, name)
    assert response.status_code == 201, response.text
    body = response.json()
    secret, filename = body["url"].split("/")[2:]
    assert SECRET.match(secret)
    assert body == {
        "id": body["id"],
        "alt": alt,
        "url": f"/uploads/{secret}/{filename}",
        "full_path": f"/-/project/24/uploads/{secret}/{filename}",
        "markdown": markdown.format(url=body["url"]),
    }


def test_each_upload_gets_its_own_secret_and_id(gitlab: httpx.Client) -> None:
    first, second = upload(gitlab, "same.txt").json(), upload(gitlab, "same.txt").json()
    assert first["url"] != second["url"]
    assert second["id"] > first["id"]


def test_the_file_is_served_again_at_the_api_path_and_both_web_paths(
    gitlab: httpx.Client, server: BackgroundServer
) -> None:
    content = bytes(range(256)) * 4
    body = upload(gitlab, "blob.bin", content).json()
    api = gitlab.get(f"/projects/24{body['url']}")
    assert api.status_code == 200
    assert api.content == content
    assert api.headers["content-disposition"] == 'attachment; filename="blob.bin"'
    for page in (f"/root/awesome-app{body['url']}", body["full_path"]):
        served = httpx.get(server.url + page)
        assert (served.status_code, served.content) == (200, content), page


def test_a_web_path_of_another_project_or_secret_finds_nothing(gitlab: httpx.Client, server: BackgroundServer) -> None:
    body = upload(gitlab, "x.txt").json()
    other_secret = body["url"].replace(body["url"].split("/")[2], "0" * 32)
    assert httpx.get(f"{server.url}/root/awesome-app{other_secret}").status_code == 404
    assert httpx.get(f"{server.url}/release-team/public-lib{body['url']}").status_code == 404
    assert gitlab.get(f"/projects/24/uploads/{'0' * 32}/x.txt").json() == {"message": "404 Not Found"}


def test_private_uploads_are_hidden_from_anyone_who_cannot_see_the_project(
    gitlab: httpx.Client, anonymous: httpx.Client, server: BackgroundServer
) -> None:
    body = upload(gitlab, "secret.txt", b"s", project="25").json()
    assert body["full_path"].startswith("/-/project/25/")
    assert gitlab.get(f"/projects/25{body['url']}").content == b"s"
    assert anonymous.get(f"/projects/25{body['url']}").json() == {"message": "404 Project Not Found"}
    assert httpx.get(server.url + body["full_path"]).status_code == 404
    assert httpx.get(f"{server.url}/release-team/secret-app{body['url']}").status_code == 404


@pytest.mark.parametrize(
    ("token", "status", "answer"),
    [
        pytest.param(None, 401, {"message": "401 Unauthorized"}, id="anonymous"),
        pytest.param(READ_ONLY, 403, {"error": "insufficient_scope"}, id="read-api-token"),
        pytest.param(OUTSIDER, 201, None, id="any-signed-in-user-who-sees-the-project"),
        pytest.param(GUEST, 201, None, id="guest"),
    ],
)
def test_who_may_upload(server: BackgroundServer, token: str | None, status: int, answer: dict | None) -> None:
    headers = {"PRIVATE-TOKEN": token} if token else {}
    with httpx.Client(base_url=f"{server.url}/api/v4", headers=headers) as client:
        response = upload(client, "x.txt")
    assert response.status_code == status, response.text
    if answer is not None:
        assert answer.items() <= response.json().items()


def test_anonymous_is_asked_to_sign_in_even_for_a_private_project(anonymous: httpx.Client) -> None:
    assert upload(anonymous, "x.txt", project="25").status_code == 401


def test_an_outsider_cannot_upload_to_a_private_project(server: BackgroundServer) -> None:
    with httpx.Client(base_url=f"{server.url}/api/v4", headers={"PRIVATE-TOKEN": OUTSIDER}) as client:
        assert upload(client, "x.txt", project="25").json() == {"message": "404 Project Not Found"}


def test_a_form_without_file_is_refused(gitlab: httpx.Client) -> None:
    response = gitlab.post(UPLOADS, files={"other": ("x.txt", b"x")})
    assert (response.status_code, response.json()) == (400, {"error": "file is missing"})


def test_a_file_over_the_limit_is_a_413_and_nothing_is_kept(app: MockApp, gitlab: httpx.Client) -> None:
    blobs = app.store.state("gitlab").blobs
    before = app.store.state("gitlab").dump()
    limit, blobs.limit = blobs.limit, 10
    try:
        response = upload(gitlab, "big.bin", b"x" * 11)
    finally:
        blobs.limit = limit
    assert (response.status_code, response.json()) == (413, {"message": "413 Request Entity Too Large"})
    assert app.store.state("gitlab").dump() == before
