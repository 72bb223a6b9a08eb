"""Release files, commits, repositories and previous-with-commits: what sentry-cli and uploads rely on."""

from __future__ import annotations

import hashlib

import httpx
import pytest

FILES = "/organizations/my-org/releases/frontend@1.0.0/files/"


def upload(
    sentry: httpx.Client, name: str = "~/app.js", content: bytes = b"console.log(1)", **fields: str
) -> httpx.Response:
    return sentry.post(
        FILES,
        files={"file": ("app.js", content, "application/javascript")},
        data={"name": name, "header": ["Content-Type:application/javascript"], **fields},
    )


def test_upload_list_get_download_update_delete(sentry: httpx.Client) -> None:
    created = upload(sentry)
    assert created.status_code == 201
    file = created.json()
    assert file["name"] == "~/app.js" and file["size"] == 14
    assert file["sha1"] == hashlib.sha1(b"console.log(1)").hexdigest()
    assert file["headers"] == {"Content-Type": "application/javascript"}
    assert [listed["id"] for listed in sentry.get(FILES).json()] == [file["id"]]
    assert sentry.get(f"{FILES}{file['id']}/").json() == file
    download = sentry.get(f"{FILES}{file['id']}/", params={"download": "1"})
    assert (download.headers["content-type"], download.content) == ("application/octet-stream", b"console.log(1)")
    renamed = sentry.put(f"{FILES}{file['id']}/", json={"name": "~/renamed.js"})
    assert renamed.json()["name"] == "~/renamed.js"
    assert sentry.delete(f"{FILES}{file['id']}/").status_code == 204
    assert sentry.get(f"{FILES}{file['id']}/").status_code == 404


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        pytest.param("~/dist/app.js", 'attachment; filename="app.js"', id="base-name"),
        pytest.param("~/my  app\t.js", 'attachment; filename="my app .js"', id="whitespace-collapsed"),
        pytest.param("~/ü.js", 'attachment; filename="\xfc.js"', id="latin-1"),
        pytest.param("~/a\x00b\x1bc\x7f.js", 'attachment; filename="abc.js"', id="control-characters-dropped"),
        pytest.param("~/日本.js", "=?utf-8?b?YXR0YWNobWVudDsgZmlsZW5hbWU9IuaXpeacrC5qcyI=?=", id="mime-encoded"),
    ],
)
def test_download_names_the_file_as_django_would(sentry: httpx.Client, name: str, disposition: str) -> None:
    file = upload(sentry, name=name).json()
    download = sentry.get(f"{FILES}{file['id']}/", params={"download": "1"})
    assert download.status_code == 200
    raw = {key.lower(): value for key, value in download.headers.raw}
    assert raw[b"content-disposition"] == disposition.encode("latin-1")


def test_uploading_the_same_name_twice_is_409(sentry: httpx.Client) -> None:
    assert upload(sentry).status_code == 201
    again = upload(sentry)
    assert (again.status_code, again.json()) == (
        409,
        {"detail": "A file matching this name already exists for the given release"},
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param({"dist": ""}, {}, id="empty-then-none"),
        pytest.param({}, {"dist": ""}, id="none-then-empty"),
        pytest.param({"dist": ""}, {"dist": ""}, id="empty-twice"),
    ],
)
def test_an_empty_dist_is_no_dist(sentry: httpx.Client, first: dict, second: dict) -> None:
    # Sentry files a file under a dist only when the field is non-empty (``if dist_name:``).
    created = upload(sentry, **first)
    assert (created.status_code, created.json()["dist"]) == (201, None)
    assert upload(sentry, **second).status_code == 409
    assert upload(sentry, dist="android").json()["dist"] == "android"


def test_renaming_leaves_the_dist_alone(sentry: httpx.Client) -> None:
    # Sentry's update serializer reads only the name.
    file = upload(sentry, dist="android").json()
    renamed = sentry.put(f"{FILES}{file['id']}/", json={"name": "~/renamed.js", "dist": ""})
    assert (renamed.status_code, renamed.json()["name"], renamed.json()["dist"]) == (200, "~/renamed.js", "android")


def test_commits_list(sentry: httpx.Client) -> None:
    commits = sentry.get("/organizations/my-org/releases/control@abc123/commits/").json()
    assert [commit["id"] for commit in commits] == ["xyz123", "abc123"]
    assert commits[0]["releases"][0]["version"] == "control@abc123"


def test_repositories_for_set_commits(sentry: httpx.Client) -> None:
    response = sentry.get("/organizations/my-org/repos/", params={"cursor": ""})
    repos = response.json()
    assert [repo["name"] for repo in repos] == ["raj/raspberries", "my-org/my-repo"]
    assert repos[0]["provider"] == {"id": "integrations:github", "name": "GitHub"}
    assert 'rel="next"; results="false"' in response.headers["link"]


def test_previous_with_commits(sentry: httpx.Client) -> None:
    assert (
        sentry.get("/organizations/my-org/releases/backend@abc123/previous-with-commits/").json()["lastCommit"]["id"]
        == "xyz123"
    )
    assert sentry.get("/organizations/my-org/releases/control@abc123/previous-with-commits/").json() == {}
