"""Bad input over HTTP: every rejection a problem document in Chkk's shape, never a 500, the store untouched."""

from __future__ import annotations

import typing as t

import httpx
import pytest

from mockserver import MockApp
from tests.chkk.conftest import ISTIO, assert_problem


def world(app: MockApp) -> dict[str, t.Any]:
    return app.store.dump("chkk")


REQUESTS = [
    pytest.param("GET", f"/projects/{ISTIO}/releases/?page_size=1001", 400, id="page-size-too-big"),
    pytest.param("GET", f"/projects/{ISTIO}/releases/?page_size=%00", 400, id="page-size-nul"),
    pytest.param("GET", f"/projects/{ISTIO}/releases/?page_size=99999999999999999999999", 400, id="page-size-huge"),
    pytest.param("GET", f"/projects/{ISTIO}/releases/?continuation_token=%FF%FE", 400, id="token-not-utf8"),
    pytest.param("GET", f"/projects/{ISTIO}/releases/?continuation_token=%00", 400, id="token-nul"),
    pytest.param("GET", f"/projects/{ISTIO}/releases/%00/", 404, id="release-nul"),
    pytest.param("GET", f"/projects/{ISTIO}/releases/%0A/", 404, id="release-newline"),
    pytest.param("GET", f"/projects/{ISTIO}/releases/%FF/", 404, id="release-not-utf8"),
    pytest.param("GET", f"/projects/{ISTIO}/releases/%25/", 404, id="release-percent"),
    pytest.param("GET", f"/projects/{ISTIO}/releases/{'9' * 5000}/", 404, id="release-long"),
    pytest.param("GET", f"/projects/{ISTIO}/releases/@/", 404, id="release-at-sign-only"),
    pytest.param("GET", "/projects/proj_%F0%9F%92%A5/releases/", 404, id="project-emoji"),
    pytest.param("GET", "/projects//releases/", 404, id="project-empty"),
    pytest.param("GET", f"/projects/{ISTIO}/", 404, id="no-such-route"),
    pytest.param("GET", "/", 404, id="mount-root"),
    pytest.param("POST", f"/projects/{ISTIO}/releases/", 405, id="post-list"),
    pytest.param("DELETE", f"/projects/{ISTIO}/releases/1.5.12/", 405, id="delete-release"),
    pytest.param("PUT", f"/projects/{ISTIO}/releases/1.5.12/", 405, id="put-release"),
    pytest.param("PATCH", f"/projects/{ISTIO}/releases/1.5.12/", 405, id="patch-release"),
]


@pytest.mark.parametrize(("method", "path", "status"), REQUESTS)
def test_rejection_is_a_problem_document_and_changes_nothing(
    chkk: httpx.Client, app: MockApp, method: str, path: str, status: int
) -> None:
    before = world(app)
    response = chkk.request(method, path, content=b'{"version": "6.6.6"}', headers={"content-type": "application/json"})
    assert_problem(response, status)
    assert "Traceback" not in response.text
    assert world(app) == before


def test_405_lists_the_allowed_methods(chkk: httpx.Client) -> None:
    response = chkk.delete(f"/projects/{ISTIO}/releases/1.5.12/")
    assert_problem(response, 405, title="Method Not Allowed")
    assert response.headers["allow"] == "GET, HEAD"


def test_head_answers_like_get_without_a_body(chkk: httpx.Client) -> None:
    response = chkk.head(f"/projects/{ISTIO}/releases/1.5.12/")
    assert (response.status_code, response.content) == (200, b"")


def test_unknown_query_parameters_are_ignored(chkk: httpx.Client) -> None:
    response = chkk.get(f"/projects/{ISTIO}/releases/", params={"page_size": 1, "sort": "nonsense"})
    assert response.status_code == 200
    assert len(response.json()["data"]) == 1
