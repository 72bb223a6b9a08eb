"""Project milestones over HTTP: GitLab's documented requests, filters, create/update rules, rights, python-gitlab."""

from __future__ import annotations

import datetime as dt
import typing as t

import gitlab
import httpx
import pytest
from gitlab.exceptions import GitlabCreateError

from mockserver import MockApp
from mockserver.serving import BackgroundServer
from tests.conftest import DEVELOPER, GUEST, JOB, MAINTAINER, OUTSIDER, READ_ONLY, REPORTER

MOMENT = dt.datetime(2019, 8, 1, 12, 0, tzinfo=dt.UTC)
EVERY_FIELD = "title, description, start_date, due_date, state_event"


def titles(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [milestone["title"] for milestone in response.json()]


def as_user(server: BackgroundServer, token: str) -> httpx.Client:
    return httpx.Client(base_url=f"{server.url}/api/v4", headers={"PRIVATE-TOKEN": token}, timeout=10)


# -- the documented list requests, verbatim but for the project id ------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("", ["v1.0", "v1.0-rc"], id="all"),
        pytest.param("?iids[]=1", ["v1.0-rc"], id="one-iid"),
        pytest.param("?iids[]=1&iids[]=2", ["v1.0", "v1.0-rc"], id="two-iids"),
        pytest.param("?iids=2", ["v1.0"], id="iids-without-brackets"),
        pytest.param("?iids[]=1,2", ["v1.0", "v1.0-rc"], id="iids-comma-separated"),
        pytest.param("?state=active", [], id="active"),
        pytest.param("?state=closed", ["v1.0", "v1.0-rc"], id="closed"),
        pytest.param("?title=v1.0", ["v1.0"], id="title-exact"),
        pytest.param("?title=V1.0", [], id="title-is-case-sensitive"),
        pytest.param("?search=candidate", ["v1.0-rc"], id="search-description"),
        pytest.param("?search=V1.0", ["v1.0", "v1.0-rc"], id="search-title-any-case"),
    ],
)
def test_documented_list_filters(gitlab: httpx.Client, query: str, expected: list[str]) -> None:
    assert titles(gitlab.get(f"/projects/24/milestones{query}")) == expected


def test_list_order_is_due_date_then_title_and_paged_with_gitlabs_headers(gitlab: httpx.Client) -> None:
    assert gitlab.post("/projects/24/milestones", json={"title": "later", "due_date": "2019-09-01"}).is_success
    assert gitlab.post("/projects/24/milestones", json={"title": "undated"}).is_success
    assert titles(gitlab.get("/projects/24/milestones")) == ["v1.0", "v1.0-rc", "later", "undated"]
    page = gitlab.get("/projects/24/milestones", params={"per_page": 3, "page": 2})
    assert titles(page) == ["undated"]
    assert page.headers["X-Total"] == "4"
    assert page.headers["X-Total-Pages"] == "2"
    assert page.headers["X-Prev-Page"] == "1"
    assert 'rel="first"' in page.headers["Link"]


def test_include_ancestors_adds_the_groups_milestones(gitlab: httpx.Client, server: BackgroundServer) -> None:
    assert titles(gitlab.get("/projects/26/milestones")) == []
    for flag in ("include_ancestors", "include_parent_milestones"):
        listed = gitlab.get("/projects/26/milestones", params={flag: "true", "title": "2024-Q2"})
        assert titles(listed) == ["2024-Q2"]
        group_milestone = listed.json()[0]
        assert group_milestone["group_id"] == 9
        assert "project_id" not in group_milestone
        assert group_milestone["web_url"] == f"{server.url}/groups/release-team/-/milestones/1"
    both = gitlab.get("/projects/26/milestones?include_ancestors=true&include_parent_milestones=true")
    assert both.status_code == 400
    assert both.json() == {"error": "include_ancestors, include_parent_milestones are mutually exclusive"}


def test_state_outside_its_values_is_grapes_400(gitlab: httpx.Client) -> None:
    response = gitlab.get("/projects/24/milestones?state=opened")
    assert response.status_code == 400
    assert response.json() == {"error": "state does not have a valid value"}


# -- one milestone -------------------------------------------------------------------------------------


def test_get_one_milestone_as_gitlabs_entity(app: MockApp, gitlab: httpx.Client, server: BackgroundServer) -> None:
    app.clock.freeze(MOMENT)
    milestone = gitlab.get("/projects/24/milestones/51").json()
    assert milestone == {
        "id": 51,
        "iid": 1,
        "project_id": 24,
        "title": "v1.0-rc",
        "description": "Release candidate for 1.0.",
        "state": "closed",
        "created_at": "2019-07-12T19:45:44.256Z",
        "updated_at": "2019-07-12T19:45:44.256Z",
        "due_date": "2019-08-16",
        "start_date": "2019-07-30",
        "expired": False,
        "web_url": f"{server.url}/root/awesome-app/-/milestones/1",
    }
    app.clock.freeze(dt.datetime(2019, 8, 17, tzinfo=dt.UTC))
    assert gitlab.get("/projects/24/milestones/51").json()["expired"] is True


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        pytest.param("/projects/24/milestones/999", 404, {"message": "404 Not found"}, id="unknown-id"),
        pytest.param("/projects/26/milestones/51", 404, {"message": "404 Not found"}, id="other-projects"),
        pytest.param("/projects/26/milestones/61", 404, {"message": "404 Not found"}, id="group-milestone"),
        pytest.param("/projects/999/milestones/51", 404, {"message": "404 Project Not Found"}, id="no-project"),
    ],
)
def test_get_errors(gitlab: httpx.Client, path: str, status: int, body: dict[str, str]) -> None:
    response = gitlab.get(path)
    assert (response.status_code, response.json()) == (status, body)


# -- create and update ---------------------------------------------------------------------------------


def test_create_then_close_and_reopen(app: MockApp, gitlab: httpx.Client) -> None:
    app.clock.freeze(MOMENT)
    created = gitlab.post(
        "/projects/24/milestones",
        json={"title": " v2.0 ", "description": "Two", "start_date": "2019-09-01", "due_date": "2019-10-01"},
    )
    assert created.status_code == 201, created.text
    milestone = created.json()
    assert (milestone["id"], milestone["iid"], milestone["title"], milestone["state"]) == (62, 3, "v2.0", "active")
    assert milestone["created_at"] == milestone["updated_at"] == "2019-08-01T12:00:00.000Z"
    app.clock.freeze(MOMENT + dt.timedelta(hours=1))
    closed = gitlab.put("/projects/24/milestones/62", json={"state_event": "close"}).json()
    assert (closed["state"], closed["updated_at"]) == ("closed", "2019-08-01T13:00:00.000Z")
    assert titles(gitlab.get("/projects/24/milestones?state=active")) == []
    reopened = gitlab.put("/projects/24/milestones/62", data={"state_event": "activate", "title": "v2.0.0"}).json()
    assert (reopened["state"], reopened["title"]) == ("active", "v2.0.0")
    assert titles(gitlab.get("/projects/24/milestones?state=active")) == ["v2.0.0"]
    # A release can now name it.
    release = gitlab.post("/projects/24/releases", json={"tag_name": "v0.3", "milestones": ["v2.0.0"]})
    assert [m["id"] for m in release.json()["milestones"]] == [62]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            {"title": "v1.0"},
            'Failed to create milestone {:title=>["already being used for another group or project milestone."]}',
            id="title-taken",
        ),
        pytest.param({"title": "  "}, """Failed to create milestone {:title=>["can't be blank"]}""", id="blank"),
        pytest.param(
            {"title": "x", "start_date": "2020-02-01", "due_date": "2020-01-01"},
            'Failed to create milestone {:due_date=>["must be greater than start date"]}',
            id="due-before-start",
        ),
    ],
)
def test_create_refusals_in_gitlabs_words(gitlab: httpx.Client, body: dict[str, str], message: str) -> None:
    response = gitlab.post("/projects/24/milestones", json=body)
    assert (response.status_code, response.json()) == (400, {"message": message})


def test_create_needs_a_title(gitlab: httpx.Client) -> None:
    response = gitlab.post("/projects/24/milestones", json={"description": "no title"})
    assert (response.status_code, response.json()) == (400, {"error": "title is missing"})


def test_a_group_milestones_title_is_taken_in_its_projects(gitlab: httpx.Client) -> None:
    response = gitlab.post("/projects/26/milestones", json={"title": "2024-Q2"})
    assert response.status_code == 400
    assert "already being used" in response.json()["message"]
    # Project 24 is in no group: the title is free there.
    assert gitlab.post("/projects/24/milestones", json={"title": "2024-Q2"}).status_code == 201


def test_dates_that_are_no_dates_are_stored_as_none(gitlab: httpx.Client) -> None:
    milestone = gitlab.post("/projects/24/milestones", json={"title": "x", "due_date": "soon"}).json()
    assert milestone["due_date"] is None
    assert milestone["expired"] is None


def test_update_rules(gitlab: httpx.Client) -> None:
    empty = gitlab.put("/projects/24/milestones/51", json={})
    assert (empty.status_code, empty.json()) == (
        400,
        {"error": f"{EVERY_FIELD} are missing, at least one parameter must be provided"},
    )
    bad_event = gitlab.put("/projects/24/milestones/51", json={"state_event": "reopen"})
    assert (bad_event.status_code, bad_event.json()) == (400, {"error": "state_event does not have a valid value"})
    taken = gitlab.put("/projects/24/milestones/51", json={"title": "v1.0"})
    assert taken.json() == {
        "message": 'Failed to update milestone {:title=>["already being used for another group or project milestone."]}'
    }
    same = gitlab.put("/projects/24/milestones/51", json={"title": "v1.0-rc", "description": "kept title"})
    assert same.status_code == 200
    missing = gitlab.put("/projects/24/milestones/999", json={"title": "x"})
    assert (missing.status_code, missing.json()) == (404, {"message": "404 Not found"})


def test_delete_drops_the_milestone_from_its_releases(gitlab: httpx.Client) -> None:
    assert [m["id"] for m in gitlab.get("/projects/24/releases/v0.2").json()["milestones"]] == [52, 51]
    deleted = gitlab.delete("/projects/24/milestones/52")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert gitlab.get("/projects/24/milestones/52").status_code == 404
    assert [m["id"] for m in gitlab.get("/projects/24/releases/v0.2").json()["milestones"]] == [51]
    again = gitlab.delete("/projects/24/milestones/52")
    assert (again.status_code, again.json()) == (404, {"message": "404 Not found"})


# -- who may ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "read", "write"),
    [
        pytest.param(MAINTAINER, 200, 201, id="maintainer"),
        pytest.param(DEVELOPER, 200, 201, id="developer"),
        pytest.param(REPORTER, 200, 201, id="reporter"),
        pytest.param(GUEST, 200, 403, id="guest"),
        pytest.param(OUTSIDER, 200, 403, id="outsider-of-a-public-project"),
        pytest.param(READ_ONLY, 200, 403, id="read-api-scope"),
        pytest.param(JOB, 401, 401, id="ci-job-token"),
    ],
)
def test_rights(server: BackgroundServer, token: str, read: int, write: int) -> None:
    with as_user(server, token) as client:
        assert client.get("/projects/24/milestones").status_code == read
        assert client.post("/projects/24/milestones", json={"title": f"by {token}"}).status_code == write
        assert client.delete("/projects/24/milestones/51").status_code == (204 if write == 201 else write)


def test_anonymous_callers_are_401_even_on_public_projects(anonymous: httpx.Client) -> None:
    response = anonymous.get("/projects/24/milestones")
    assert (response.status_code, response.json()) == (401, {"message": "401 Unauthorized"})


def test_a_private_project_is_404_to_outsiders(server: BackgroundServer) -> None:
    with as_user(server, OUTSIDER) as client:
        response = client.get("/projects/25/milestones")
    assert (response.status_code, response.json()) == (404, {"message": "404 Project Not Found"})


# -- GitLab's docs, sent verbatim ------------------------------------------------------------------------


def test_docs_create_with_query_parameters_verbatim(gitlab: httpx.Client) -> None:
    response = gitlab.post("/projects/24/milestones?title=v2.0&due_date=2019-10-01")
    assert response.status_code == 201
    assert (response.json()["title"], response.json()["due_date"]) == ("v2.0", "2019-10-01")


def test_docs_close_with_query_parameters_verbatim(gitlab: httpx.Client) -> None:
    response = gitlab.put("/projects/24/milestones/51?state_event=activate")
    assert response.status_code == 200
    assert response.json()["state"] == "active"


# -- python-gitlab ------------------------------------------------------------------------------------


@pytest.fixture
def gl(server: BackgroundServer) -> t.Iterator[gitlab.Gitlab]:
    with gitlab.Gitlab(server.url, private_token=MAINTAINER) as client:
        yield client


def test_python_gitlab_list_create_and_save(gl: gitlab.Gitlab) -> None:
    project = gl.projects.get(24, lazy=True)
    assert [m.title for m in project.milestones.list(title="v1.0")] == ["v1.0"]
    assert [m.iid for m in project.milestones.list(iids=[1])] == [1]
    created = project.milestones.create({"title": "v3.0", "due_date": "2031-01-01"})
    assert (created.title, created.state) == ("v3.0", "active")
    created.state_event = "close"
    created.save()
    assert project.milestones.get(created.id).state == "closed"
    assert [m.title for m in project.milestones.list(state="closed", search="v3")] == ["v3.0"]
    with pytest.raises(GitlabCreateError) as refused:
        project.milestones.create({"title": "v3.0"})
    assert refused.value.response_code == 400
