"""Getting one ProjectRelease over HTTP: by version or full identifier, in any encoding, and the 404s."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from tests.chkk.conftest import CERT_MANAGER, ISTIO, ODD_VERSION, SPEC, UNKNOWN, assert_problem, schema_problems

SEED_EXAMPLE = {
    "title": "v1.5.12",
    "published_on": "2024-03-02",
    "project": ISTIO,
    "release_series": "1.5",
    "version": "1.5.12",
    "description": "Fixes a leak in the sidecar injector and updates the bundled CRDs.",
    "created_by": "catalog-bot@chkk.io",
    "created_on": "2024-03-03T09:30:00Z",
    "last_modified_by": "curator@chkk.io",
    "last_modified_on": "2024-04-01T12:00:00Z",
}


def test_get_by_version(chkk: httpx.Client) -> None:
    response = chkk.get(f"/projects/{ISTIO}/releases/1.5.12/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == SEED_EXAMPLE
    assert schema_problems(response.json(), "ProjectRelease") == []


@pytest.mark.parametrize(
    "release",
    [
        pytest.param(f"{ISTIO}@1.5.12", id="at-sign-raw"),
        pytest.param(f"{ISTIO}%401.5.12", id="at-sign-as-%40"),
    ],
)
def test_get_by_full_identifier(chkk: httpx.Client, release: str) -> None:
    response = chkk.get(f"/projects/{ISTIO}/releases/{release}/")
    assert response.status_code == 200
    assert response.json() == SEED_EXAMPLE


def test_the_same_version_in_another_project_is_another_release(chkk: httpx.Client) -> None:
    other = chkk.get(f"/projects/{CERT_MANAGER}/releases/1.5.12/").json()
    assert (other["project"], other["published_on"]) == (CERT_MANAGER, "2021-08-10")


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(quote(ODD_VERSION, safe=""), id="all-escaped"),
        pytest.param(quote(ODD_VERSION, safe="@"), id="at-sign-raw"),
        pytest.param(quote(f"{ISTIO}@{ODD_VERSION}", safe=""), id="full-identifier-escaped"),
        pytest.param(quote(f"{ISTIO}@{ODD_VERSION}", safe="@"), id="full-identifier-at-signs-raw"),
    ],
)
def test_version_with_plus_at_space_and_unicode_round_trips(chkk: httpx.Client, encoded: str) -> None:
    assert "%2B" in encoded and "%20" in encoded and "%C3%BC" in encoded
    response = chkk.get(f"/projects/{ISTIO}/releases/{encoded}/")
    assert response.status_code == 200, response.text
    assert response.json()["version"] == ODD_VERSION


def test_plus_is_not_a_space_in_a_path(chkk: httpx.Client) -> None:
    # "%2B" is "+", and a raw "+" in a path is "+" too (only query strings read it as a space).
    raw_plus = chkk.get(f"/projects/{ISTIO}/releases/1.6.1+eks.1/")
    assert raw_plus.json()["version"] == "1.6.1+eks.1"
    assert chkk.get(f"/projects/{ISTIO}/releases/1.6.1%2Beks.1/").json() == raw_plus.json()
    assert_problem(chkk.get(f"/projects/{ISTIO}/releases/1.6.1%20eks.1/"), 404)


def test_without_the_trailing_slash_the_client_is_redirected_to_it(chkk: httpx.Client) -> None:
    response = chkk.get(f"/projects/{ISTIO}/releases/1.6.1%2Beks.1")
    assert response.status_code == 307
    assert response.headers["location"].endswith(f"/chkk/projects/{ISTIO}/releases/1.6.1+eks.1/")
    followed = chkk.get(f"/projects/{ISTIO}/releases/1.6.1%2Beks.1", follow_redirects=True)
    assert followed.json()["version"] == "1.6.1+eks.1"


@pytest.mark.parametrize(
    "release",
    [
        pytest.param("9.9.9", id="unknown-version"),
        pytest.param("1.5.12 ", id="trailing-space"),
        pytest.param("V1.5.12", id="case-matters"),
        pytest.param(f"{ISTIO}@9.9.9", id="full-identifier-unknown-version"),
        pytest.param(f"{ISTIO}@", id="full-identifier-empty-version"),
        pytest.param("release%2F1.5.12", id="slash-as-%2F"),
    ],
)
def test_unknown_release_is_404(chkk: httpx.Client, release: str) -> None:
    body = assert_problem(chkk.get(f"/projects/{ISTIO}/releases/{release}/"), 404, title="Not Found")
    assert "errors" not in body


def test_full_identifier_of_another_project_is_404_even_if_that_release_exists(chkk: httpx.Client) -> None:
    assert chkk.get(f"/projects/{CERT_MANAGER}/releases/{CERT_MANAGER}@1.5.12/").status_code == 200
    assert_problem(chkk.get(f"/projects/{ISTIO}/releases/{CERT_MANAGER}@1.5.12/"), 404)
    assert_problem(chkk.get(f"/projects/{ISTIO}/releases/{CERT_MANAGER}%401.5.12/"), 404)


def test_unknown_project_is_404(chkk: httpx.Client) -> None:
    detail = f"Project {UNKNOWN} not found or out of scope."
    assert_problem(chkk.get(f"/projects/{UNKNOWN}/releases/1.5.12/"), 404, detail=detail)
    assert_problem(chkk.get(f"/projects/{UNKNOWN}/releases/"), 404, detail=detail)


def test_the_specs_example_is_what_the_mock_answers(chkk: httpx.Client) -> None:
    ok = SPEC["paths"]["/projects/{project}/releases/{release}/"]["get"]["responses"]["200"]
    assert chkk.get(f"/projects/{ISTIO}/releases/1.5.12/").json() == ok["content"]["application/json"]["example"]
