"""Listing a Project's releases: page_size, continuation tokens, and the documented order."""

from __future__ import annotations

import datetime as dt
import typing as t

import httpx
import pytest

from mockserver import MockApp
from mockserver.apis.chkk.state import ChkkState
from tests.chkk.conftest import (
    CERT_MANAGER,
    EMPTY,
    ISTIO,
    ISTIO_NEWEST_FIRST,
    SPEC,
    assert_problem,
    schema_problems,
)


def walk(http: httpx.Client, project: str, **params: t.Any) -> list[dict[str, t.Any]]:
    """Every page of a listing, following continuation tokens; asserts each page's shape."""
    pages: list[dict[str, t.Any]] = []
    while True:
        response = http.get(f"/projects/{project}/releases/", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert schema_problems(page, "ProjectReleaseList") == []
        pages.append(page)
        if "continuation_token" not in page:
            return pages
        assert len(pages) < 50, "the walk does not end"
        params = {**params, "continuation_token": page["continuation_token"]}


def versions(pages: list[dict[str, t.Any]]) -> list[str]:
    return [release["version"] for page in pages for release in page["data"]]


@pytest.mark.parametrize("page_size", [1, 2, 3, 7, 8, 9, 1000])
def test_walk_returns_every_release_once_newest_first(chkk: httpx.Client, page_size: int) -> None:
    pages = walk(chkk, ISTIO, page_size=page_size)
    assert versions(pages) == ISTIO_NEWEST_FIRST
    assert [len(page["data"]) for page in pages[:-1]] == [page_size] * (len(pages) - 1)
    assert 1 <= len(pages[-1]["data"]) <= page_size
    assert len(pages) == -(-len(ISTIO_NEWEST_FIRST) // page_size)


def test_order_is_created_on_descending_then_version_descending(chkk: httpx.Client) -> None:
    (page,) = walk(chkk, ISTIO)
    keys = [(dt.datetime.fromisoformat(release["created_on"]), release["version"]) for release in page["data"]]
    assert keys == sorted(keys, reverse=True)
    # 1.6.1 and 1.6.1+eks.1 share a created_on instant; 1.5.10's is written with a +01:00 offset.
    assert page["data"][1]["created_on"] == page["data"][2]["created_on"]


def test_page_size_may_change_along_the_walk(chkk: httpx.Client) -> None:
    first = chkk.get(f"/projects/{ISTIO}/releases/", params={"page_size": 2}).json()
    rest = walk(chkk, ISTIO, page_size=5, continuation_token=first["continuation_token"])
    assert versions([first, *rest]) == ISTIO_NEWEST_FIRST


def test_token_absent_on_the_last_page(chkk: httpx.Client) -> None:
    last = chkk.get(f"/projects/{CERT_MANAGER}/releases/", params={"page_size": 3}).json()
    assert list(last) == ["data"]
    assert len(last["data"]) == 3


def test_project_without_releases_is_one_empty_page(chkk: httpx.Client) -> None:
    assert chkk.get(f"/projects/{EMPTY}/releases/").json() == {"data": []}


def test_default_page_size_is_100(chkk: httpx.Client, app: MockApp) -> None:
    with app.store.use("chkk") as data:
        state = ChkkState(data)
        for number in range(150):
            state.put_release(
                {
                    "title": f"v0.0.{number}",
                    "published_on": None,
                    "project": EMPTY,
                    "release_series": "0.0",
                    "version": f"0.0.{number}",
                    "created_by": "test",
                    "created_on": f"2020-01-01T00:{number // 60:02d}:{number % 60:02d}Z",
                    "last_modified_by": "test",
                    "last_modified_on": "2020-01-01T00:00:00Z",
                }
            )
    first = chkk.get(f"/projects/{EMPTY}/releases/").json()
    assert len(first["data"]) == 100
    assert first["data"][0]["version"] == "0.0.149"
    second = chkk.get(f"/projects/{EMPTY}/releases/", params={"continuation_token": first["continuation_token"]})
    assert [release["version"] for release in second.json()["data"]] == [f"0.0.{n}" for n in range(49, -1, -1)]
    assert "continuation_token" not in second.json()


@pytest.mark.parametrize(
    ("page_size", "message"),
    [
        pytest.param("1001", "1001 is greater than the maximum of 1000", id="1001"),
        pytest.param("0", "0 is less than the minimum of 1", id="0"),
        pytest.param("-5", "-5 is less than the minimum of 1", id="negative"),
    ],
)
def test_page_size_out_of_range_is_400(chkk: httpx.Client, page_size: str, message: str) -> None:
    response = chkk.get(f"/projects/{ISTIO}/releases/", params={"page_size": page_size})
    body = assert_problem(response, 400, title="Bad Request", detail="validation failed")
    assert body["errors"] == [{"message": message, "location": "query.page_size", "value": int(page_size)}]


@pytest.mark.parametrize("page_size", ["abc", "1.5", "", "1e3", "0x10"])
def test_page_size_not_an_integer_is_400(chkk: httpx.Client, page_size: str) -> None:
    body = assert_problem(chkk.get(f"/projects/{ISTIO}/releases/", params={"page_size": page_size}), 400)
    assert [(error["location"], error["value"]) for error in body["errors"]] == [("query.page_size", page_size)]


def tampered(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda token: "not-a-token", id="garbage"),
        pytest.param(tampered, id="last-character-changed"),
        pytest.param(lambda token: token + "==", id="padded"),
        pytest.param(lambda token: token + "AAAA", id="longer"),
        pytest.param(lambda token: "MTAwOmZmZmZmZmZmZmZmZmZmZmY", id="forged-offset"),
        pytest.param(lambda token: "ü", id="non-ascii"),
        pytest.param(lambda token: "", id="empty"),
    ],
)
def test_invalid_continuation_token_is_400(chkk: httpx.Client, make_token: t.Callable[[str], str]) -> None:
    issued = chkk.get(f"/projects/{ISTIO}/releases/", params={"page_size": 2}).json()["continuation_token"]
    bad = make_token(issued)
    response = chkk.get(f"/projects/{ISTIO}/releases/", params={"page_size": 2, "continuation_token": bad})
    body = assert_problem(response, 400, title="Bad Request")
    assert [error["location"] for error in body["errors"]] == ["query.continuation_token"]


def test_a_token_only_works_for_the_project_that_issued_it(chkk: httpx.Client) -> None:
    issued = chkk.get(f"/projects/{ISTIO}/releases/", params={"page_size": 1}).json()["continuation_token"]
    response = chkk.get(f"/projects/{CERT_MANAGER}/releases/", params={"continuation_token": issued})
    body = assert_problem(response, 400)
    assert body["errors"] == [
        {
            "message": "not a continuation token issued for this listing",
            "location": "query.continuation_token",
            "value": issued,
        }
    ]


def test_the_specs_example_is_a_real_page(chkk: httpx.Client) -> None:
    ok = SPEC["paths"]["/projects/{project}/releases/"]["get"]["responses"]["200"]
    # The fifth and sixth releases: a page of two after a page of four.
    second = chkk.get(f"/projects/{ISTIO}/releases/", params={"page_size": 4}).json()
    third = chkk.get(
        f"/projects/{ISTIO}/releases/", params={"page_size": 2, "continuation_token": second["continuation_token"]}
    )
    assert third.json() == ok["content"]["application/json"]["example"]
