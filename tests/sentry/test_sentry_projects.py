"""Sentry's organization project list over HTTP: fields, order, ``query`` search, paging, errors."""

from __future__ import annotations

import httpx
import pytest

from tests.sentry.conftest import ADMIN, CI, OTHER_ORG, SCOPED

PROJECTS = "/organizations/my-org/projects/"


def slugs(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [project["slug"] for project in response.json()]


def test_lists_visible_projects_by_slug_with_the_summary_fields(sentry: httpx.Client) -> None:
    response = sentry.get(PROJECTS)
    assert slugs(response) == ["mobile", "my-project", "sentry"]
    mine = response.json()[1]
    assert (mine["id"], mine["name"], mine["platform"], mine["platforms"]) == (
        "2",
        "My Project",
        "javascript",
        ["javascript"],
    )
    assert mine["latestRelease"] == {"version": "my-app@2.0.0+build.7"}
    assert mine["features"] == ["releases"] and mine["teams"] == [] and "team" not in mine
    assert mine["access"] == ["org:read", "project:read", "project:releases"]
    assert response.json()[0]["hasSessions"] is True
    assert 'rel="next"; results="false"; cursor="100:1:0"' in response.headers["link"]
    assert "x-hits" not in response.headers


def test_latest_release_is_the_most_recently_released(sentry: httpx.Client) -> None:
    sentry.put("/organizations/my-org/releases/frontend@1.0.0/", json={"dateReleased": "2099-01-01T00:00:00Z"})
    project = next(p for p in sentry.get(PROJECTS).json() if p["slug"] == "my-project")
    assert project["latestRelease"] == {"version": "frontend@1.0.0"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("MY", ["my-project"], id="word-in-slug-any-case"),
        pytest.param("backend", ["sentry"], id="word-in-name"),
        pytest.param("my project", ["my-project"], id="words-joined-by-a-space"),
        pytest.param("slug:sentry slug:mobile", ["mobile", "sentry"], id="slugs"),
        pytest.param("id:2 id:03", ["mobile", "my-project"], id="ids"),
        pytest.param('slug:"mobile"', ["mobile"], id="quoted-value"),
        pytest.param("slug:mobile bile", ["mobile"], id="key-and-word"),
        pytest.param("team:backend", [], id="teams-none"),
        pytest.param("!team:backend", ["mobile", "my-project", "sentry"], id="not-team-keeps-all"),
        pytest.param("is_member:1", ["mobile", "my-project", "sentry"], id="member-of-visible"),
        pytest.param("colour:blue", [], id="unknown-key-matches-nothing"),
    ],
)
def test_query(sentry: httpx.Client, query: str, expected: list[str]) -> None:
    assert slugs(sentry.get(PROJECTS, params={"query": query})) == expected


@pytest.mark.parametrize(
    ("params", "body"),
    [
        pytest.param(
            {"query": "id:two"},
            {"error": {"params": {"stats_period": {"message": "All 'id' values must be integers."}}}},
            id="id-not-a-number",
        ),
        pytest.param(
            {"statsPeriod": "2d"},
            {
                "error": {
                    "params": {
                        "stats_period": {
                            "message": "Invalid stats_period. Valid choices are '', '1h', '24h', '7d', '14d', '30d',"
                            " and '90d'"
                        }
                    }
                }
            },
            id="stats-period",
        ),
        pytest.param(
            {"dataset": "spans"},
            {"detail": "dataset must be one of: , discover, metricsEnhanced, metrics"},
            id="dataset",
        ),
    ],
)
def test_bad_parameters_are_400_in_the_endpoints_shapes(sentry: httpx.Client, params: dict, body: dict) -> None:
    response = sentry.get(PROJECTS, params=params)
    assert (response.status_code, response.json()) == (400, body)


def test_pages_by_the_offset_paginator(sentry: httpx.Client) -> None:
    first = sentry.get(PROJECTS, params={"per_page": 2})
    assert slugs(first) == ["mobile", "my-project"]
    assert 'rel="next"; results="true"; cursor="2:1:0"' in first.headers["link"]
    second = sentry.get(PROJECTS, params={"per_page": 2, "cursor": "2:1:0"})
    assert slugs(second) == ["sentry"]
    assert 'rel="next"; results="false"' in second.headers["link"]


@pytest.mark.parametrize(
    ("token", "status", "expected"),
    [
        pytest.param(SCOPED, 403, None, id="no-org-scope"),
        pytest.param(CI, 403, None, id="org-ci-is-not-org-read"),
        pytest.param(OTHER_ORG, 403, None, id="not-a-member"),
        pytest.param(ADMIN, 403, None, id="release-scopes-are-not-org-read"),
    ],
)
def test_who_may_list(as_token, token: str, status: int, expected: None) -> None:
    # Sentry asks for org:read, org:write or org:admin here, whatever the token's release scopes.
    response = as_token(token).get(PROJECTS)
    assert (response.status_code, response.json()) == (
        status,
        {"detail": "You do not have permission to perform this action."},
    )
