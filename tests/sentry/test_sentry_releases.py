"""Sentry organization releases over HTTP: the docs' example, idempotent create, update, delete, rules."""

from __future__ import annotations

import datetime as dt
import typing as t
from urllib.parse import quote

import httpx
import pytest

from tests.sentry.conftest import ADMIN, CI, OTHER_ORG, READ, REVOKED, SCOPED

ORG = "/organizations/my-org/releases/"


def test_docs_example_request_works_verbatim(sentry: httpx.Client) -> None:
    response = sentry.get("/organizations/my-org/releases/control@abc123/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    release = response.json()
    assert release["id"] == 1122684517
    assert release["version"] == release["shortVersion"] == "control@abc123"
    assert release["versionInfo"] == {
        "package": "control",
        "version": {"raw": "abc123"},
        "description": "abc123",
        "buildHash": "abc123",
    }
    assert release["dateCreated"] == "2024-05-21T11:26:16.190281Z"
    assert release["commitCount"] == 2 and release["lastCommit"]["id"] == "xyz123"
    assert release["lastCommit"]["repository"]["name"] == "raj/raspberries"
    assert release["deployCount"] == 1 and release["lastDeploy"]["environment"] == "canary-test-control"
    assert release["authors"] == [{"name": "Raj's Raspberries", "email": "raj@raspberries"}]
    assert [project["slug"] for project in release["projects"]] == ["sentry"]


@pytest.mark.parametrize(
    "version",
    [
        pytest.param("my-app@2.0.0+build.7", id="package-semver-build"),
        pytest.param("frontend@1.0.0", id="package-semver"),
        pytest.param("control@abc123", id="package-hash"),
    ],
)
def test_short_version_is_the_whole_version(sentry: httpx.Client, version: str) -> None:
    # Sentry's serializer copies the version into shortVersion; it never drops the package.
    release = sentry.get(f"/organizations/my-org/releases/{quote(version, safe='@')}/").json()
    assert release["shortVersion"] == release["version"] == version
    commits = sentry.get("/organizations/my-org/releases/control@abc123/commits/").json()
    assert commits[0]["releases"][0]["shortVersion"] == "control@abc123"


def test_semver_versions_are_parsed(sentry: httpx.Client) -> None:
    release = sentry.get("/organizations/my-org/releases/my-app@2.0.0%2Bbuild.7/").json()
    assert release["version"] == "my-app@2.0.0+build.7"
    info = release["versionInfo"]
    assert info["package"] == "my-app"
    assert (info["version"]["major"], info["version"]["minor"], info["version"]["patch"]) == (2, 0, 0)
    assert info["version"]["buildCode"] == "build.7"
    assert info["description"] == "2.0.0 (build.7)"


def test_create_is_201_then_208_then_201_for_a_new_project(sentry: httpx.Client) -> None:
    body = {"version": "1.2.3", "projects": ["my-project"]}
    first = sentry.post(ORG, json=body)
    assert first.status_code == 201
    assert first.json()["version"] == "1.2.3"
    assert sentry.post(ORG, json=body).status_code == 208
    linked = sentry.post(ORG, json={"version": "1.2.3", "projects": ["sentry"]})
    assert linked.status_code == 201
    assert sorted(project["slug"] for project in linked.json()["projects"]) == ["my-project", "sentry"]


def test_archive_and_restore_through_create(sentry: httpx.Client) -> None:
    archived = sentry.post(ORG, json={"version": "frontend@1.0.0", "projects": [], "status": "archived"})
    assert (archived.status_code, archived.json()["status"]) == (208, "archived")
    assert "frontend@1.0.0" not in [r["version"] for r in sentry.get(ORG).json()]
    assert "frontend@1.0.0" in [r["version"] for r in sentry.get(ORG, params={"status": "archived"}).json()]
    restored = sentry.post(ORG, json={"version": "frontend@1.0.0", "projects": [], "status": "open"})
    assert restored.json()["status"] == "open"


@pytest.mark.parametrize(
    "version",
    [
        pytest.param("a/b", id="slash"),
        pytest.param("a\nb", id="newline"),
        pytest.param("a\tb", id="tab"),
        pytest.param("a\\b", id="backslash"),
        pytest.param(".", id="dot"),
        pytest.param("..", id="dotdot"),
        pytest.param("latest", id="latest"),
        pytest.param(" LATEST ", id="latest-padded"),
        pytest.param("   ", id="blank"),
    ],
)
def test_invalid_versions_are_rejected_with_sentrys_body(sentry: httpx.Client, version: str) -> None:
    response = sentry.post(ORG, json={"version": version, "projects": ["my-project"]})
    assert response.status_code == 400
    assert response.json() == {"version": [f"Release with name {version} is not allowed"]}


def test_unknown_or_hidden_project_is_400(sentry: httpx.Client, as_token) -> None:
    response = sentry.post(ORG, json={"version": "9.9.9", "projects": ["nope"]})
    assert (response.status_code, response.json()) == (400, {"projects": ["Invalid project ids or slugs"]})
    hidden = as_token(SCOPED).post(ORG, json={"version": "9.9.9", "projects": ["sentry"]})
    assert (hidden.status_code, hidden.json()) == (400, {"projects": ["Invalid project ids or slugs"]})
    assert sentry.get("/organizations/my-org/releases/9.9.9/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"projects": ["my-project"]}, "version", id="no-version"),
        pytest.param({"version": "1.0"}, "projects", id="no-projects"),
        pytest.param({"version": "x" * 201, "projects": ["my-project"]}, "version", id="version-too-long"),
    ],
)
def test_missing_or_bad_fields_answer_per_field(sentry: httpx.Client, body: dict, field: str) -> None:
    response = sentry.post(ORG, json=body)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert isinstance(response.json()[field], list)


def test_version_characters_round_trip_through_paths(sentry: httpx.Client) -> None:
    for version in ["my-app@2.0.0+build.9", "rel 1", "ä-1.0", "a?b#c%d"]:
        assert sentry.post(ORG, json={"version": version, "projects": ["my-project"]}).status_code == 201
        # Encoded as sentry-cli encodes a path segment: "+" as %2B, space as %20, "@" left as is.
        response = sentry.get(f"/organizations/my-org/releases/{quote(version, safe='@')}/")
        assert (response.status_code, response.json()["version"]) == (200, version)


def test_finalize_through_update(sentry: httpx.Client) -> None:
    response = sentry.put(
        "/organizations/my-org/releases/backend@abc123/",
        json={"projects": ["sentry"], "dateReleased": "2023-11-14T22:13:20Z", "url": "https://example.com"},
    )
    assert response.status_code == 200
    assert response.json()["dateReleased"] == "2023-11-14T22:13:20.000000Z"
    assert response.json()["url"] == "https://example.com"


def test_update_refs_set_and_clear_commits(sentry: httpx.Client) -> None:
    path = "/organizations/my-org/releases/backend@abc123/"
    refs = [{"repository": "my-org/my-repo", "commit": "abc123..def456", "previousCommit": None}]
    updated = sentry.put(path, json={"refs": refs}).json()
    assert updated["commitCount"] == 2 and updated["lastCommit"]["id"] == "def456"
    assert sentry.put(path, json={"refs": []}).json()["commitCount"] == 0
    unknown = sentry.put(path, json={"refs": [{"repository": "nope/nope", "commit": "abc"}]})
    assert unknown.status_code == 400 and list(unknown.json()) == ["refs"]


def test_an_author_without_email_gets_one_made_from_the_name(sentry: httpx.Client) -> None:
    commits = [{"id": "c1", "author_name": "Jane Q. Doe-Ünal"}, {"id": "c2", "author_email": "bo@example.com"}]
    updated = sentry.put("/organizations/my-org/releases/backend@abc123/", json={"commits": commits}).json()
    assert updated["authors"] == [
        {"name": "Jane Q. Doe-Ünal", "email": "janeq.doe-nal@localhost"},
        {"name": "bo@example.com", "email": "bo@example.com"},
    ]


def test_delete_is_204_then_404(sentry: httpx.Client) -> None:
    response = sentry.delete("/organizations/my-org/releases/backend@abc123/")
    assert (response.status_code, response.content) == (204, b"")
    missing = sentry.delete("/organizations/my-org/releases/backend@abc123/")
    assert (missing.status_code, missing.json()) == (404, {"detail": "The requested resource does not exist"})


def test_release_with_health_data_cannot_be_deleted(sentry: httpx.Client) -> None:
    response = sentry.delete("/organizations/my-org/releases/mobile@3.1.0/")
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "This release has health data and cannot be removed."},
    )
    assert sentry.get("/organizations/my-org/releases/mobile@3.1.0/").status_code == 200


def test_deploys_bump_count_and_last_deploy(sentry: httpx.Client) -> None:
    path = "/organizations/my-org/releases/frontend@1.0.0/deploys/"
    created = sentry.post(path, json={"environment": "production", "name": None, "url": None, "dateStarted": None})
    assert created.status_code == 201
    assert created.json()["environment"] == "production" and created.json()["dateFinished"]
    release = sentry.get("/organizations/my-org/releases/frontend@1.0.0/").json()
    assert release["deployCount"] == 1
    assert release["lastDeploy"]["id"] == created.json()["id"]
    assert [deploy["environment"] for deploy in sentry.get(path).json()] == ["production"]
    bad = sentry.post(path, json={"environment": "a/b"})
    assert (bad.status_code, bad.json()) == (400, {"environment": ["Invalid value for environment"]})


def test_retrieve_query_parameters(sentry: httpx.Client) -> None:
    path = "/organizations/my-org/releases/mobile@3.1.0/"
    plain = sentry.get(path).json()
    assert "healthData" not in plain["projects"][0] and "adoptionStages" not in plain
    rich = sentry.get(path, params={"health": "1", "adoptionStages": "1", "healthStatsPeriod": "7d"}).json()
    # The series is sized by summaryStatsPeriod (14 days by default), named by healthStatsPeriod; no sessions here.
    (series,) = rich["projects"][0]["healthData"]["stats"].values()
    assert list(rich["projects"][0]["healthData"]["stats"]) == ["7d"] and [count for _, count in series] == [0] * 14
    assert rich["adoptionStages"] == {"mobile": {"stage": "low_adoption", "adopted": None, "unadopted": None}}
    for name, value in [("summaryStatsPeriod", "3d"), ("sort", "nope"), ("status", "gone")]:
        response = sentry.get(path, params={name: value})
        assert response.status_code == 400 and set(response.json()) == {"detail"}, name


@pytest.mark.parametrize(
    ("token", "method", "path", "status"),
    [
        pytest.param(None, "GET", ORG, 401, id="no-token"),
        pytest.param(REVOKED, "GET", ORG, 401, id="revoked"),
        pytest.param(READ, "POST", ORG, 403, id="read-scope-cannot-create"),
        pytest.param(CI, "DELETE", ORG + "frontend@1.0.0/", 403, id="org-ci-cannot-delete"),
        pytest.param(OTHER_ORG, "GET", ORG, 403, id="not-a-member"),
        pytest.param(SCOPED, "GET", ORG + "control@abc123/", 404, id="release-of-hidden-project"),
        pytest.param(ADMIN, "GET", "/organizations/nope/releases/", 404, id="unknown-org"),
    ],
)
def test_auth_and_scopes(as_token, token: str | None, method: str, path: str, status: int) -> None:
    body = {"version": "5.0.0", "projects": ["my-project"]} if method == "POST" else None
    response = as_token(token).request(method, path, json=body)
    assert response.status_code == status
    assert set(response.json()) == {"detail"}
    assert response.headers["content-type"] == "application/json"


def test_scoped_token_lists_only_its_projects(as_token) -> None:
    versions = [release["version"] for release in as_token(SCOPED).get(ORG).json()]
    assert versions == ["my-app@2.0.0+build.7", "frontend@1.0.0"]


FROZEN = dt.datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)


def test_a_new_release_is_dated_by_the_app_clock(sentry: httpx.Client, app) -> None:
    app.clock.freeze(FROZEN)
    created = sentry.post(ORG, json={"version": "clock@1.0.0", "projects": ["my-project"]})
    assert created.status_code == 201
    assert created.json()["dateCreated"] == "2031-05-06T07:08:09.123456Z"
    app.clock.advance(3600)
    assert sentry.get(ORG + "clock@1.0.0/").json()["dateCreated"] == "2031-05-06T07:08:09.123456Z"


def test_a_deploy_without_date_finished_is_finished_by_the_app_clock(sentry: httpx.Client, app) -> None:
    path = ORG + "frontend@1.0.0/deploys/"
    app.clock.freeze(FROZEN)
    first = sentry.post(path, json={"environment": "staging"}).json()
    app.clock.advance(90)
    second = sentry.post(path, json={"environment": "production"}).json()
    stated = sentry.post(path, json={"environment": "qa", "dateFinished": "2020-01-02T03:04:05Z"}).json()
    assert first["dateFinished"] == "2031-05-06T07:08:09.123456Z"
    assert second["dateFinished"] == "2031-05-06T07:09:39.123456Z"
    assert stated["dateFinished"] == "2020-01-02T03:04:05.000000Z"


def test_one_projects_list_follows_status_changes(sentry: httpx.Client) -> None:
    # A project's list reads the release-project links, which repeat the release's status.
    def listed(**params: t.Any) -> list[str]:
        return [release["version"] for release in sentry.get(ORG, params={"project": 2, **params}).json()]

    assert "frontend@1.0.0" in listed()
    sentry.put(ORG + "frontend@1.0.0/", json={"status": "archived"})
    assert "frontend@1.0.0" not in listed()
    assert listed(status="archived") == ["frontend@1.0.0", "legacy@0.9.0"]
    sentry.post(ORG, json={"version": "frontend@1.0.0", "projects": [], "status": "open"})
    assert "frontend@1.0.0" in listed() and listed(status="archived") == ["legacy@0.9.0"]


def test_a_projects_list_is_the_same_read_from_the_index_or_filtered(sentry: httpx.Client, as_token, app) -> None:
    app.clock.freeze(FROZEN)
    for number in range(5):
        app.clock.advance(60)
        sentry.post(
            ORG, json={"version": f"p@{number}", "projects": ["my-project"] + (["sentry"] if number % 2 else [])}
        )
    by_index = [release["version"] for release in sentry.get(ORG, params={"project": 2, "per_page": 4}).json()]
    # The scoped token sees only my-project, so its list is filtered from all releases instead.
    filtered = [release["version"] for release in as_token(SCOPED).get(ORG, params={"per_page": 4}).json()]
    assert by_index == filtered == ["p@4", "p@3", "p@2", "p@1"]
    everyone = [release["version"] for release in sentry.get(ORG, params={"per_page": 3, "cursor": "3:1:0"}).json()]
    assert everyone == ["p@1", "p@0", "mobile@3.1.0"]


NOT_NUMBERS = {"detail": "Invalid project parameter. Values must be numbers."}


@pytest.mark.parametrize(
    ("token", "project", "status", "body"),
    [
        pytest.param(ADMIN, ["my-project"], 400, NOT_NUMBERS, id="slug"),
        pytest.param(ADMIN, ["2", "mobile"], 400, NOT_NUMBERS, id="id-and-slug"),
        pytest.param(
            ADMIN, ["10"], 403, {"detail": "You do not have permission to perform this action."}, id="other-org"
        ),
        pytest.param(
            ADMIN, ["999"], 403, {"detail": "You do not have permission to perform this action."}, id="unknown"
        ),
        pytest.param(SCOPED, ["1"], 403, {"detail": "You do not have permission to perform this action."}, id="hidden"),
    ],
)
def test_the_list_project_filter_takes_visible_numeric_ids(
    as_token, token: str, project: list[str], status: int, body: dict
) -> None:
    response = as_token(token).get(ORG, params={"project": project})
    assert (response.status_code, response.json()) == (status, body)


@pytest.mark.parametrize(
    ("project", "expected"),
    [
        pytest.param(["2"], ["my-app@2.0.0+build.7", "frontend@1.0.0"], id="one-id"),
        pytest.param(["2", "3"], ["mobile@3.1.0", "my-app@2.0.0+build.7", "frontend@1.0.0"], id="two-ids"),
        pytest.param(["-1"], None, id="every-accessible"),
    ],
)
def test_the_list_project_filter_by_id(sentry: httpx.Client, project: list[str], expected: list[str] | None) -> None:
    listed = [release["version"] for release in sentry.get(ORG, params={"project": project}).json()]
    assert listed == (expected or [release["version"] for release in sentry.get(ORG).json()])


@pytest.mark.parametrize(
    ("name", "value", "status", "body"),
    [
        pytest.param("project", "sentry", 400, NOT_NUMBERS, id="slug"),
        pytest.param("project_id", "sentry", 400, NOT_NUMBERS, id="slug-by-the-older-name"),
        pytest.param("project", "999", 404, {"detail": "The requested resource does not exist"}, id="unknown-id"),
        pytest.param("project", "10", 404, {"detail": "The requested resource does not exist"}, id="other-orgs-id"),
        pytest.param("project", "1", 200, None, id="id"),
    ],
)
def test_retrieving_within_a_project_takes_its_numeric_id(
    sentry: httpx.Client, name: str, value: str, status: int, body: dict | None
) -> None:
    response = sentry.get(ORG + "control@abc123/", params={name: value})
    assert response.status_code == status
    if body is not None:
        assert response.json() == body


def test_retrieving_within_a_hidden_project_is_404(as_token) -> None:
    response = as_token(SCOPED).get(ORG + "frontend@1.0.0/", params={"project": "1"})
    assert (response.status_code, response.json()) == (404, {"detail": "The requested resource does not exist"})
