"""GitLab's parameters as Grape reads them, over real HTTP.

One set of parameters per request: the query string and the body (a form, multipart or a JSON
object) merged, the body winning a key both carry and the path winning over both; Rack's nested
keys; dry-types' coercions; Grape's messages, every problem at once, joined with ", ";
Kaminari's reading of ``page`` and ``per_page``; the ``.json`` format suffix.
"""

from __future__ import annotations

import typing as t

import httpx
import pytest

from mockserver import MockApp
from mockserver.grape import FALSE_TEXTS, TRUE_TEXTS

FORM = {"content-type": "application/x-www-form-urlencoded"}


def world(app: MockApp) -> dict[str, t.Any]:
    return app.store.dump("gitlab")


def links_of(release: dict[str, t.Any]) -> list[tuple[str, str, str]]:
    return sorted((link["name"], link["url"], link["link_type"]) for link in release["assets"]["links"])


def milestone_titles(release: dict[str, t.Any]) -> list[str]:
    return sorted(milestone["title"] for milestone in release.get("milestones", []))


def assert_refused(response: httpx.Response, error: str) -> None:
    assert (response.status_code, response.json()) == (400, {"error": error})
    assert response.headers["content-type"] == "application/json"


# ---- the GitLab docs' examples, sent as curl sends them (on the fixtures' project 24) ------------------


def test_docs_create_tag_with_query_parameters(gitlab: httpx.Client) -> None:
    # curl --request POST --header "PRIVATE-TOKEN: <token>" ".../repository/tags?tag_name=test&ref=main"
    # curl sends neither a body nor a content type.
    response = gitlab.post("/projects/24/repository/tags?tag_name=test&ref=main")
    assert response.status_code == 201, response.text
    assert (response.json()["name"], response.json()["message"]) == ("test", None)
    assert gitlab.get("/projects/24/repository/tags/test").json() == response.json()


def test_docs_create_release_with_a_json_body(gitlab: httpx.Client) -> None:
    body = (
        b'{ "name": "New release", "tag_name": "v0.3", "ref": "main", "description": "Super nice release",'
        b' "milestones": ["v1.0", "v1.0-rc"], "assets": { "links": [{ "name": "hoge", "url": "https://google.com",'
        b' "direct_asset_path": "/binaries/linux-amd64", "link_type":"other" }] } }'
    )
    response = gitlab.post("/projects/24/releases", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 201, response.text
    stored = gitlab.get("/projects/24/releases/v0.3").json()
    assert (stored["name"], stored["description"]) == ("New release", "Super nice release")
    assert milestone_titles(stored) == ["v1.0", "v1.0-rc"]
    assert links_of(stored) == [("hoge", "https://google.com", "other")]


def test_docs_create_release_link_with_form_data(gitlab: httpx.Client) -> None:
    # curl --request POST --data name="hellodarwin-amd64" --data url="..." --data direct_asset_path="..."
    body = (
        b"name=hellodarwin-amd64&url=https://gitlab.example.com/mynamespace/hello/-/jobs/688/artifacts/raw/bin/"
        b"hello-darwin-amd64&direct_asset_path=/bin/hellodarwin-amd64"
    )
    response = gitlab.post("/projects/24/releases/v0.1/assets/links", content=body, headers=FORM)
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "hellodarwin-amd64"
    assert response.json()["direct_asset_url"].endswith("/-/releases/v0.1/downloads/bin/hellodarwin-amd64")


def test_docs_update_release_link_with_form_data(gitlab: httpx.Client) -> None:
    # curl --request PUT --data name="new name" --data link_type="runbook" .../assets/links/1
    response = gitlab.put(
        "/projects/24/releases/v0.2/assets/links/1", content=b"name=new name&link_type=runbook", headers=FORM
    )
    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["link_type"]) == ("new name", "runbook")


def test_docs_update_release_with_a_json_body(gitlab: httpx.Client) -> None:
    body = b'{"name": "new name", "milestones": ["v1.0"]}'
    response = gitlab.put("/projects/24/releases/v0.1", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert (response.json()["name"], milestone_titles(response.json())) == ("new name", ["v1.0"])


# ---- the query string carries a write's parameters -------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status", "read_back", "expected"),
    [
        pytest.param(
            "POST",
            "/projects/24/releases?tag_name=v0.3&ref=main&name=From%20the%20query",
            201,
            "/projects/24/releases/v0.3",
            {"name": "From the query"},
            id="create-release",
        ),
        pytest.param(
            "PUT",
            "/projects/24/releases/v0.1?description=Notes%20from%20the%20query",
            200,
            "/projects/24/releases/v0.1",
            {"description": "Notes from the query"},
            id="update-release",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases/v0.1/assets/links?name=notes&url=https://e.com/notes&link_type=runbook",
            201,
            None,
            {"name": "notes", "url": "https://e.com/notes", "link_type": "runbook"},
            id="create-link",
        ),
        pytest.param(
            "PUT",
            "/projects/24/releases/v0.2/assets/links/1?url=https://e.com/moved",
            200,
            "/projects/24/releases/v0.2/assets/links/1",
            {"url": "https://e.com/moved"},
            id="update-link",
        ),
        pytest.param(
            "POST",
            "/projects/24/repository/tags?tag_name=v9&ref=main&message=Annotated",
            201,
            "/projects/24/repository/tags/v9",
            {"name": "v9", "message": "Annotated"},
            id="create-annotated-tag",
        ),
    ],
)
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-content-type"),
        pytest.param({"content-type": "application/json"}, id="json-declared"),
        pytest.param(FORM, id="form-declared"),
    ],
)
def test_query_parameters_of_a_write_with_an_empty_body(
    gitlab: httpx.Client,
    method: str,
    path: str,
    status: int,
    read_back: str | None,
    expected: dict[str, str],
    headers: dict[str, str],
) -> None:
    response = gitlab.request(method, path, headers=headers)
    assert response.status_code == status, response.text
    stored = gitlab.get(read_back).json() if read_back else response.json()
    assert {key: stored[key] for key in expected} == expected


def test_the_json_body_wins_a_key_the_query_also_carries(gitlab: httpx.Client) -> None:
    response = gitlab.post(
        "/projects/24/releases?tag_name=v7&name=From%20the%20query&ref=main", json={"tag_name": "v8"}
    )
    assert response.status_code == 201, response.text
    # The body's tag_name; the query fills in what the body leaves out.
    assert (response.json()["tag_name"], response.json()["name"]) == ("v8", "From the query")
    assert gitlab.get("/projects/24/releases/v7").status_code == 404


def test_the_form_body_wins_a_key_the_query_also_carries(gitlab: httpx.Client) -> None:
    response = gitlab.post(
        "/projects/24/releases?tag_name=v7&name=From%20the%20query", content=b"tag_name=v8&ref=main", headers=FORM
    )
    assert response.status_code == 201, response.text
    assert (response.json()["tag_name"], response.json()["name"]) == ("v8", "From the query")


def test_the_path_wins_over_the_query_and_the_body(gitlab: httpx.Client) -> None:
    before = gitlab.get("/projects/24/releases/v0.2").json()
    response = gitlab.put("/projects/24/releases/v0.1?tag_name=v0.2", json={"name": "renamed", "tag_name": "v0.2"})
    assert response.status_code == 200, response.text
    assert response.json()["tag_name"] == "v0.1"
    assert gitlab.get("/projects/24/releases/v0.2").json() == before


def test_a_refused_query_parameter_of_a_write_changes_nothing(gitlab: httpx.Client, app: MockApp) -> None:
    before = world(app)
    assert_refused(gitlab.post("/projects/24/repository/tags?tag_name=v9"), "ref is missing")
    assert world(app) == before


def test_reads_are_not_given_write_fields(gitlab: httpx.Client) -> None:
    # Only a write's body fields come from the query: a read's own parameters stay its own.
    listed = gitlab.get("/projects/24/releases", params={"tag_name": "v0.1", "per_page": "1"})
    assert listed.status_code == 200
    assert len(listed.json()) == 1


# ---- form bodies: Rack's nested keys, multipart ---------------------------------------------------------


def test_a_form_carries_links_and_milestones_in_rack_keys(gitlab: httpx.Client) -> None:
    body = (
        b"tag_name=v0.3&ref=main"
        b"&assets[links][][name]=linux&assets[links][][url]=https://e.com/linux&assets[links][][link_type]=package"
        b"&assets[links][][name]=mac&assets[links][][url]=https://e.com/mac"
        b"&milestones[]=v1.0&milestones[]=v1.0-rc"
    )
    response = gitlab.post("/projects/24/releases", content=body, headers=FORM)
    assert response.status_code == 201, response.text
    stored = gitlab.get("/projects/24/releases/v0.3").json()
    assert links_of(stored) == [("linux", "https://e.com/linux", "package"), ("mac", "https://e.com/mac", "other")]
    assert milestone_titles(stored) == ["v1.0", "v1.0-rc"]


def test_percent_encoded_brackets_are_the_same_keys(gitlab: httpx.Client) -> None:
    body = (
        b"tag_name=v0.3&ref=main&assets%5Blinks%5D%5B%5D%5Bname%5D=a&assets%5Blinks%5D%5B%5D%5Burl%5D=https://e.com/a"
    )
    response = gitlab.post("/projects/24/releases", content=body, headers=FORM)
    assert response.status_code == 201, response.text
    assert links_of(response.json()) == [("a", "https://e.com/a", "other")]


def test_rack_keys_in_the_query_string(gitlab: httpx.Client) -> None:
    query = "tag_name=v0.3&ref=main&assets[links][][name]=a&assets[links][][url]=https://e.com/a&milestones[]=v1.0"
    response = gitlab.post(f"/projects/24/releases?{query}")
    assert response.status_code == 201, response.text
    assert links_of(response.json()) == [("a", "https://e.com/a", "other")]
    assert milestone_titles(response.json()) == ["v1.0"]


def test_a_comma_separated_text_is_a_list(gitlab: httpx.Client) -> None:
    response = gitlab.post(
        "/projects/24/releases", content=b"tag_name=v0.3&ref=main&milestones=v1.0,v1.0-rc", headers=FORM
    )
    assert response.status_code == 201, response.text
    assert milestone_titles(response.json()) == ["v1.0", "v1.0-rc"]


def test_a_repeated_plain_key_keeps_its_last_value(gitlab: httpx.Client) -> None:
    response = gitlab.put("/projects/24/releases/v0.1", content=b"name=first&name=last", headers=FORM)
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "last"


def test_a_multipart_form_is_read_like_any_form(gitlab: httpx.Client) -> None:
    fields = {
        "tag_name": "v0.3",
        "ref": "main",
        "assets[links][][name]": "a",
        "assets[links][][url]": "https://e.com/a",
    }
    response = gitlab.post("/projects/24/releases", files={"unused": ("x.txt", b"x")}, data=fields)
    assert response.headers.get("content-type") == "application/json"
    assert response.status_code == 201, response.text
    assert links_of(response.json()) == [("a", "https://e.com/a", "other")]


def test_a_nested_form_problem_is_named_as_grape_names_it(gitlab: httpx.Client, app: MockApp) -> None:
    before = world(app)
    response = gitlab.post(
        "/projects/24/releases", content=b"tag_name=v0.3&ref=main&assets[links][][name]=a", headers=FORM
    )
    assert_refused(response, "assets[links][0][url] is missing")
    assert world(app) == before


def test_a_key_that_is_both_a_value_and_a_hash_is_invalid(gitlab: httpx.Client) -> None:
    response = gitlab.post("/projects/24/releases", content=b"tag_name=v0.3&assets=x&assets[links][]=y", headers=FORM)
    assert_refused(response, "assets is invalid")


# ---- coercions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", sorted(TRUE_TEXTS))
def test_what_grape_reads_as_true(gitlab: httpx.Client, text: str) -> None:
    response = gitlab.get("/projects/24/releases/v0.1", params={"include_html_description": text})
    assert response.status_code == 200, response.text
    assert "description_html" in response.json()


@pytest.mark.parametrize("text", sorted(FALSE_TEXTS))
def test_what_grape_reads_as_false(gitlab: httpx.Client, text: str) -> None:
    response = gitlab.get("/projects/24/releases/v0.1", params={"include_html_description": text})
    assert response.status_code == 200, response.text
    assert "description_html" not in response.json()


@pytest.mark.parametrize("text", ["tRue", "2", "-1", "yes!", "nil", "null"])
def test_what_is_no_boolean(gitlab: httpx.Client, text: str) -> None:
    response = gitlab.get("/projects/24/releases/v0.1", params={"include_html_description": text})
    assert_refused(response, "include_html_description is invalid")


def test_a_boolean_in_a_form_body(gitlab: httpx.Client) -> None:
    accepted = gitlab.post(
        "/projects/24/releases", content=b"tag_name=v0.3&ref=main&legacy_catalog_publish=yes", headers=FORM
    )
    assert accepted.status_code == 201, accepted.text
    refused = gitlab.post(
        "/projects/24/releases", content=b"tag_name=v0.4&ref=main&legacy_catalog_publish=maybe", headers=FORM
    )
    assert_refused(refused, "legacy_catalog_publish is invalid")


@pytest.mark.parametrize(
    ("text", "per_page"),
    [
        pytest.param("1", "1", id="digits"),
        pytest.param("+1", "1", id="plus-sign"),
        pytest.param("0001", "1", id="zeros"),
    ],
)
def test_integers_in_base_ten(gitlab: httpx.Client, text: str, per_page: str) -> None:
    response = gitlab.get("/projects/24/releases", params={"per_page": text})
    assert response.status_code == 200, response.text
    assert response.headers["x-per-page"] == per_page


@pytest.mark.parametrize("text", ["1.0", "0x10", "one", "1e2"])
def test_what_is_no_integer(gitlab: httpx.Client, text: str) -> None:
    assert_refused(gitlab.get("/projects/24/releases", params={"per_page": text}), "per_page is invalid")


def test_a_date_that_does_not_parse_is_invalid(gitlab: httpx.Client) -> None:
    response = gitlab.post("/projects/24/releases", json={"tag_name": "v0.3", "ref": "main", "released_at": "soon"})
    assert_refused(response, "released_at is invalid")


# ---- Grape's messages, every problem at once -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "request_kwargs", "error"),
    [
        pytest.param(
            "POST", "/projects/24/repository/tags", {}, "tag_name is missing, ref is missing", id="two-missing"
        ),
        pytest.param(
            "GET",
            "/projects/24/releases?page=z&order_by=x&sort=y",
            {},
            "page is invalid, order_by does not have a valid value, sort does not have a valid value",
            id="three-query-problems",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"content": b"tag_name=v0.3&assets[links][][link_type]=zip", "headers": FORM},
            "assets[links][0][name] is missing, assets[links][0][url] is missing, "
            "assets[links][0][link_type] does not have a valid value",
            id="nested-problems",
        ),
        pytest.param(
            "GET", "/projects/24/releases?sort=up", {}, "sort does not have a valid value", id="not-in-the-values"
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"json": {"tag_name": "v0.3", "milestones": ["v1.0"], "milestone_ids": [52]}},
            "milestones, milestone_ids Cannot specify milestones and milestone_ids at the same time",
            id="mutually-exclusive",
        ),
        pytest.param(
            "PUT",
            "/projects/24/releases/v0.2/assets/links/1?link_type=runbook",
            {},
            "name, url are missing, at least one parameter must be provided",
            id="at-least-one-of",
        ),
        pytest.param(
            "GET", "/projects/24/releases?per_page=0", {}, "per_page has a value not allowed", id="except-values"
        ),
    ],
)
def test_grape_messages(
    gitlab: httpx.Client, app: MockApp, method: str, path: str, request_kwargs: dict, error: str
) -> None:
    before = world(app)
    assert_refused(gitlab.request(method, path, **request_kwargs), error)
    assert world(app) == before


# ---- page and per_page as Kaminari reads them ---------------------------------------------------------------


@pytest.mark.parametrize("page", ["0", "-1", "-999"])
def test_a_page_below_one_is_the_first(gitlab: httpx.Client, page: str) -> None:
    first = gitlab.get("/projects/24/releases", params={"per_page": "1"})
    response = gitlab.get("/projects/24/releases", params={"per_page": "1", "page": page})
    assert response.status_code == 200, response.text
    assert response.json() == first.json()
    assert (response.headers["x-page"], response.headers["x-prev-page"]) == ("1", "")


@pytest.mark.parametrize("per_page", ["-1", "-100"])
def test_a_negative_page_size_is_the_default(gitlab: httpx.Client, per_page: str) -> None:
    response = gitlab.get("/projects/24/releases", params={"per_page": per_page})
    assert response.status_code == 200, response.text
    assert response.headers["x-per-page"] == "20"


def test_a_page_size_above_a_hundred_is_a_hundred(gitlab: httpx.Client) -> None:
    assert gitlab.get("/projects/24/repository/tags", params={"per_page": "101"}).headers["x-per-page"] == "100"


# ---- the .json format suffix ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/projects/24/releases", id="list"),
        pytest.param("/projects/24/releases/v0.1", id="release"),
        pytest.param("/projects/24", id="project"),
        pytest.param("/user", id="user"),
        pytest.param("/projects/24/repository/tags/v0.1", id="tag"),
    ],
)
def test_a_json_suffix_is_the_same_route(gitlab: httpx.Client, path: str) -> None:
    plain = gitlab.get(path)
    suffixed = gitlab.get(f"{path}.json")
    assert (suffixed.status_code, suffixed.json()) == (plain.status_code, plain.json())
    assert plain.status_code == 200


def test_a_write_with_a_json_suffix(gitlab: httpx.Client) -> None:
    response = gitlab.post("/projects/24/repository/tags.json?tag_name=v9&ref=main")
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("suffix", [".xml", ".txt", ".JSON"])
def test_another_suffix_matches_no_route(gitlab: httpx.Client, suffix: str) -> None:
    response = gitlab.get(f"/projects/24/releases{suffix}")
    assert (response.status_code, response.json()) == (404, {"error": "404 Not Found"})


def test_a_path_taking_the_rest_of_the_path_keeps_its_suffix(gitlab: httpx.Client) -> None:
    created = gitlab.post(
        "/projects/24/releases/v0.1/assets/links",
        json={"name": "notes", "url": "https://e.com/notes.json", "direct_asset_path": "/docs/notes.json"},
    )
    assert created.status_code == 201, created.text
    download = gitlab.get("/projects/24/releases/v0.1/downloads/docs/notes.json", follow_redirects=False)
    assert (download.status_code, download.headers["location"]) == (302, "https://e.com/notes.json")
    latest = gitlab.get("/projects/24/releases/permalink/latest/assets/links.json", follow_redirects=False)
    assert latest.status_code == 302
    assert latest.headers["location"].endswith("/assets/links.json")


def test_an_empty_comma_separated_list_removes_every_milestone(gitlab: httpx.Client) -> None:
    assert milestone_titles(gitlab.get("/projects/24/releases/v0.2").json()) != []
    response = gitlab.put("/projects/24/releases/v0.2", content=b"milestones=", headers=FORM)
    assert response.status_code == 200, response.text
    assert milestone_titles(response.json()) == []


@pytest.mark.parametrize(
    ("request_kwargs", "error"),
    [
        pytest.param({}, "file is missing", id="nothing"),
        pytest.param({"content": b"file=notes.txt", "headers": FORM}, "file is invalid", id="text-in-a-form"),
        pytest.param(
            {"data": {"file": "notes.txt"}, "files": {"other": ("x", b"x")}}, "file is invalid", id="text-part"
        ),
    ],
)
def test_a_file_parameter_takes_only_a_file(
    gitlab: httpx.Client, app: MockApp, request_kwargs: dict, error: str
) -> None:
    before = world(app)
    assert_refused(gitlab.post("/projects/24/uploads", **request_kwargs), error)
    assert world(app) == before


# ---- a JSON body's values coerced as Grape coerces every declared parameter ------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(5, "5", id="integer"),
        pytest.param(1.5, "1.5", id="float"),
        pytest.param(100.0, "100.0", id="whole-float"),
        pytest.param(1e16, "1.0e+16", id="float-with-exponent"),
        pytest.param(True, "true", id="true"),
        pytest.param(False, "false", id="false"),
    ],
)
def test_a_json_scalar_for_a_text_is_its_ruby_text(gitlab: httpx.Client, value: t.Any, text: str) -> None:
    response = gitlab.post("/projects/24/repository/tags", json={"tag_name": value, "ref": "main", "message": value})
    assert response.status_code == 201, response.text
    assert (response.json()["name"], response.json()["message"]) == (text, text)
    assert gitlab.get(f"/projects/24/repository/tags/{text}").status_code == 200


def test_json_numbers_in_a_release_its_links_and_milestones(gitlab: httpx.Client) -> None:
    created = gitlab.post("/projects/24/releases/v0.1/assets/links", json={"name": 7, "url": "https://e.com/7"})
    assert (created.status_code, created.json()["name"]) == (201, "7"), created.text
    updated = gitlab.put("/projects/24/releases/v0.2", json={"name": 2.5, "description": True})
    assert updated.status_code == 200, updated.text
    assert (updated.json()["name"], updated.json()["description"]) == ("2.5", "true")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        pytest.param({"tag_name": ["v9"], "ref": "main"}, "tag_name is invalid", id="list-for-a-text"),
        pytest.param({"tag_name": {"name": "v9"}, "ref": "main"}, "tag_name is invalid", id="hash-for-a-text"),
        pytest.param({"tag_name": "v9", "ref": "main", "message": [1]}, "message is invalid", id="list-for-a-message"),
    ],
)
def test_a_list_or_hash_for_a_text_is_invalid(gitlab: httpx.Client, app: MockApp, body: dict, error: str) -> None:
    before = world(app)
    assert_refused(gitlab.post("/projects/24/repository/tags", json=body), error)
    assert world(app) == before


@pytest.mark.parametrize("value", ["yes", "1", "t", 1, True])
def test_a_json_boolean_may_be_a_text_or_one(gitlab: httpx.Client, value: t.Any) -> None:
    body = {"tag_name": "v0.3", "ref": "main", "legacy_catalog_publish": value}
    assert gitlab.post("/projects/24/releases", json=body).status_code == 201


@pytest.mark.parametrize("value", ["maybe", "tRUE", 2, 0.5, [True]])
def test_what_is_no_boolean_in_json(gitlab: httpx.Client, app: MockApp, value: t.Any) -> None:
    before = world(app)
    body = {"tag_name": "v0.3", "ref": "main", "legacy_catalog_publish": value}
    assert_refused(gitlab.post("/projects/24/releases", json=body), "legacy_catalog_publish is invalid")
    assert world(app) == before


def test_a_json_text_for_a_list_of_links_is_invalid(gitlab: httpx.Client, app: MockApp) -> None:
    # A list of hashes takes no text: no comma-separated reading, as for a list of titles.
    before = world(app)
    body = {"tag_name": "v0.3", "ref": "main", "assets": {"links": "a,b"}}
    assert_refused(gitlab.post("/projects/24/releases", json=body), "assets[links] is invalid")
    assert world(app) == before


def test_a_json_text_for_milestones_is_comma_separated(gitlab: httpx.Client) -> None:
    response = gitlab.post(
        "/projects/24/releases", json={"tag_name": "v0.3", "ref": "main", "milestones": "v1.0,v1.0-rc"}
    )
    assert response.status_code == 201, response.text
    assert milestone_titles(response.json()) == ["v1.0", "v1.0-rc"]


# ---- Grape's DateTime: DateTime.parse's ISO forms ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        pytest.param("2019-03-15", "2019-03-15T00:00:00.000Z", id="date"),
        pytest.param("2019-03-15 08:30", "2019-03-15T08:30:00.000Z", id="space-minutes"),
        pytest.param("2019-03-15t08:30:05z", "2019-03-15T08:30:05.000Z", id="lower-case"),
        pytest.param("2019-03-15T08:30:05.123456789+02", "2019-03-15T06:30:05.123Z", id="fraction-hour-offset"),
        pytest.param("2019-03-15T08:30-0130", "2019-03-15T10:00:00.000Z", id="offset-without-colon"),
        pytest.param("2024-02-29T00:00Z", "2024-02-29T00:00:00.000Z", id="leap-day"),
    ],
)
def test_date_times_grape_reads(gitlab: httpx.Client, text: str, moment: str) -> None:
    response = gitlab.post("/projects/24/releases", json={"tag_name": "v0.3", "ref": "main", "released_at": text})
    assert response.status_code == 201, response.text
    assert response.json()["released_at"] == moment


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("2023-02-29", id="no-leap-day"),
        pytest.param("2019-04-31", id="day-31-of-april"),
        pytest.param("2019-13-01", id="month-13"),
        pytest.param("2019-03-15T25:00", id="hour-25"),
        pytest.param("soon", id="text"),
        pytest.param(1552636800, id="json-number"),
    ],
)
def test_what_is_no_date_time(gitlab: httpx.Client, app: MockApp, value: t.Any) -> None:
    before = world(app)
    body = {"tag_name": "v0.3", "ref": "main", "released_at": value}
    assert_refused(gitlab.post("/projects/24/releases", json=body), "released_at is invalid")
    assert_refused(
        gitlab.get("/projects/24/releases", params={"updated_before": str(value)}), "updated_before is invalid"
    )
    assert world(app) == before


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"updated_after": "2000-01-01"}, "all", id="after-a-date"),
        pytest.param({"updated_before": "2000-01-01"}, "none", id="before-a-date"),
        pytest.param({"updated_after": "0001-01-01T00:00+01:00"}, "all", id="after-the-first-year"),
        pytest.param({"updated_before": "9999-12-31 23:59-01:00"}, "all", id="before-the-last-year"),
    ],
)
def test_releases_updated_before_or_after_a_date(gitlab: httpx.Client, params: dict, expected: str) -> None:
    every = gitlab.get("/projects/24/releases").json()
    response = gitlab.get("/projects/24/releases", params=params)
    assert response.status_code == 200, response.text
    assert response.json() == (every if expected == "all" else [])
    assert every


def test_milestones_updated_after_a_date(gitlab: httpx.Client) -> None:
    every = gitlab.get("/projects/24/milestones").json()
    assert gitlab.get("/projects/24/milestones", params={"updated_after": "2000-01-01"}).json() == every
    assert_refused(
        gitlab.get("/projects/24/milestones", params={"updated_after": "2000-13-01"}), "updated_after is invalid"
    )


# ---- ?format= as Grape's formatter negotiates it -----------------------------------------------------------------


def not_acceptable(response: httpx.Response, requested: str) -> None:
    assert response.status_code == 406
    assert response.json() == {"error": f"The requested format '{requested}' is not supported."}
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("query", "requested"),
    [
        pytest.param("format=xml", "xml", id="xml"),
        pytest.param("format=JSON", "JSON", id="case-matters"),
        pytest.param("format=", "", id="empty"),
        pytest.param("format=json&format=txt", "txt", id="the-last-one"),
        pytest.param("format[]=xml", '["xml"]', id="a-list"),
        pytest.param("%66ormat=x%6Dl", "xml", id="percent-encoded"),
    ],
)
def test_a_format_other_than_json_is_not_acceptable(gitlab: httpx.Client, query: str, requested: str) -> None:
    not_acceptable(gitlab.get(f"/projects/24/releases?{query}"), requested)


def test_the_format_is_refused_before_anything_else(
    gitlab: httpx.Client, anonymous: httpx.Client, app: MockApp
) -> None:
    before = world(app)
    not_acceptable(gitlab.post("/projects/24/releases?format=xml", json={"tag_name": "v0.3", "ref": "main"}), "xml")
    not_acceptable(gitlab.post("/projects/24/repository/tags?format=xml&tag_name=v9&ref=main"), "xml")
    not_acceptable(anonymous.get("/projects/25/releases?format=xml&per_page=x"), "xml")
    not_acceptable(gitlab.get("/no/such/path?format=xml"), "xml")
    assert world(app) == before


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/projects/24/releases?format=json", id="json"),
        pytest.param("/projects/24/releases?format", id="without-a-value"),
        pytest.param("/projects/24/releases.json?format=xml", id="the-extension-first"),
        pytest.param("/projects/24/releases?formats=xml", id="another-name"),
    ],
)
def test_formats_that_are_served(gitlab: httpx.Client, path: str) -> None:
    response = gitlab.get(path)
    assert response.status_code == 200, response.text


def test_other_apis_take_no_format_parameter(http: httpx.Client) -> None:
    response = http.get("/api/0/organizations/acme/releases/?format=xml", headers={"Authorization": "Bearer x"})
    assert response.status_code != 406
