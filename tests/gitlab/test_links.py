"""Release asset links over HTTP: listing, creating, updating and deleting, and the model's rules (§A.6)."""

from __future__ import annotations

import typing as t

import httpx
import pytest

from tests.conftest import REPORTER

LINKS = "/projects/24/releases/{tag}/assets/links"
V02 = LINKS.format(tag="v0.2")
"""Release v0.2 of project 24 has links 1 (``awesome-v0.2.dmg``) and 2 (``awesome-v0.2.msi``), no paths."""
V01 = LINKS.format(tag="v0.1")
"""Release v0.1 has link 3, with direct asset path ``/bin/asset.exe``."""
NOT_FOUND = {"message": "404 Not found"}
AT_LEAST_ONE = {"error": "name, url are missing, at least one parameter must be provided"}
BLOCKED = "Url is blocked: Only allowed schemes are http, https, ftp"


def listed(gitlab: httpx.Client, path: str = V02) -> list[dict[str, t.Any]]:
    response = gitlab.get(path, params={"per_page": 100})
    assert response.status_code == 200
    return t.cast(list, response.json())


def candidate(**fields: str) -> dict[str, str]:
    """A link body that breaks no rule, unless ``fields`` make it."""
    return {"name": "x", "url": "https://e.com/x", **fields}


def test_list_is_newest_first(gitlab: httpx.Client) -> None:
    assert [link["id"] for link in listed(gitlab)] == [2, 1]
    first = gitlab.post(V02, json={"name": "first", "url": "https://e.com/first"}).json()
    second = gitlab.post(V02, json={"name": "second", "url": "https://e.com/second"}).json()
    assert [link["id"] for link in listed(gitlab)] == [second["id"], first["id"], 2, 1]


@pytest.mark.parametrize(
    "tag", [pytest.param("nope", id="no-such-tag"), pytest.param("v0.3", id="tag-without-release")]
)
@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        pytest.param("GET", "", None, id="list"),
        pytest.param("POST", "", {"name": "n", "url": "https://e.com/n"}, id="create"),
        pytest.param("GET", "/1", None, id="get"),
        pytest.param("PUT", "/1", {"name": "n"}, id="update"),
        pytest.param("DELETE", "/1", None, id="delete"),
    ],
)
def test_missing_release_is_404_not_found(
    gitlab: httpx.Client, tag: str, method: str, suffix: str, body: t.Any
) -> None:
    response = gitlab.request(method, LINKS.format(tag=tag) + suffix, json=body)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize(
    "path", [pytest.param(V02 + "/999", id="no-such-link"), pytest.param(V01 + "/1", id="link-of-another-release")]
)
def test_missing_link_is_404_not_found(gitlab: httpx.Client, path: str) -> None:
    for method, body in (("GET", None), ("PUT", {"name": "n"}), ("DELETE", None)):
        response = gitlab.request(method, path, json=body)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_get_one_link(gitlab: httpx.Client) -> None:
    response = gitlab.get(V02 + "/1")
    assert response.status_code == 200
    assert response.json() == {
        "id": 1,
        "name": "awesome-v0.2.dmg",
        "url": "http://192.168.10.15:3000",
        "direct_asset_url": "http://192.168.10.15:3000",
        "link_type": "other",
    }


def test_create_is_201_with_defaults(gitlab: httpx.Client) -> None:
    response = gitlab.post(V02, json={"name": "linux", "url": "https://e.com/linux.tgz"})
    assert response.status_code == 201
    link = response.json()
    assert isinstance(link["id"], int)
    assert link == {
        "id": link["id"],
        "name": "linux",
        "url": "https://e.com/linux.tgz",
        "direct_asset_url": "https://e.com/linux.tgz",
        "link_type": "other",
    }
    assert gitlab.get(f"{V02}/{link['id']}").json() == link
    assert listed(gitlab)[0] == link
    assert link in gitlab.get("/projects/24/releases/v0.2").json()["assets"]["links"]


@pytest.mark.parametrize("path_key", ["direct_asset_path", "filepath"])
def test_create_with_a_path_gives_a_direct_asset_url(gitlab: httpx.Client, server: t.Any, path_key: str) -> None:
    body = {"name": "mac", "url": "https://e.com/mac.dmg", path_key: "/bin/mac.dmg", "link_type": "package"}
    link = gitlab.post(V02, json=body).json()
    assert link["link_type"] == "package"
    assert link["direct_asset_url"] == f"{server.url}/root/awesome-app/-/releases/v0.2/downloads/bin/mac.dmg"
    download = gitlab.get("/projects/24/releases/v0.2/downloads/bin/mac.dmg")
    assert (download.status_code, download.headers["location"]) == (302, "https://e.com/mac.dmg")


def test_ftp_urls_are_allowed(gitlab: httpx.Client) -> None:
    response = gitlab.post(V02, json={"name": "mirror", "url": "ftp://mirror.example.com/app.tgz"})
    assert response.status_code == 201


def test_filepath_of_128_characters_is_allowed(gitlab: httpx.Client) -> None:
    filepath = "/" + "a" * 127
    response = gitlab.post(V02, json=candidate(direct_asset_path=filepath))
    assert response.status_code == 201


INVALID_FORMAT = ["Filepath is in an invalid format"]


@pytest.mark.parametrize(
    ("path", "body", "messages"),
    [
        pytest.param(V02, candidate(name="awesome-v0.2.dmg"), ["Name has already been taken"], id="duplicate-name"),
        pytest.param(
            V02, candidate(url="http://192.168.10.15:3000"), ["Url has already been taken"], id="duplicate-url"
        ),
        pytest.param(
            V02,
            candidate(name="awesome-v0.2.dmg", url="http://192.168.10.15:3000"),
            ["Url has already been taken", "Name has already been taken"],
            id="duplicate-url-and-name",
        ),
        pytest.param(
            V01,
            candidate(direct_asset_path="/bin/asset.exe"),
            ["Filepath has already been taken"],
            id="duplicate-filepath",
        ),
        pytest.param(V02, candidate(url="javascript:alert(1)"), [BLOCKED], id="javascript-scheme"),
        pytest.param(V02, candidate(url="ssh://e.com/x"), [BLOCKED], id="ssh-scheme"),
        pytest.param(V02, candidate(url="file:///etc/passwd"), [BLOCKED], id="file-scheme"),
        pytest.param(V02, candidate(direct_asset_path="bin/x"), INVALID_FORMAT, id="no-leading-slash"),
        pytest.param(V02, candidate(direct_asset_path="/bin//x"), INVALID_FORMAT, id="double-slash"),
        pytest.param(V02, candidate(direct_asset_path="/bin/x-"), INVALID_FORMAT, id="ends-not-alphanumeric"),
        pytest.param(
            V02,
            candidate(direct_asset_path="/" + "a" * 128),
            ["Filepath is too long (maximum is 128 characters)"],
            id="filepath-too-long",
        ),
    ],
)
def test_create_breaking_a_model_rule_is_400_and_changes_nothing(
    gitlab: httpx.Client, path: str, body: dict, messages: list[str]
) -> None:
    before = listed(gitlab, path)
    response = gitlab.post(path, json=body)
    assert response.status_code == 400
    assert response.json() == {"message": messages}
    assert listed(gitlab, path) == before


@pytest.mark.parametrize("missing", ["name", "url"])
def test_create_without_a_required_field_is_400(gitlab: httpx.Client, missing: str) -> None:
    body = candidate()
    del body[missing]
    before = listed(gitlab)
    response = gitlab.post(V02, json=body)
    assert (response.status_code, response.json()) == (400, {"error": f"{missing} is missing"})
    assert listed(gitlab) == before


def test_update_is_200_and_keeps_other_fields(gitlab: httpx.Client) -> None:
    response = gitlab.put(V02 + "/1", json={"name": "awesome-v0.2-macos.dmg"})
    assert response.status_code == 200
    assert response.json() == {
        "id": 1,
        "name": "awesome-v0.2-macos.dmg",
        "url": "http://192.168.10.15:3000",
        "direct_asset_url": "http://192.168.10.15:3000",
        "link_type": "other",
    }
    assert gitlab.get(V02 + "/1").json() == response.json()


def test_update_url_and_path(gitlab: httpx.Client, server: t.Any) -> None:
    body = {"url": "https://e.com/new.dmg", "direct_asset_path": "/bin/new.dmg"}
    link = gitlab.put(V02 + "/1", json=body).json()
    assert link["name"] == "awesome-v0.2.dmg"
    assert link["url"] == "https://e.com/new.dmg"
    assert link["direct_asset_url"] == f"{server.url}/root/awesome-app/-/releases/v0.2/downloads/bin/new.dmg"


def test_update_may_keep_its_own_name_and_url(gitlab: httpx.Client) -> None:
    response = gitlab.put(V02 + "/1", json={"name": "awesome-v0.2.dmg", "url": "http://192.168.10.15:3000"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="empty"),
        pytest.param({"link_type": "image"}, id="link-type-only"),
        pytest.param({"direct_asset_path": "/bin/x"}, id="path-only"),
    ],
)
def test_update_needs_name_or_url(gitlab: httpx.Client, body: dict) -> None:
    before = listed(gitlab)
    response = gitlab.put(V02 + "/1", json=body)
    assert (response.status_code, response.json()) == (400, AT_LEAST_ONE)
    assert listed(gitlab) == before


@pytest.mark.parametrize(
    ("body", "messages"),
    [
        pytest.param({"name": "awesome-v0.2.msi"}, ["Name has already been taken"], id="name-of-another-link"),
        pytest.param(
            {"url": "http://192.168.10.15:3000/msi"}, ["Url has already been taken"], id="url-of-another-link"
        ),
        pytest.param({"url": "gopher://e.com/x"}, [BLOCKED], id="bad-scheme"),
        pytest.param({"name": "x", "direct_asset_path": "/x//y"}, ["Filepath is in an invalid format"], id="bad-path"),
    ],
)
def test_update_breaking_a_model_rule_is_400_and_changes_nothing(
    gitlab: httpx.Client, body: dict, messages: list[str]
) -> None:
    before = listed(gitlab)
    response = gitlab.put(V02 + "/1", json=body)
    assert response.status_code == 400
    assert response.json() == {"message": messages}
    assert listed(gitlab) == before


def test_delete_is_200_with_the_deleted_link_then_404(gitlab: httpx.Client) -> None:
    link = gitlab.get(V02 + "/2").json()
    response = gitlab.delete(V02 + "/2")
    assert response.status_code == 200
    assert response.json() == link
    assert [remaining["id"] for remaining in listed(gitlab)] == [1]
    for method in ("GET", "DELETE"):
        again = gitlab.request(method, V02 + "/2")
        assert (again.status_code, again.json()) == (404, NOT_FOUND)


def test_deleted_path_no_longer_downloads(gitlab: httpx.Client) -> None:
    assert gitlab.delete(V01 + "/3").status_code == 200
    response = gitlab.get("/projects/24/releases/v0.1/downloads/bin/asset.exe")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("POST", "/projects/24/releases/v0.3/assets/links", id="create"),
        pytest.param("PUT", "/projects/24/releases/v0.3/assets/links/1", id="update"),
        pytest.param("DELETE", "/projects/24/releases/v0.3/assets/links/1", id="delete"),
    ],
)
def test_link_write_on_missing_release_is_404_before_rights_are_checked(server, method: str, path: str) -> None:
    # GitLab's links API finds the release first, so even a reporter sees the 404.
    with httpx.Client(base_url=f"{server.url}/api/v4", headers={"PRIVATE-TOKEN": REPORTER}) as reporter:
        body = {"name": "x", "url": "https://example.com/x"} if method != "DELETE" else None
        response = reporter.request(method, path, json=body)
    assert (response.status_code, response.json()) == (404, {"message": "404 Not found"})
