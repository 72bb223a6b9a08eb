"""Who may do what, over HTTP: the role table of §A.8 with the statuses and bodies of §A.2 and §A.7.

Project 24 is public; project 25 is private and its members come from group 9
(maintainer mia, developer dev, reporter rita, guest gus). The outsider is a member of nothing.
"""

from __future__ import annotations

import typing as t

import httpx
import pytest

from tests.conftest import DEVELOPER, EXPIRED, FINISHED_JOB, GUEST, JOB, MAINTAINER, OUTSIDER, READ_ONLY, REPORTER

PUBLIC, PRIVATE = 24, 25

FORBIDDEN = {"message": "403 Forbidden"}
PROJECT_NOT_FOUND = {"message": "404 Project Not Found"}
UNAUTHORIZED = {"message": "401 Unauthorized"}

TOKENS: dict[str, str | None] = {
    "anonymous": None,
    "outsider": OUTSIDER,
    "guest": GUEST,
    "reporter": REPORTER,
    "developer": DEVELOPER,
    "maintainer": MAINTAINER,
}

# An existing release, one of its links and that link's direct asset path, per project.
TARGETS = {
    PUBLIC: {"tag": "v0.1", "link": 3, "asset": "bin/asset.exe"},
    PRIVATE: {"tag": "v1.0.0", "link": 11, "asset": "binaries/linux-amd64"},
}


class Operation(t.NamedTuple):
    method: str
    path: str
    body: dict[str, t.Any] | None
    success: int


RELEASE = "/projects/{project}/releases/{tag}"
LINKS = RELEASE + "/assets/links"
READS = {
    "list_releases": Operation("GET", "/projects/{project}/releases", None, 200),
    "get_release": Operation("GET", RELEASE, None, 200),
    "list_links": Operation("GET", LINKS, None, 200),
    "get_link": Operation("GET", LINKS + "/{link}", None, 200),
}
WRITES = {
    "create_release": Operation("POST", "/projects/{project}/releases", {"tag_name": "v9.9.9", "ref": "main"}, 201),
    "update_release": Operation("PUT", RELEASE, {"name": "renamed"}, 200),
    "delete_release": Operation("DELETE", RELEASE, None, 200),
    "create_link": Operation("POST", LINKS, {"name": "new", "url": "https://example.com/new"}, 201),
    "update_link": Operation("PUT", LINKS + "/{link}", {"name": "renamed"}, 200),
    "delete_link": Operation("DELETE", LINKS + "/{link}", None, 200),
}
OTHER_ROUTES = {
    "create_evidence": Operation("POST", RELEASE + "/evidence", None, 202),
    "latest_permalink": Operation("GET", "/projects/{project}/releases/permalink/latest", None, 302),
    "download_asset": Operation("GET", RELEASE + "/downloads/{asset}", None, 302),
    "list_tags": Operation("GET", "/projects/{project}/repository/tags", None, 200),
    "get_tag": Operation("GET", "/projects/{project}/repository/tags/{tag}", None, 200),
    "create_tag": Operation("POST", "/projects/{project}/repository/tags", {"tag_name": "t1", "ref": "main"}, 201),
    "delete_tag": Operation("DELETE", "/projects/{project}/repository/tags/{tag}", None, 204),
}
EVERY_ROUTE = {**READS, **WRITES, **OTHER_ROUTES}


def headers_for(token: str | None) -> dict[str, str]:
    if token is None:
        return {}
    return {"JOB-TOKEN": token} if token.startswith("glcbt-") else {"PRIVATE-TOKEN": token}


@pytest.fixture(scope="module")
def api(server: t.Any) -> t.Iterator[httpx.Client]:
    """One unauthenticated client for the module: each request brings its own credentials."""
    with httpx.Client(base_url=f"{server.url}/api/v4", timeout=10) as client:
        yield client


def call(api: httpx.Client, project: int, operation: Operation, token: str | None) -> httpx.Response:
    path = operation.path.format(project=project, **TARGETS[project])
    return api.request(operation.method, path, json=operation.body, headers=headers_for(token))


def expected(project: int, role: str, name: str) -> tuple[int, dict[str, t.Any] | None]:
    """§A.8 as a function: the status (and error body) one role gets for one operation."""
    success = EVERY_ROUTE[name].success
    if project == PRIVATE and role in ("anonymous", "outsider"):
        return 404, PROJECT_NOT_FOUND
    if name in WRITES:
        return (success, None) if role in ("developer", "maintainer") else (403, FORBIDDEN)
    if project == PRIVATE and role == "guest" and name == "get_release":
        return 403, FORBIDDEN  # needs read_code, which a guest lacks on a private project
    return success, None


def role_table() -> t.Iterator[t.Any]:
    for project in (PUBLIC, PRIVATE):
        for role in TOKENS:
            for name in (*READS, *WRITES):
                if project == PUBLIC and role == "anonymous" and name in WRITES:
                    continue  # no source says what GitLab answers here (see test docstring)
                status, body = expected(project, role, name)
                yield pytest.param(project, role, name, status, body, id=f"{project}-{role}-{name}-{status}")


@pytest.mark.parametrize(("project", "role", "name", "status", "body"), list(role_table()))
def test_role_table(api: httpx.Client, project: int, role: str, name: str, status: int, body: dict | None) -> None:
    """Anonymous writes to the public project are left out: §A.7 does not say whether they are 401 or 403."""
    response = call(api, project, EVERY_ROUTE[name], TOKENS[role])
    assert response.status_code == status, response.text
    if body is not None:
        assert response.json() == body


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
@pytest.mark.parametrize("name", list(EVERY_ROUTE))
def test_private_project_is_hidden_on_every_route(api: httpx.Client, role: str, name: str) -> None:
    response = call(api, PRIVATE, EVERY_ROUTE[name], TOKENS[role])
    assert (response.status_code, response.json()) == (404, PROJECT_NOT_FOUND)


@pytest.mark.parametrize("name", list(OTHER_ROUTES))
def test_developer_reaches_every_other_route_of_the_private_project(api: httpx.Client, name: str) -> None:
    response = call(api, PRIVATE, OTHER_ROUTES[name], DEVELOPER)
    assert response.status_code == OTHER_ROUTES[name].success, response.text


@pytest.mark.parametrize(
    "name", ["latest_permalink", "download_asset", "create_evidence", "create_release", "create_link", "delete_link"]
)
def test_guest_on_private_project_is_forbidden_beyond_listing(api: httpx.Client, name: str) -> None:
    response = call(api, PRIVATE, EVERY_ROUTE[name], GUEST)
    assert (response.status_code, response.json()) == (403, FORBIDDEN)


CODE_FIELDS = ("commit", "commit_path", "tag_path", "evidences")


def test_guest_on_private_project_lists_releases_without_code(api: httpx.Client) -> None:
    as_guest = call(api, PRIVATE, READS["list_releases"], GUEST).json()
    as_reporter = call(api, PRIVATE, READS["list_releases"], REPORTER).json()
    assert [release["tag_name"] for release in as_guest] == [release["tag_name"] for release in as_reporter]
    for guest_view, reporter_view in zip(as_guest, as_reporter, strict=True):
        for field in CODE_FIELDS:
            assert field not in guest_view
            assert field in reporter_view
        assert "sources" not in guest_view["assets"]
        assert len(reporter_view["assets"]["sources"]) == 4
        # Links only: source archives are code.
        assert guest_view["assets"]["count"] == len(guest_view["assets"]["links"])
        assert reporter_view["assets"]["count"] == len(reporter_view["assets"]["links"]) + 4
        assert guest_view["assets"]["links"] == reporter_view["assets"]["links"]
    assert [release["assets"]["count"] for release in as_guest] == [0, 1]


def test_guest_on_public_project_sees_code_fields(api: httpx.Client) -> None:
    release = call(api, PUBLIC, READS["get_release"], GUEST).json()
    assert all(field in release for field in CODE_FIELDS)
    assert release["assets"]["count"] == len(release["assets"]["links"]) + 4


@pytest.mark.parametrize("project", [PUBLIC, PRIVATE])
@pytest.mark.parametrize(
    "token",
    [
        pytest.param("glpat-no-such-token-0000001", id="unknown"),
        pytest.param(EXPIRED, id="revoked"),
        pytest.param(FINISHED_JOB, id="finished-job"),
    ],
)
@pytest.mark.parametrize("name", ["list_releases", "get_release", "list_links", "create_release", "delete_link"])
def test_bad_token_is_401_even_where_anonymous_may_read(api: httpx.Client, project: int, token: str, name: str) -> None:
    response = call(api, project, EVERY_ROUTE[name], token)
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


@pytest.mark.parametrize(
    "header", [pytest.param("Authorization", id="bearer"), pytest.param("private_token", id="query-parameter")]
)
def test_bad_token_is_401_however_it_is_sent(api: httpx.Client, header: str) -> None:
    url = f"/projects/{PUBLIC}/releases"
    if header == "Authorization":
        response = api.get(url, headers={"Authorization": f"Bearer {EXPIRED}"})
    else:
        response = api.get(url, params={"private_token": EXPIRED})
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_running_job_token_is_accepted_where_a_finished_one_is_not(api: httpx.Client) -> None:
    assert call(api, PUBLIC, READS["list_releases"], JOB).status_code == 200
    assert call(api, PUBLIC, WRITES["create_release"], JOB).status_code == 201
    assert call(api, PUBLIC, READS["list_releases"], FINISHED_JOB).status_code == 401


@pytest.mark.parametrize("project", [PUBLIC, PRIVATE])
@pytest.mark.parametrize("name", list(READS))
def test_read_api_token_reads(api: httpx.Client, project: int, name: str) -> None:
    assert call(api, project, READS[name], READ_ONLY).status_code == READS[name].success


@pytest.mark.parametrize("project", [PUBLIC, PRIVATE])
@pytest.mark.parametrize("name", list(WRITES))
def test_read_api_token_cannot_write(api: httpx.Client, project: int, name: str) -> None:
    """The token's user is a developer, so only the token's scope stands in the way."""
    before = [call(api, project, READS[read], DEVELOPER).json() for read in ("list_releases", "list_links")]
    response = call(api, project, WRITES[name], READ_ONLY)
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "insufficient_scope"
    assert body["error_description"] == "The request requires higher privileges than provided by the access token."
    assert "api" in body["scope"].split()
    assert [call(api, project, READS[read], DEVELOPER).json() for read in ("list_releases", "list_links")] == before


@pytest.mark.parametrize(
    ("project", "role", "can_update"),
    [
        pytest.param(PUBLIC, "anonymous", False, id="public-anonymous"),
        pytest.param(PUBLIC, "outsider", False, id="public-outsider"),
        pytest.param(PUBLIC, "guest", False, id="public-guest"),
        pytest.param(PUBLIC, "reporter", False, id="public-reporter"),
        pytest.param(PUBLIC, "developer", True, id="public-developer"),
        pytest.param(PUBLIC, "maintainer", True, id="public-maintainer"),
        pytest.param(PRIVATE, "reporter", False, id="private-reporter"),
        pytest.param(PRIVATE, "developer", True, id="private-developer"),
    ],
)
def test_edit_url_only_for_those_who_can_update(api: httpx.Client, project: int, role: str, can_update: bool) -> None:
    one = call(api, project, READS["get_release"], TOKENS[role]).json()
    listed = call(api, project, READS["list_releases"], TOKENS[role]).json()
    tag = TARGETS[project]["tag"]
    for release in (one, *listed):
        assert ("edit_url" in release["_links"]) is can_update
        assert "self" in release["_links"]
    if can_update:
        assert one["_links"]["edit_url"] == one["_links"]["self"] + "/edit"
        assert one["_links"]["edit_url"].endswith(f"/-/releases/{tag}/edit")


def test_guest_list_on_private_project_has_no_edit_url(api: httpx.Client) -> None:
    for release in call(api, PRIVATE, READS["list_releases"], GUEST).json():
        assert "edit_url" not in release["_links"]


def test_a_job_token_has_its_users_rights_only_in_its_own_project(server) -> None:
    # glcbt-job-... belongs to dev (developer of group 9) but to a job of project 24.
    with httpx.Client(base_url=f"{server.url}/api/v4", headers={"JOB-TOKEN": "glcbt-job-00000000000000001"}) as ci:
        assert ci.get("/projects/25/releases").json() == {"message": "404 Project Not Found"}
        assert ci.post("/projects/26/releases", json={"tag_name": "v2.0.0"}).status_code == 403
        assert ci.get("/projects/24/releases").status_code == 200
