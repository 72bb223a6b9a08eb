"""Bearer tokens: 401 without a usable one, and Projects outside a token's scope answer like missing ones."""

from __future__ import annotations

import httpx
import pytest

from mockserver.serving import BackgroundServer
from tests.chkk.conftest import ALL_PROJECTS, CERT_MANAGER, ISTIO, REVOKED, UNKNOWN, assert_problem

PATHS = [
    pytest.param(f"/projects/{ISTIO}/releases/1.5.12/", id="get"),
    pytest.param(f"/projects/{ISTIO}/releases/", id="list"),
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("Bearer", id="scheme-only"),
        pytest.param("Bearer chkk-no-such-token-0001", id="unknown"),
        pytest.param(f"Bearer {REVOKED}", id="revoked"),
        pytest.param(f"Basic {ALL_PROJECTS}", id="another-scheme"),
        pytest.param(ALL_PROJECTS, id="no-scheme"),
        pytest.param(f"Bearer {ALL_PROJECTS}x", id="one-character-more"),
    ],
)
def test_without_a_usable_token_every_call_is_401(
    server: BackgroundServer, path: str, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    with httpx.Client(base_url=f"{server.url}/chkk", headers=headers) as http:
        response = http.get(path)
    assert_problem(response, 401, title="Unauthorized", detail="A valid bearer token is required.")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_scheme_is_case_insensitive(server: BackgroundServer, scheme: str) -> None:
    with httpx.Client(base_url=f"{server.url}/chkk", headers={"Authorization": f"{scheme} {ALL_PROJECTS}"}) as http:
        assert http.get(f"/projects/{ISTIO}/releases/1.5.12/").status_code == 200


def test_a_401_comes_before_the_project_is_looked_up(no_token: httpx.Client) -> None:
    # Else the status would tell an anonymous caller which Projects exist.
    assert_problem(no_token.get(f"/projects/{UNKNOWN}/releases/"), 401)


@pytest.mark.parametrize("path", PATHS)
def test_a_project_outside_the_tokens_scope_is_404_like_an_unknown_one(scoped: httpx.Client, path: str) -> None:
    hidden = assert_problem(scoped.get(path), 404)
    unknown = assert_problem(scoped.get(path.replace(ISTIO, UNKNOWN)), 404)
    assert hidden["detail"] == f"Project {ISTIO} not found or out of scope."
    assert hidden["detail"].replace(ISTIO, UNKNOWN) == unknown["detail"]


def test_the_scoped_token_sees_its_project(scoped: httpx.Client) -> None:
    assert scoped.get(f"/projects/{CERT_MANAGER}/releases/1.14.5/").status_code == 200
    listing = scoped.get(f"/projects/{CERT_MANAGER}/releases/").json()
    assert [release["version"] for release in listing["data"]] == ["1.14.5", "1.14.4", "1.5.12"]


def test_the_scoped_token_cannot_reach_another_projects_release_by_full_identifier(scoped: httpx.Client) -> None:
    assert_problem(scoped.get(f"/projects/{CERT_MANAGER}/releases/{ISTIO}@1.5.12/"), 404)
