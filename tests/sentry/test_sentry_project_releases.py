"""Sentry's project-scoped releases over HTTP: create (201/208), details, update, delete, files, list order, query."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from tests.sentry.conftest import ADMIN, CI, READ, SCOPED

PROJECT = "/projects/my-org/my-project/releases/"
ORG = "/organizations/my-org/releases/"


def versions(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [release["version"] for release in response.json()]


def test_create_is_201_then_208_for_the_same_project(sentry: httpx.Client) -> None:
    created = sentry.post(PROJECT, json={"version": "9.9.9", "projects": ["ignored"], "ref": "main"})
    assert created.status_code == 201, created.text
    assert created.json()["version"] == "9.9.9" and created.json()["ref"] == "main"
    assert [project["slug"] for project in created.json()["projects"]] == ["my-project"]
    again = sentry.post(PROJECT, json={"version": "9.9.9", "ref": "other"})
    assert again.status_code == 208
    assert again.json()["ref"] == "main"  # an existing release keeps its fields
    assert sentry.get(f"{ORG}9.9.9/").json()["id"] == created.json()["id"]


def test_create_links_an_existing_release_of_another_project_with_201(sentry: httpx.Client) -> None:
    linked = sentry.post(PROJECT, json={"version": "control@abc123"})
    assert linked.status_code == 201
    assert [project["slug"] for project in linked.json()["projects"]] == ["sentry", "my-project"]
    assert linked.json()["id"] == 1122684517
    assert sentry.post(PROJECT, json={"version": "control@abc123"}).status_code == 208


def test_create_changes_only_a_differing_status_of_an_existing_release(sentry: httpx.Client) -> None:
    archived = sentry.post(PROJECT, json={"version": "frontend@1.0.0", "status": "archived", "url": "https://x.test"})
    assert archived.status_code == 208
    assert (archived.json()["status"], archived.json()["url"]) == ("archived", None)


def test_create_sets_the_commits_it_lists_and_the_user_agent(sentry: httpx.Client) -> None:
    commits = [{"id": "a" * 40, "message": "one", "author_name": "Ann"}]
    created = sentry.post(PROJECT, json={"version": "c-1", "commits": commits}, headers={"User-Agent": "tool/1"})
    body = created.json()
    assert (body["commitCount"], body["lastCommit"]["id"], body["userAgent"]) == (1, "a" * 40, "tool/1")
    assert body["authors"] == [{"name": "Ann", "email": "ann@localhost"}]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({}, {"version": ["This field is required."]}, id="no-version"),
        pytest.param({"version": "latest"}, {"version": ["Release with name latest is not allowed"]}, id="latest"),
        pytest.param({"version": "a/b"}, {"version": ["Release with name a/b is not allowed"]}, id="slash"),
    ],
)
def test_create_refuses_a_bad_version_and_writes_nothing(sentry: httpx.Client, body: dict, expected: dict) -> None:
    before = sentry.get(ORG).json()
    response = sentry.post(PROJECT, json=body)
    assert (response.status_code, response.json()) == (400, expected)
    assert sentry.get(ORG).json() == before


def test_details_are_those_of_a_release_linked_to_the_project(sentry: httpx.Client) -> None:
    found = sentry.get(f"{PROJECT}frontend@1.0.0/")
    assert found.status_code == 200
    assert found.json() == sentry.get(f"{ORG}frontend@1.0.0/").json()
    # control@abc123 is my-org's, but belongs to project "sentry" only.
    missing = sentry.get(f"{PROJECT}control@abc123/")
    assert (missing.status_code, missing.json()) == (404, {"detail": "The requested resource does not exist"})
    assert sentry.get(f"{PROJECT}frontend@1.0.0/", params={"health": "1"}).json()["projects"][0]["healthData"]
    assert "healthData" not in sentry.get(f"{PROJECT}frontend@1.0.0/", params={"health": "true"}).json()["projects"][0]


def test_update_applies_truthy_values_and_listed_commits(sentry: httpx.Client) -> None:
    path = f"{PROJECT}frontend@1.0.0/"
    updated = sentry.put(path, json={"ref": "abc", "url": None, "commits": [{"id": "b" * 40}], "refs": []})
    assert updated.status_code == 200
    body = updated.json()
    assert (body["ref"], body["url"], body["commitCount"]) == ("abc", None, 1)
    assert sentry.put(f"{PROJECT}control@abc123/", json={"ref": "x"}).status_code == 404


def test_finalizing_moves_the_release_up_the_project_list(sentry: httpx.Client) -> None:
    sentry.post(PROJECT, json={"version": "new-1"})
    assert versions(sentry.get(PROJECT))[:3] == ["new-1", "my-app@2.0.0+build.7", "frontend@1.0.0"]
    # The project's list sorts on the release date, else the creation date.
    sentry.put(f"{PROJECT}frontend@1.0.0/", json={"dateReleased": "2099-01-01T00:00:00Z"})
    assert versions(sentry.get(PROJECT)) == ["frontend@1.0.0", "new-1", "my-app@2.0.0+build.7"]
    # The organization's list still sorts on creation.
    assert versions(sentry.get(ORG, params={"project": "2"})) == ["new-1", "my-app@2.0.0+build.7", "frontend@1.0.0"]


def test_delete_removes_the_whole_release(sentry: httpx.Client) -> None:
    sentry.post(PROJECT, json={"version": "control@abc123"})
    assert sentry.delete(f"{PROJECT}control@abc123/").status_code == 204
    assert sentry.get(f"{ORG}control@abc123/").status_code == 404
    assert sentry.delete(f"{PROJECT}control@abc123/").status_code == 404
    mobile = sentry.delete("/projects/my-org/mobile/releases/mobile@3.1.0/")
    assert (mobile.status_code, mobile.json()) == (
        400,
        {"detail": "This release has health data and cannot be removed."},
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("APP@2", ["my-app@2.0.0+build.7"], id="any-case"),
        pytest.param("1.0", ["frontend@1.0.0"], id="inside-the-version"),
        pytest.param("release:frontend@1.0.0", [], id="no-search-syntax"),
        pytest.param("legacy", [], id="archived-never-listed"),
    ],
)
def test_project_list_query_is_a_substring_of_the_version(sentry: httpx.Client, query: str, expected: list) -> None:
    assert versions(sentry.get(PROJECT, params={"query": query})) == expected


def test_project_list_environment_keeps_releases_deployed_there_for_the_project(sentry: httpx.Client) -> None:
    deploy = sentry.post(f"{ORG}frontend@1.0.0/deploys/", json={"environment": "production"})
    assert deploy.status_code == 201
    assert versions(sentry.get(PROJECT, params={"environment": "production"})) == ["frontend@1.0.0"]
    assert versions(sentry.get(PROJECT, params={"environment": "nowhere"})) == []


@pytest.mark.parametrize(
    ("token", "method", "path", "status"),
    [
        pytest.param(READ, "POST", PROJECT, 403, id="read-cannot-create"),
        pytest.param(CI, "POST", PROJECT, 201, id="org-ci-creates"),
        pytest.param(CI, "DELETE", f"{PROJECT}frontend@1.0.0/", 403, id="org-ci-cannot-delete"),
        pytest.param(READ, "GET", f"{PROJECT}frontend@1.0.0/", 200, id="read-reads"),
        pytest.param(SCOPED, "GET", "/projects/my-org/sentry/releases/", 403, id="project-not-visible"),
        pytest.param(SCOPED, "POST", "/projects/my-org/sentry/releases/", 403, id="hidden-project-create"),
        pytest.param(ADMIN, "GET", "/projects/my-org/nope/releases/", 404, id="unknown-project"),
        pytest.param(ADMIN, "GET", "/projects/other-org/my-project/releases/", 404, id="project-of-another-org"),
        pytest.param(ADMIN, "GET", "/projects/my-org/2/releases/frontend@1.0.0/", 200, id="project-by-id"),
    ],
)
def test_scopes_and_visibility(as_token, token: str, method: str, path: str, status: int) -> None:
    body = {"version": "scoped-1"} if method == "POST" else None
    response = as_token(token).request(method, path, json=body)
    assert response.status_code == status, response.text


FILES = f"{PROJECT}frontend@1.0.0/files/"


def test_files_are_the_releases_files_through_either_endpoint(sentry: httpx.Client) -> None:
    created = sentry.post(
        FILES,
        files={"file": ("app.js", b"console.log(2)", "application/javascript")},
        data={"name": "~/app.js", "dist": "web"},
    )
    assert created.status_code == 201, created.text
    file = created.json()
    assert (file["name"], file["dist"], file["sha1"]) == (
        "~/app.js",
        "web",
        hashlib.sha1(b"console.log(2)").hexdigest(),
    )
    org_files = f"{ORG}frontend@1.0.0/files/"
    assert sentry.get(org_files).json() == sentry.get(FILES).json() == [file]
    assert sentry.get(FILES, params={"query": "APP"}).json() == [file]
    assert sentry.get(FILES, params={"checksum": "0" * 40}).json() == []
    assert sentry.get(f"{FILES}{file['id']}/").json() == file
    download = sentry.get(f"{FILES}{file['id']}/", params={"download": "0"})
    assert (download.status_code, download.content) == (200, b"console.log(2)")
    renamed = sentry.put(f"{FILES}{file['id']}/", json={"name": "~/b.js", "dist": "other"})
    assert (renamed.json()["name"], renamed.json()["dist"]) == ("~/b.js", "web")
    again = sentry.post(FILES, files={"file": ("b.js", b"x")}, data={"name": "~/b.js", "dist": "web"})
    assert (again.status_code, again.json()) == (
        409,
        {"detail": "A file matching this name already exists for the given release"},
    )
    assert sentry.delete(f"{FILES}{file['id']}/").status_code == 204
    assert sentry.get(org_files).json() == []


def test_files_of_a_release_not_linked_to_the_project_are_not_found(sentry: httpx.Client) -> None:
    org_file = sentry.post(
        f"{ORG}control@abc123/files/", files={"file": ("a.js", b"a")}, data={"name": "~/a.js"}
    ).json()
    other = f"{PROJECT}control@abc123/files/"
    assert sentry.get(other).status_code == 404
    assert sentry.post(other, files={"file": ("a.js", b"a")}, data={"name": "~/b.js"}).status_code == 404
    for method in ("GET", "DELETE"):
        assert sentry.request(method, f"{other}{org_file['id']}/").status_code == 404
    assert sentry.put(f"{other}{org_file['id']}/", json={"name": "~/c.js"}).status_code == 404
    assert sentry.get(f"{ORG}control@abc123/files/").json() == [org_file]


SOURCE_MAPS = "/projects/my-org/my-project/files/source-maps/"


def test_source_map_archive_delete_empties_the_release(sentry: httpx.Client) -> None:
    for name in ("~/a.js", "~/a.js.map"):
        assert sentry.post(FILES, files={"file": ("a", b"x")}, data={"name": name}).status_code == 201
    assert sentry.delete(SOURCE_MAPS, params={"name": "frontend@1.0.0"}).status_code == 204
    assert sentry.get(FILES).json() == []
    assert sentry.get(f"{PROJECT}frontend@1.0.0/").status_code == 200, "the release stays"
    other = sentry.delete(SOURCE_MAPS, params={"name": "control@abc123"})
    assert (other.status_code, other.json()) == (404, {"detail": "The provided release does not exist"})
    bare = sentry.delete(SOURCE_MAPS)
    assert (bare.status_code, bare.json()) == (404, {"detail": "The requested resource does not exist"})
