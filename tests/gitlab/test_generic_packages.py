"""Generic packages over HTTP: publishing with PUT, downloading with GET, the name rules, rights and limits."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from mockserver import MockApp
from mockserver.serving import BackgroundServer
from tests.conftest import DEVELOPER, GUEST, JOB, OUTSIDER, READ_ONLY, REPORTER

FILE = "/projects/24/packages/generic/my_package/0.0.1/file.txt"
CREATED = {"message": "201 Created"}


def test_publish_answers_created_and_the_file_downloads_again(gitlab: httpx.Client, anonymous: httpx.Client) -> None:
    response = gitlab.put(FILE, content=b"hello")
    assert (response.status_code, response.json()) == (201, CREATED)
    download = anonymous.get(FILE)
    assert (download.status_code, download.content) == (200, b"hello")
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"] == 'attachment; filename="file.txt"'


def test_any_media_type_is_taken_as_the_file(gitlab: httpx.Client) -> None:
    # release-it sends its assets as text/plain; curl --upload-file sends no type at all.
    assert gitlab.put(FILE, content=b"\x00\xff", headers={"Content-Type": "text/plain"}).status_code == 201
    assert gitlab.get(FILE).content == b"\x00\xff"


def test_select_package_file_answers_with_the_package_file(app: MockApp, gitlab: httpx.Client) -> None:
    response = gitlab.put(f"{FILE}?select=package_file", content=b"hello")
    assert response.status_code == 201
    body = response.json()
    project_hash = hashlib.sha256(b"24").hexdigest()
    assert body == {
        "id": body["id"],
        "package_id": body["package_id"],
        "created_at": body["created_at"],
        "updated_at": body["created_at"],
        "size": 5,
        "file_store": 1,
        "file_md5": None,
        "file_sha1": None,
        "file_name": "file.txt",
        "file": {
            "url": f"/{project_hash[:2]}/{project_hash[2:4]}/{project_hash}/packages/{body['package_id']}"
            f"/files/{body['id']}/file.txt"
        },
        "file_sha256": hashlib.sha256(b"hello").hexdigest(),
        "verification_retry_at": None,
        "verified_at": None,
        "verification_failure": None,
        "verification_retry_count": None,
        "verification_checksum": None,
        "verification_state": 0,
        "verification_started_at": None,
        "new_file_path": None,
    }


def test_files_of_one_version_share_the_package_and_a_new_file_of_a_name_wins(gitlab: httpx.Client) -> None:
    first = gitlab.put(f"{FILE}?select=package_file", content=b"one").json()
    other = gitlab.put(
        "/projects/24/packages/generic/my_package/0.0.1/other.bin?select=package_file", content=b"o"
    ).json()
    again = gitlab.put(f"{FILE}?select=package_file", content=b"two").json()
    assert first["package_id"] == other["package_id"] == again["package_id"]
    assert again["id"] > first["id"]
    assert gitlab.get(FILE).content == b"two"
    newer = gitlab.put("/projects/24/packages/generic/my_package/0.0.2/file.txt?select=package_file", content=b"3")
    assert newer.json()["package_id"] != first["package_id"]


def test_status_is_kept_and_changed_by_a_later_publish(app: MockApp, gitlab: httpx.Client) -> None:
    assert gitlab.put(f"{FILE}?status=hidden", content=b"h").status_code == 201
    packages = app.store.state("gitlab").table("packages")
    assert [package["status"] for package in packages] == ["hidden"]
    assert gitlab.get(FILE).content == b"h"  # hidden packages still download
    gitlab.put(FILE, content=b"d")
    assert [package["status"] for package in packages] == ["hidden"]
    gitlab.put(f"{FILE}?status=default", content=b"d")
    assert [package["status"] for package in packages] == ["default"]


@pytest.mark.parametrize(
    ("path", "error"),
    [
        pytest.param("my%20package/0.0.1/file.txt", "package_name is invalid", id="space-in-name"),
        pytest.param("$pkg/0.0.1/file.txt", "package_name is invalid", id="dollar-in-name"),
        pytest.param("..%2F..%2Ffoo/0.0.1/file.txt", "package_name is invalid", id="escaped-slash-in-name"),
        pytest.param("my_package/1..2/file.txt", "package_version is invalid", id="two-dots-in-version"),
        pytest.param("my_package/1.0%20/file.txt", "package_version is invalid", id="space-in-version"),
        pytest.param("my_package/0.0.1/my%20file", "file_name is invalid", id="space-in-file-name"),
        pytest.param("my_package/0.0.1/!!()()", "file_name is invalid", id="punctuation-in-file-name"),
    ],
)
def test_names_outside_the_rules_are_refused_as_grape_words_it(gitlab: httpx.Client, path: str, error: str) -> None:
    url = f"/projects/24/packages/generic/{path}"
    for response in (gitlab.put(url, content=b"x"), gitlab.get(url)):
        assert (response.status_code, response.json()) == (400, {"error": error})


def test_accepted_names_versions_and_file_names(gitlab: httpx.Client) -> None:
    url = "/projects/24/packages/generic/foo.bar-baz_2+x/v1.2.4-build+7/foo.bar.baz-2.0-20190901.47283-1.jar"
    assert gitlab.put(url, content=b"j").status_code == 201
    assert gitlab.get(url).content == b"j"


@pytest.mark.parametrize(
    ("query", "error"),
    [
        pytest.param("status=public", "status does not have a valid value", id="status"),
        pytest.param("select=package", "select does not have a valid value", id="select"),
    ],
)
def test_unknown_status_or_select_is_refused(gitlab: httpx.Client, query: str, error: str) -> None:
    response = gitlab.put(f"{FILE}?{query}", content=b"x")
    assert (response.status_code, response.json()) == (400, {"error": error})


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/projects/24/packages/generic/nope/0.0.1/file.txt", id="unknown-package"),
        pytest.param("/projects/24/packages/generic/my_package/9.9.9/file.txt", id="unknown-version"),
        pytest.param("/projects/24/packages/generic/my_package/0.0.1/nope.txt", id="unknown-file"),
    ],
)
def test_a_missing_file_is_a_404(gitlab: httpx.Client, path: str) -> None:
    gitlab.put(FILE, content=b"x")
    response = gitlab.get(path)
    assert (response.status_code, response.json()) == (404, {"message": "404 Not found"})


@pytest.mark.parametrize(
    ("token", "project", "status"),
    [
        pytest.param(None, "24", 401, id="anonymous"),
        pytest.param(None, "25", 401, id="anonymous-private-project"),
        pytest.param(READ_ONLY, "24", 403, id="read-api-token"),
        pytest.param(REPORTER, "24", 403, id="reporter"),
        pytest.param(GUEST, "24", 403, id="guest"),
        pytest.param(OUTSIDER, "25", 404, id="outsider-private-project"),
        pytest.param(DEVELOPER, "24", 201, id="developer"),
        pytest.param(JOB, "24", 201, id="job-token-of-the-project"),
    ],
)
def test_who_may_publish(server: BackgroundServer, token: str | None, project: str, status: int) -> None:
    headers = {"PRIVATE-TOKEN": token} if token else {}
    with httpx.Client(base_url=f"{server.url}/api/v4", headers=headers) as client:
        response = client.put(f"/projects/{project}/packages/generic/p/1/f", content=b"x")
    assert response.status_code == status, response.text


def test_a_token_may_come_as_the_password_of_basic_credentials(server: BackgroundServer) -> None:
    url = f"{server.url}/api/v4{FILE}"
    assert httpx.put(url, content=b"b", auth=("anyone", DEVELOPER)).status_code == 201
    assert httpx.put(url, content=b"b", auth=("anyone", "wrong")).status_code == 401


def test_downloads_of_a_private_project_are_for_those_who_see_it(
    gitlab: httpx.Client, anonymous: httpx.Client, server: BackgroundServer
) -> None:
    path = "/projects/25/packages/generic/p/1/f"
    assert gitlab.put(path, content=b"p").status_code == 201
    assert anonymous.get(path).json() == {"message": "404 Project Not Found"}
    with httpx.Client(base_url=f"{server.url}/api/v4", headers={"PRIVATE-TOKEN": GUEST}) as guest:
        assert guest.get(path).content == b"p"


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(app: MockApp, gitlab: httpx.Client) -> None:
    blobs = app.store.state("gitlab").blobs
    before = app.store.state("gitlab").dump()
    limit, blobs.limit = blobs.limit, 10
    try:
        response = gitlab.put(FILE, content=b"x" * 11)
    finally:
        blobs.limit = limit
    assert (response.status_code, response.json()) == (400, {"message": "400 Bad request - File is too large"})
    assert app.store.state("gitlab").dump() == before


@pytest.mark.parametrize("name", ["package_name", "file_name"])
def test_dot_dot_passes_the_name_rule_but_not_the_path_check(app: MockApp, gitlab: httpx.Client, name: str) -> None:
    before = app.store.state("gitlab").dump()
    parts = {"package_name": "my_package", "file_name": "file.txt", name: "%2E%2E"}
    url = f"/projects/24/packages/generic/{parts['package_name']}/0.0.1/{parts['file_name']}"
    response = gitlab.put(url, content=b"x")
    assert (response.status_code, response.json()) == (400, {"error": f"{name} should be a valid file path"})
    assert app.store.state("gitlab").dump() == before
