"""Project members over HTTP: direct and inherited members, the levels the world's roles give, release-it's check."""

from __future__ import annotations

import typing as t

import gitlab
import httpx
import pytest
from gitlab.exceptions import GitlabGetError

from mockserver.serving import BackgroundServer
from tests.conftest import DEVELOPER, GUEST, JOB, MAINTAINER, OUTSIDER, REPORTER


def levels(response: httpx.Response) -> dict[str, int]:
    assert response.status_code == 200, response.text
    return {member["username"]: member["access_level"] for member in response.json()}


def as_user(server: BackgroundServer, token: str) -> httpx.Client:
    return httpx.Client(base_url=f"{server.url}/api/v4", headers={"PRIVATE-TOKEN": token}, timeout=10)


def test_direct_members_with_the_levels_of_their_roles(gitlab: httpx.Client) -> None:
    assert levels(gitlab.get("/projects/24/members")) == {"root": 50, "mia": 40, "dev": 30, "rita": 20, "gus": 10}


def test_all_members_add_the_groups_members(gitlab: httpx.Client) -> None:
    # Project 26 has no members of its own; group 9's members are its members through the group.
    assert levels(gitlab.get("/projects/26/members")) == {}
    assert levels(gitlab.get("/projects/26/members/all")) == {"mia": 40, "dev": 30, "rita": 20, "gus": 10}


def test_one_member_as_gitlabs_entity(gitlab: httpx.Client, server: BackgroundServer) -> None:
    member = gitlab.get("/projects/24/members/all/3").json()
    assert member == {
        "id": 3,
        "username": "dev",
        "name": "Dev Developer",
        "public_email": None,
        "state": "active",
        "locked": False,
        "avatar_url": None,
        "web_url": f"{server.url}/dev",
        "access_level": 30,
        "created_at": "2019-01-01T10:00:00.000Z",
        "expires_at": None,
        "membership_state": "active",
    }
    assert gitlab.get("/projects/24/members/3").json() == member


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        pytest.param("/projects/24/members/all/6", 404, {"message": "404 Not found"}, id="not-a-member"),
        pytest.param("/projects/24/members/all/999", 404, {"message": "404 Not found"}, id="no-such-user"),
        pytest.param("/projects/26/members/3", 404, {"message": "404 Not found"}, id="inherited-is-not-direct"),
        pytest.param("/projects/999/members/all/3", 404, {"message": "404 Project Not Found"}, id="no-project"),
    ],
)
def test_not_found(gitlab: httpx.Client, path: str, status: int, body: dict[str, str]) -> None:
    response = gitlab.get(path)
    assert (response.status_code, response.json()) == (status, body)


def test_filters_and_pages(gitlab: httpx.Client) -> None:
    assert levels(gitlab.get("/projects/24/members?query=MAINT")) == {"mia": 40}
    assert levels(gitlab.get("/projects/24/members/all?user_ids=3,5,6")) == {"dev": 30, "gus": 10}
    page = gitlab.get("/projects/24/members", params={"per_page": 2, "page": 3})
    assert list(levels(page)) == ["gus"]
    assert (page.headers["X-Total"], page.headers["X-Total-Pages"], page.headers["X-Next-Page"]) == ("5", "3", "")


def test_a_user_in_both_the_project_and_its_group_is_listed_once_at_the_higher_level(
    gitlab: httpx.Client, server: BackgroundServer
) -> None:
    # Project 25 (private, group 9) gives dev no role of its own; the group makes them a developer.
    with as_user(server, DEVELOPER) as dev:
        assert levels(dev.get("/projects/25/members/all"))["dev"] == 30


@pytest.mark.parametrize(
    ("token", "status"),
    [
        pytest.param(OUTSIDER, 200, id="outsider-of-a-public-project"),
        pytest.param(GUEST, 200, id="guest"),
        pytest.param(JOB, 401, id="ci-job-token"),
    ],
)
def test_who_may_list(server: BackgroundServer, token: str, status: int) -> None:
    with as_user(server, token) as client:
        assert client.get("/projects/24/members/all").status_code == status


def test_anonymous_is_401_and_a_private_project_is_404_to_outsiders(
    anonymous: httpx.Client, server: BackgroundServer
) -> None:
    assert anonymous.get("/projects/24/members").json() == {"message": "401 Unauthorized"}
    with as_user(server, OUTSIDER) as client:
        assert client.get("/projects/25/members/all").json() == {"message": "404 Project Not Found"}


@pytest.mark.parametrize(
    ("token", "passes"),
    [
        pytest.param(MAINTAINER, True, id="maintainer"),
        pytest.param(DEVELOPER, True, id="developer"),
        pytest.param(REPORTER, False, id="reporter"),
        pytest.param(OUTSIDER, False, id="outsider"),
    ],
)
def test_release_its_collaborator_check(server: BackgroundServer, token: str, passes: bool) -> None:
    """What release-it's GitLab plugin does before a release: who am I, then my level in the project (>= 30)."""
    with as_user(server, token) as client:
        user = client.get("/user").json()
        answer = client.get(f"/projects/root%2Fawesome-app/members/all/{user['id']}")
        level = answer.json().get("access_level") if answer.status_code == 200 else None
    assert bool(level and level >= 30) is passes


@pytest.fixture
def gl(server: BackgroundServer) -> t.Iterator[gitlab.Gitlab]:
    with gitlab.Gitlab(server.url, private_token=MAINTAINER) as client:
        yield client


def test_python_gitlab_members(gl: gitlab.Gitlab) -> None:
    project = gl.projects.get(26, lazy=True)
    assert project.members_all.get(3).access_level == 30
    assert sorted(m.username for m in project.members_all.list(get_all=True)) == ["dev", "gus", "mia", "rita"]
    assert gl.projects.get(24, lazy=True).members.get(1).access_level == 50
    with pytest.raises(GitlabGetError) as missing:
        project.members.get(3)
    assert missing.value.response_code == 404
