"""Sentry's cursor pagination: per_page 1..100 (default 100) and a Link header with both directions.

Release lists use Sentry's offset paginator: a cursor is ``page size:page number:is_prev``, and
no ``X-Hits`` is sent, since nothing counts the list.
"""

from __future__ import annotations

import re

import httpx
import pytest

ORG = "/organizations/my-org/releases/"
LINK = re.compile(r'<([^>]*)>; rel="(previous|next)"; results="(true|false)"; cursor="([^"]*)"')


def links(response: httpx.Response) -> dict[str, tuple[str, str, str]]:
    return {rel: (url, results, cursor) for url, rel, results, cursor in LINK.findall(response.headers["link"])}


@pytest.fixture
def many(sentry: httpx.Client) -> list[str]:
    versions = [f"page-{number:03d}" for number in range(7)]
    for version in versions:
        assert sentry.post(ORG, json={"version": version, "projects": ["my-project"]}).status_code == 201
    return versions


def test_first_page_link_has_both_directions(sentry: httpx.Client, server) -> None:
    response = sentry.get(ORG)
    found = links(response)
    assert set(found) == {"previous", "next"}
    base = f"{server.url}/api/0/organizations/my-org/releases/?&cursor="
    assert found["previous"] == (f"{base}100:-1:1", "false", "100:-1:1")
    assert found["next"] == (f"{base}100:1:0", "false", "100:1:0")


@pytest.mark.parametrize("path", [ORG, "/projects/my-org/my-project/releases/"], ids=["organization", "project"])
def test_release_lists_send_page_cursors_and_no_hits(sentry: httpx.Client, many: list[str], path: str) -> None:
    first = sentry.get(path, params={"per_page": 2})
    assert "x-hits" not in first.headers and "x-max-hits" not in first.headers
    assert {rel: found[1:] for rel, found in links(first).items()} == {
        "previous": ("false", "2:-1:1"),
        "next": ("true", "2:1:0"),
    }
    second = sentry.get(path, params={"per_page": 2, "cursor": "2:1:0"})
    assert {rel: found[1:] for rel, found in links(second).items()} == {
        "previous": ("true", "2:0:1"),
        "next": ("true", "2:2:0"),
    }
    assert [release["version"] for release in second.json()] == list(reversed(many))[2:4]


def test_a_cursor_made_for_another_page_size_keeps_the_last_rows_it_reaches(
    sentry: httpx.Client, many: list[str]
) -> None:
    # Page 1 of size 3 is rows 3 to 6 (one more says a page follows); with per_page=2 Sentry keeps the last 3 of them.
    response = sentry.get(ORG, params={"per_page": 2, "query": "page-", "cursor": "3:1:0"})
    newest_first = list(reversed(many))
    assert [release["version"] for release in response.json()] == newest_first[4:6]
    assert links(response)["next"][1:] == ("true", "2:2:0")


@pytest.mark.parametrize("path", [ORG, "/projects/my-org/my-project/releases/"], ids=["organization", "project"])
def test_a_page_before_the_first_is_400(sentry: httpx.Client, path: str) -> None:
    response = sentry.get(path, params={"cursor": "100:-1:1"})
    assert (response.status_code, response.json()) == (400, {"detail": "Pagination offset cannot be negative"})


def test_a_negative_size_times_a_negative_page_is_a_page(sentry: httpx.Client, many: list[str]) -> None:
    # The page starts at size times number, which is positive here; the links count on from page -1.
    response = sentry.get(ORG, params={"per_page": 2, "query": "page-", "cursor": "-2:-1:0"})
    assert response.status_code == 200
    assert {rel: found[2] for rel, found in links(response).items()} == {"previous": "2:-2:1", "next": "2:0:0"}


def test_walking_next_returns_every_release_once_newest_first(sentry: httpx.Client, many: list[str]) -> None:
    seen: list[str] = []
    response = sentry.get(ORG, params={"per_page": 3, "query": "page-"})
    while True:
        seen += [release["version"] for release in response.json()]
        url, results, _cursor = links(response)["next"]
        if results == "false":
            break
        assert "per_page=3" in url and "query=page-" in url
        response = sentry.get(url)
    assert seen == list(reversed(many))


def test_previous_cursor_goes_back(sentry: httpx.Client, many: list[str]) -> None:
    second = sentry.get(ORG, params={"per_page": 3, "query": "page-", "cursor": "3:1:0"})
    previous_url, results, cursor = links(second)["previous"]
    assert (results, cursor) == ("true", "3:0:1")
    assert [r["version"] for r in sentry.get(previous_url).json()] == list(reversed(many))[:3]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        pytest.param({"per_page": "0"}, "Invalid per_page value. Must be between 1 and 100.", id="per-page-zero"),
        pytest.param({"per_page": "101"}, "Invalid per_page value. Must be between 1 and 100.", id="per-page-101"),
        pytest.param({"per_page": "ten"}, "Invalid per_page parameter.", id="per-page-text"),
        pytest.param({"cursor": "nope"}, "Invalid cursor parameter.", id="cursor-malformed"),
    ],
)
def test_bad_paging_values_are_400(sentry: httpx.Client, params: dict, detail: str) -> None:
    response = sentry.get(ORG, params=params)
    assert (response.status_code, response.json()) == (400, {"detail": detail})


def test_project_endpoint_lists_that_projects_releases(sentry: httpx.Client) -> None:
    response = sentry.get("/projects/my-org/my-project/releases/")
    assert response.status_code == 200
    assert [release["version"] for release in response.json()] == ["my-app@2.0.0+build.7", "frontend@1.0.0"]
    assert "link" in response.headers
    assert sentry.get("/projects/my-org/nope/releases/").status_code == 404


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("9" * 400 + ":0:0", id="value-past-float-range"),
        pytest.param("100:" + "9" * 4300 + ":0", id="offset-at-int-digit-limit"),
        pytest.param("100:" + "9" * 5000 + ":0", id="offset-past-int-digit-limit"),
    ],
)
def test_a_cursor_of_huge_numbers_is_read_not_a_500(sentry: httpx.Client, cursor: str) -> None:
    # float() made the value infinite; the next cursor's offset passed int()'s 4,300 digits.
    response = sentry.get(ORG, params={"cursor": cursor})
    assert response.status_code == 200
    if cursor.startswith("100:"):
        assert response.json() == []
        assert links(response)["next"][1] == "false"
