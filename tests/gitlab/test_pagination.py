"""Offset pagination over HTTP: page sizes, the X-* headers and the Link header GitLab sends (§A.9)."""

from __future__ import annotations

import re
import typing as t
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from mockserver.apis.gitlab.wire import MAX_COUNTED, page_headers
from mockserver.clock import Clock
from mockserver.exchange import Call
from mockserver.pagination import OffsetPage

RELEASES = "/projects/24/releases"
ADDED = 23
"""Project 24 starts with v0.1 and v0.2; the fixture below brings it to 25 releases."""

_LINK = re.compile(r'<([^>]*)>; rel="([^"]*)"')


def links_of(response: httpx.Response) -> list[tuple[str, str]]:
    """``(rel, url)`` pairs of the Link header, in the order sent."""
    return [(rel, url) for url, rel in _LINK.findall(response.headers["link"])]


def link(response: httpx.Response, rel: str) -> str | None:
    return dict(links_of(response)).get(rel)


def x_headers(response: httpx.Response) -> dict[str, str | None]:
    names = ("X-Page", "X-Per-Page", "X-Next-Page", "X-Prev-Page", "X-Total", "X-Total-Pages")
    return {name: response.headers.get(name) for name in names}


@pytest.fixture
def releases_25(gitlab: httpx.Client) -> list[str]:
    """25 releases on project 24, released on distinct days; their tags newest first."""
    for day in range(1, ADDED + 1):
        response = gitlab.post(
            RELEASES, json={"tag_name": f"p{day:02}", "ref": "main", "released_at": f"2020-01-{day:02}T00:00:00Z"}
        )
        assert response.status_code == 201
    return [f"p{day:02}" for day in range(ADDED, 0, -1)] + ["v0.2", "v0.1"]


def tags(response: httpx.Response) -> list[str]:
    return [release["tag_name"] for release in response.json()]


def walk(client: httpx.Client, url: str, **params: t.Any) -> tuple[list[t.Any], int]:
    """Every item, following ``rel="next"`` verbatim from the first page; and how many pages it took."""
    items: list[t.Any] = []
    response = client.get(url, params=params)
    pages = 1
    while True:
        assert response.status_code == 200
        items.extend(response.json())
        following = link(response, "next")
        if following is None:
            assert response.headers["X-Next-Page"] == ""
            return items, pages
        response = client.get(following)
        pages += 1


def test_default_page_is_20_newest_first(gitlab: httpx.Client, releases_25: list[str]) -> None:
    response = gitlab.get(RELEASES)
    assert tags(response) == releases_25[:20]
    assert x_headers(response) == {
        "X-Page": "1",
        "X-Per-Page": "20",
        "X-Next-Page": "2",
        "X-Prev-Page": "",
        "X-Total": "25",
        "X-Total-Pages": "2",
    }


def test_per_page_above_100_is_clamped_to_100(gitlab: httpx.Client, releases_25: list[str]) -> None:
    response = gitlab.get(RELEASES, params={"per_page": 500})
    assert response.status_code == 200
    assert response.headers["X-Per-Page"] == "100"
    assert tags(response) == releases_25
    assert response.headers["X-Total-Pages"] == "1"
    assert response.headers["X-Next-Page"] == ""


def test_middle_page_has_both_neighbours(gitlab: httpx.Client, releases_25: list[str]) -> None:
    response = gitlab.get(RELEASES, params={"per_page": 10, "page": 2})
    assert tags(response) == releases_25[10:20]
    assert x_headers(response) == {
        "X-Page": "2",
        "X-Per-Page": "10",
        "X-Next-Page": "3",
        "X-Prev-Page": "1",
        "X-Total": "25",
        "X-Total-Pages": "3",
    }


def test_last_page_has_no_next(gitlab: httpx.Client, releases_25: list[str]) -> None:
    response = gitlab.get(RELEASES, params={"per_page": 10, "page": 3})
    assert tags(response) == releases_25[20:]
    assert response.headers["X-Next-Page"] == ""
    assert response.headers["X-Prev-Page"] == "2"
    assert [rel for rel, _ in links_of(response)] == ["prev", "first", "last"]


def test_first_page_has_no_prev(gitlab: httpx.Client, releases_25: list[str]) -> None:
    response = gitlab.get(RELEASES, params={"per_page": 10})
    assert response.headers["X-Prev-Page"] == ""
    assert [rel for rel, _ in links_of(response)] == ["next", "first", "last"]


def test_link_header_is_absolute_on_the_host_the_client_used(gitlab: httpx.Client, releases_25: list[str]) -> None:
    query = {"order_by": "created_at", "sort": "asc", "per_page": 10, "page": 2}
    response = gitlab.get(RELEASES, params=query, headers={"Host": "gitlab.test:9999"})
    assert response.status_code == 200
    entries = links_of(response)
    assert [rel for rel, _ in entries] == ["prev", "next", "first", "last"]
    expected_pages = {"prev": "1", "next": "3", "first": "1", "last": "3"}
    for rel, url in entries:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc, parts.path) == ("http", "gitlab.test:9999", "/api/v4/projects/24/releases")
        pairs = parse_qsl(parts.query)
        keys = [key for key, _ in pairs]
        # Every current parameter, page and per_page included, re-serialized with sorted keys.
        assert keys == sorted(keys)
        assert len(keys) == len(set(keys))
        values = dict(pairs)
        assert values["order_by"] == "created_at"
        assert values["sort"] == "asc"
        assert values["per_page"] == "10"
        assert values["page"] == expected_pages[rel]


def test_following_next_walks_every_release_once_in_order(gitlab: httpx.Client, releases_25: list[str]) -> None:
    walked, pages = walk(gitlab, RELEASES, per_page=7)
    assert [release["tag_name"] for release in walked] == releases_25
    assert pages == 4


def test_following_next_keeps_order_by_and_sort(gitlab: httpx.Client, releases_25: list[str]) -> None:
    walked, _ = walk(gitlab, RELEASES, per_page=4, order_by="released_at", sort="asc")
    assert [release["tag_name"] for release in walked] == releases_25[::-1]


def test_page_past_the_end_is_empty(gitlab: httpx.Client, releases_25: list[str]) -> None:
    response = gitlab.get(RELEASES, params={"page": 9})
    assert response.status_code == 200
    assert response.json() == []
    # Kaminari gives no previous page when the page is out of range.
    assert x_headers(response) == {
        "X-Page": "9",
        "X-Per-Page": "20",
        "X-Next-Page": "",
        "X-Prev-Page": "",
        "X-Total": "25",
        "X-Total-Pages": "2",
    }
    assert [rel for rel, _ in links_of(response)] == ["first", "last"]
    assert dict(parse_qsl(urlsplit(link(response, "last") or "").query))["page"] == "2"


def test_asset_links_list_paginates(gitlab: httpx.Client) -> None:
    path = "/projects/24/releases/v0.2/assets/links"
    created = [
        gitlab.post(path, json={"name": f"extra-{n}", "url": f"https://e.com/extra-{n}"}).json()["id"] for n in range(3)
    ]
    first = gitlab.get(path, params={"per_page": 2})
    assert x_headers(first) == {
        "X-Page": "1",
        "X-Per-Page": "2",
        "X-Next-Page": "2",
        "X-Prev-Page": "",
        "X-Total": "5",
        "X-Total-Pages": "3",
    }
    walked, pages = walk(gitlab, path, per_page=2)
    assert pages == 3
    # Newest first: the three just created, then the fixture's links 2 and 1.
    assert [item["id"] for item in walked] == [*reversed(created), 2, 1]


def test_empty_list_has_one_page(gitlab: httpx.Client) -> None:
    response = gitlab.get("/projects/25/releases/release%2F2.0/assets/links")
    assert response.json() == []
    assert x_headers(response) == {
        "X-Page": "1",
        "X-Per-Page": "20",
        "X-Next-Page": "",
        "X-Prev-Page": "",
        "X-Total": "0",
        "X-Total-Pages": "1",
    }
    assert [rel for rel, _ in links_of(response)] == ["first", "last"]


def test_tags_list_paginates(gitlab: httpx.Client, releases_25: list[str]) -> None:
    # Three fixture tags plus one made by each created release.
    first = gitlab.get("/projects/24/repository/tags", params={"per_page": 5})
    assert first.headers["X-Total"] == "26"
    assert first.headers["X-Total-Pages"] == "6"
    assert len(first.json()) == 5
    walked, pages = walk(gitlab, "/projects/24/repository/tags", per_page=5)
    names = [tag["name"] for tag in walked]
    assert pages == 6
    assert sorted(names) == sorted({*releases_25, "v0.3"})


def fake_call(**params: t.Any) -> Call:
    return Call(
        params=params,
        body=None,
        headers={},
        query=[(key, str(value)) for key, value in params.items()],
        base_url="http://gitlab.test:9999",
        mount="/api/v4",
        path="/projects/24/releases",
        state=None,
        clock=Clock(),
    )


@pytest.mark.parametrize(
    ("total", "counted"),
    [
        pytest.param(MAX_COUNTED, True, id="10000-rows-counted"),
        pytest.param(MAX_COUNTED + 1, False, id="10001-rows-not-counted"),
    ],
)
def test_totals_and_last_are_left_out_above_10000_rows(total: int, counted: bool) -> None:
    assert MAX_COUNTED == 10_000
    headers = page_headers(fake_call(page=2, per_page=20), OffsetPage(page=2, per_page=20, total=total))
    assert headers["X-Page"] == "2"
    assert headers["X-Next-Page"] == "3"
    assert headers["X-Prev-Page"] == "1"
    rels = [rel for _, rel in _LINK.findall(headers["Link"])]
    if counted:
        assert headers["X-Total"] == "10000"
        assert headers["X-Total-Pages"] == "500"
        assert rels == ["prev", "next", "first", "last"]
    else:
        assert "X-Total" not in headers
        assert "X-Total-Pages" not in headers
        assert rels == ["prev", "next", "first"]
