"""Repository compare over HTTP: commits between two refs over the world's commit graph, errors, python-gitlab."""

from __future__ import annotations

import copy
import typing as t

import gitlab
import httpx
import pytest
from gitlab.exceptions import GitlabGetError

from mockserver import MockApp, Settings
from mockserver.apis.gitlab import PLUGIN
from mockserver.serving import BackgroundServer
from tests.conftest import GUEST, MAINTAINER, REPORTER

FIRST = "f8d3d94cbd347e924aa7b715845e439d00e80ca4"
SECOND = "079e90101242458910cccd35eab0e211dfc359c0"


def shas(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [commit["id"] for commit in response.json()["commits"]]


def test_docs_example_between_two_tags(gitlab: httpx.Client, server: BackgroundServer) -> None:
    answer = gitlab.get("/projects/24/repository/compare?from=v0.1&to=v0.2")
    assert shas(answer) == [SECOND]
    body = answer.json()
    assert body["commit"]["id"] == SECOND
    assert body["commit"]["title"] == "Update README.md"
    assert body["commit"]["parent_ids"] == [FIRST]
    assert (body["diffs"], body["compare_timeout"], body["compare_same_ref"]) == ([], False, False)
    assert body["web_url"] == f"{server.url}/root/awesome-app/-/compare/{FIRST}...{SECOND}"


@pytest.mark.parametrize(
    ("query", "expected", "same"),
    [
        pytest.param("from=v0.2&to=v0.1", [], False, id="backwards-has-no-commits"),
        pytest.param("from=v0.2&to=main", [], True, id="tag-and-branch-on-one-commit"),
        pytest.param("from=v0.1&to=v0.1", [], True, id="same-ref"),
        pytest.param(f"from={FIRST[:8]}&to=main", [SECOND], False, id="short-sha"),
        pytest.param(f"from={FIRST}&to={SECOND}&straight=true", [SECOND], False, id="straight"),
    ],
)
def test_refs_tags_branches_and_shas(gitlab: httpx.Client, query: str, expected: list[str], same: bool) -> None:
    answer = gitlab.get(f"/projects/24/repository/compare?{query}")
    assert shas(answer) == expected
    assert answer.json()["compare_same_ref"] is same
    assert answer.json()["commit"] == (answer.json()["commits"][-1] if expected else None)


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        pytest.param("from=v0.1&to=nope", 404, {"message": "404 Ref Not Found"}, id="unknown-ref"),
        pytest.param("from=deadbeefdeadbeef&to=v0.1", 404, {"message": "404 Ref Not Found"}, id="unknown-sha"),
        pytest.param("from=v0.1", 400, {"error": "to is missing"}, id="to-missing"),
        pytest.param(
            "from=v0.1&to=v0.2&from_project_id=26",
            400,
            {"message": "Target project id:26 is not a fork of project id:24"},
            id="not-a-fork",
        ),
    ],
)
def test_errors(gitlab: httpx.Client, query: str, status: int, body: dict[str, str]) -> None:
    answer = gitlab.get(f"/projects/24/repository/compare?{query}")
    assert (answer.status_code, answer.json()) == (status, body)


def test_from_project_id_may_name_the_project_itself(gitlab: httpx.Client) -> None:
    assert shas(gitlab.get("/projects/24/repository/compare?from=v0.1&to=v0.2&from_project_id=24")) == [SECOND]


def test_who_may_compare(server: BackgroundServer, anonymous: httpx.Client) -> None:
    # Public project: anyone; private project: reporters and above read code, guests do not.
    assert anonymous.get("/projects/24/repository/compare?from=v0.1&to=v0.2").status_code == 200
    for token, status in ((REPORTER, 200), (GUEST, 403)):
        with httpx.Client(base_url=f"{server.url}/api/v4", headers={"PRIVATE-TOKEN": token}) as client:
            assert client.get("/projects/25/repository/compare?from=v1.0.0&to=main").status_code == status
    assert anonymous.get("/projects/25/repository/compare?from=v1.0.0&to=main").status_code == 404


def commit(sha: str, parents: list[str], title: str, day: int) -> dict[str, t.Any]:
    moment = f"2019-02-{day:02d}T00:00:00.000Z"
    return {
        "id": sha,
        "short_id": sha[:8],
        "title": title,
        "message": title,
        "created_at": moment,
        "parent_ids": parents,
        "author_name": "A",
        "author_email": "a@example.com",
        "authored_date": moment,
        "committer_name": "A",
        "committer_email": "a@example.com",
        "committed_date": moment,
    }


@pytest.fixture
def branched(app: MockApp) -> None:
    """Project 24 with a feature branch merged back into main:

    FIRST - SECOND - A ---------- M (main)
                      \\         /
                       B - C --   (feature at C)
    """
    spec = app.mounts["/api/v4"][1].raw
    seed = copy.deepcopy(PLUGIN.load_seed(Settings().fixtures_dir / "gitlab", spec))
    a, b, c, m = ("a" * 40, "b" * 40, "c" * 40, "d" * 40)
    project = seed["projects"][0]
    project["commits"] += [
        commit(a, [SECOND], "A on main", 1),
        commit(b, [SECOND], "B on feature", 2),
        commit(c, [b], "C on feature", 3),
        commit(m, [a, c], "Merge feature", 4),
    ]
    project["branches"] = {"main": m, "feature": c}
    app.store.install({"gitlab": app.store.build("gitlab", seed)})


@pytest.mark.usefixtures("branched")
def test_a_merge_lists_every_commit_after_its_parents(gitlab: httpx.Client) -> None:
    assert shas(gitlab.get("/projects/24/repository/compare?from=v0.2&to=main")) == [
        "a" * 40,
        "b" * 40,
        "c" * 40,
        "d" * 40,
    ]
    assert shas(gitlab.get("/projects/24/repository/compare?from=feature&to=main")) == ["a" * 40, "d" * 40]
    # From main to feature: everything on feature is already in main.
    assert shas(gitlab.get("/projects/24/repository/compare?from=main&to=feature")) == []


@pytest.mark.usefixtures("branched")
def test_straight_compares_from_itself_and_otherwise_from_the_merge_base(
    gitlab: httpx.Client, server: BackgroundServer
) -> None:
    web = f"{server.url}/root/awesome-app/-/compare"
    a, c = "a" * 40, "c" * 40
    assert gitlab.get("/projects/24/repository/compare?from=main&to=feature").json()["web_url"] == f"{web}/{c}...{c}"
    straight = gitlab.get(f"/projects/24/repository/compare?from={a}&to=feature&straight=true").json()
    assert straight["web_url"] == f"{web}/{a}...{c}"
    merge_based = gitlab.get(f"/projects/24/repository/compare?from={a}&to=feature").json()
    assert merge_based["web_url"] == f"{web}/{SECOND}...{c}"
    assert [commit["id"] for commit in merge_based["commits"]] == ["b" * 40, c]


@pytest.fixture
def gl(server: BackgroundServer) -> t.Iterator[gitlab.Gitlab]:
    with gitlab.Gitlab(server.url, private_token=MAINTAINER) as client:
        yield client


def test_python_gitlab_repository_compare(gl: gitlab.Gitlab) -> None:
    project = gl.projects.get(24, lazy=True)
    result = project.repository_compare("v0.1", "v0.2")
    assert [commit["id"] for commit in result["commits"]] == [SECOND]
    with pytest.raises(GitlabGetError) as missing:
        project.repository_compare("v0.1", "no-such-branch")
    assert missing.value.response_code == 404
