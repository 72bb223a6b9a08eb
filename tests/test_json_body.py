"""JSON bodies are the bytes ``json.dumps(ensure_ascii=False, separators=(",", ":"))`` gives, from orjson or not."""

from __future__ import annotations

import json
import typing as t

import httpx
import pytest

from mockserver.exchange import RenderedJson, json_array
from mockserver.json_body import dump_json
from mockserver.serving import BackgroundServer

CHKK_ISTIO = "proj_a858f4d4-6e5b-4ab5-8d92-e9715b584ec1"


def standard(body: t.Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def nested(depth: int) -> list[t.Any]:
    body: list[t.Any] = []
    for _ in range(depth):
        body = [body]
    return body


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"name": "Café ☕ 😀", "ß": "\u2028\u2029\x7f"}, id="unicode-kept"),
        pytest.param('quote " backslash \\ slash / <tag> & \n\t\r\b\f \x00 \x1f', id="escapes"),
        pytest.param({"a": [], "b": {}, "c": None, "d": True, "e": False, "f": ""}, id="empty-and-constants"),
        pytest.param([0, -1, 2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, -(2**63)], id="ints-within-64-bits"),
        pytest.param({"id": 2**64, "nested": [{"n": -(2**63) - 1}, 10**400]}, id="ints-beyond-64-bits"),
        pytest.param(
            [0.1, 1.5, -0.0, 99.5, 1 / 3, 1e16, 1e22, 123456789.123456789, 5e-324, 1.7976931348623157e308], id="floats"
        ),
        pytest.param({1: "int key", "x": {2.5: "float key", None: "null key", True: "bool key"}}, id="non-str-keys"),
        pytest.param(nested(400), id="deeper-than-orjson-goes"),
        pytest.param(("tuple", ["as", "array"]), id="tuple"),
        pytest.param({"z": 1, "a": 2, "m": {"k": 3, "b": 4}}, id="key-order-kept"),
    ],
)
def test_bytes_are_those_of_json_dumps(body: t.Any) -> None:
    assert dump_json(body) == standard(body)


# A value no API of ours sends; orjson writes the same number, spelled without the exponent's zero.
def test_a_tiny_float_is_the_same_number() -> None:
    assert json.loads(dump_json([1e-07])) == [1e-07]


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        pytest.param("/api/v4/projects/24/releases", {"PRIVATE-TOKEN": "glpat-maintainer-000000000001"}, id="gl-list"),
        pytest.param(
            "/api/v4/projects/24/releases/v0.1", {"PRIVATE-TOKEN": "glpat-maintainer-000000000001"}, id="gl-get"
        ),
        pytest.param(
            "/api/v4/projects/24/releases/nope", {"PRIVATE-TOKEN": "glpat-maintainer-000000000001"}, id="gl-404"
        ),
        pytest.param("/api/v4/projects/24/releases", {}, id="gl-anonymous"),
        pytest.param(
            "/api/0/organizations/my-org/releases/",
            {"Authorization": "Bearer sntrys-mock-admin-00000000000000001"},
            id="sentry-list",
        ),
        pytest.param(
            "/api/0/organizations/my-org/releases/control@abc123/",
            {"Authorization": "Bearer sntrys-mock-admin-00000000000000001"},
            id="sentry-get",
        ),
        pytest.param("/api/0/organizations/my-org/releases/", {}, id="sentry-401"),
        pytest.param(
            f"/chkk/projects/{CHKK_ISTIO}/releases/",
            {"Authorization": "Bearer chkk-all-projects-token-0001"},
            id="chkk-list",
        ),
        pytest.param(
            f"/chkk/projects/{CHKK_ISTIO}/releases/1.5.12/",
            {"Authorization": "Bearer chkk-all-projects-token-0001"},
            id="chkk-get",
        ),
        pytest.param(f"/chkk/projects/{CHKK_ISTIO}/releases/", {}, id="chkk-401"),
    ],
)
def test_the_fixture_world_is_sent_as_json_dumps_would(
    server: BackgroundServer, path: str, headers: dict[str, str]
) -> None:
    response = httpx.get(server.url + path, headers=headers, timeout=10)
    assert "json" in response.headers["content-type"]
    assert response.content == standard(response.json())


@pytest.mark.parametrize(
    "items",
    [
        pytest.param([], id="empty"),
        pytest.param([{"a": 1}], id="one"),
        pytest.param([{"name": "é", "n": 2**70}, [1, "x"], None, "text", 3], id="mixed-and-json-fallback"),
    ],
)
def test_a_list_joined_from_rendered_parts_is_the_list_rendered_whole(items: list[t.Any]) -> None:
    assert json_array([RenderedJson.of(item) for item in items]).content == dump_json(items) == standard(items)
