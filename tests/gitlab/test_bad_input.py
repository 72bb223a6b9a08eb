"""Bad input over HTTP: every rejection in GitLab's own shape, as JSON, never a 500, and the store untouched.

GitLab answers parameter checks with ``{"error": ...}`` and everything else with
``{"message": ...}`` (reference §A.7); neither is ever ``application/problem+json``.
"""

from __future__ import annotations

import typing as t

import httpx
import pytest

from mockserver import MockApp
from tests.conftest import JOB

JSON = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded"}
ONE_MIB = 1_048_576
OVER_DIGIT_LIMIT = "9" * 4400


def world(app: MockApp) -> dict[str, t.Any]:
    """All of GitLab's data in the store, as plain JSON: rows, counters and blobs."""
    return app.store.dump("gitlab")


def is_gitlab_error(response: httpx.Response) -> bool:
    """A 4xx as GitLab writes it: plain JSON, one ``error`` or ``message`` key, no stack trace."""
    if not 400 <= response.status_code < 500 or response.headers.get("content-type") != "application/json":
        return False
    payload = response.json()
    return (
        isinstance(payload, dict)
        and len(payload) == 1
        and set(payload) <= {"error", "message"}
        and "Traceback" not in response.text
    )


def assert_gitlab_error(response: httpx.Response, status: int, body: dict[str, t.Any]) -> None:
    assert (response.status_code, response.json()) == (status, body)
    assert is_gitlab_error(response), (response.headers.get("content-type"), response.text)


def nested(levels: int) -> bytes:
    """A create-release body whose JSON nests ``levels`` deep (the object itself is level 1)."""
    return b'{"tag_name":"v0.3","x":' + b"[" * (levels - 1) + b"]" * (levels - 1) + b"}"


# ---- writes: the exact answer, and nothing changed ----------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "request_kwargs", "status", "body"),
    [
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"content": b'{"tag_name": "v0.3",', "headers": JSON},
            400,
            {"error": "The request body is not valid JSON"},
            id="malformed-json",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"json": {"tag_name": ["v0.3"]}},
            400,
            {"error": "tag_name is invalid"},
            id="tag-name-list",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"json": {"tag_name": None}},
            400,
            {"error": "tag_name is invalid"},
            id="tag-name-null",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"json": {"tag_name": "v0.3", "assets": "x"}},
            400,
            {"error": "assets is invalid"},
            id="assets-string",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"json": {"tag_name": "v0.3", "assets": {"links": "x"}}},
            400,
            {"error": "assets[links] is invalid"},
            id="assets-links-string",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"json": {"tag_name": "v0.3", "assets": {"links": [{"name": "a"}]}}},
            400,
            {"error": "assets[links][0][url] is missing"},
            id="link-without-url",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {
                "json": {
                    "tag_name": "v0.3",
                    "assets": {"links": [{"name": "a", "url": "https://e.com/a", "link_type": "zip"}]},
                }
            },
            400,
            {"error": "assets[links][0][link_type] does not have a valid value"},
            id="link-type-unknown",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"json": {"name": "no tag"}},
            400,
            {"error": "tag_name is missing"},
            id="tag-name-missing",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"json": {"tag_name": "v0.3", "released_at": "soon"}},
            400,
            # Grape's DateTime coercion fails: "is invalid", not a value outside a list.
            {"error": "released_at is invalid"},
            id="released-at-not-a-date",
        ),
        pytest.param(
            "POST", "/projects/24/releases", {"json": [1]}, 400, {"error": "body is invalid"}, id="body-is-a-list"
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"content": b"null", "headers": JSON},
            400,
            {"error": "tag_name is missing"},
            id="body-is-null",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"content": b'{"tag_name": "v\xff\xfe"}', "headers": JSON},
            400,
            {"error": "The request body is not valid JSON"},
            id="invalid-utf8",
        ),
        pytest.param(
            # Before the fix this created the tag, then failed with 500 writing the answer.
            "POST",
            "/projects/24/releases",
            {"content": b'{"tag_name": "\\ud800", "ref": "main"}', "headers": JSON},
            400,
            {"error": "The request body is not valid JSON"},
            id="lone-surrogate-escape",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"content": b'{"tag_name": ' + b"9" * 5000 + b"}", "headers": JSON},
            400,
            {"error": "The request body is not valid JSON"},
            id="integer-of-5000-digits",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"content": nested(101), "headers": JSON},
            400,
            {"error": "The request body is not valid JSON"},
            id="nested-101-levels",
        ),
        pytest.param(
            # Around this depth only Connexion's second parse, deeper in the stack, ran out of recursion.
            "POST",
            "/projects/24/releases",
            {"content": nested(955), "headers": JSON},
            400,
            {"error": "The request body is not valid JSON"},
            id="nested-955-levels",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"content": nested(100_000), "headers": JSON},
            400,
            {"error": "The request body is not valid JSON"},
            id="nested-100000-levels",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"content": b"tag_name=v0.3", "headers": {"content-type": "text/plain"}},
            415,
            {"message": "415 Unsupported Media Type"},
            id="text-plain",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {"content": b'{"tag_name":"v0.3","description":"' + b"a" * ONE_MIB + b'"}', "headers": JSON},
            413,
            {"message": "413 Request Entity Too Large"},
            id="over-one-mib",
        ),
        pytest.param(
            "PUT",
            "/projects/24/releases/v0.1",
            {"json": {"name": {"text": "v1"}}},
            400,
            {"error": "name is invalid"},
            id="update-name-hash",
        ),
        pytest.param(
            "PUT",
            "/projects/24/releases/v0.1",
            {"content": b"name=%FF%FE", "headers": FORM},
            400,
            {"error": "The request body is not valid JSON"},
            id="update-form-percent-encoded-invalid-utf8",
        ),
        pytest.param(
            "PUT",
            "/projects/24/releases/v0.1",
            {"content": b"name=v\xff", "headers": FORM},
            400,
            {"error": "The request body is not valid JSON"},
            id="update-form-raw-invalid-utf8",
        ),
        pytest.param(
            "PUT",
            "/projects/24/releases/v0.1",
            {"content": b"&".join([b"name=a"] * 1001), "headers": FORM},
            413,
            {"message": "413 Request Entity Too Large"},
            id="update-form-1001-fields",
        ),
        pytest.param(
            "PUT",
            "/projects/24/releases/v0.1",
            {"content": b"name=" + b"a" * ONE_MIB, "headers": FORM},
            413,
            {"message": "413 Request Entity Too Large"},
            id="update-form-over-one-mib",
        ),
        pytest.param(
            "PUT",
            "/projects/24/releases/v0.1",
            {"json": "x"},
            400,
            {"error": "body is invalid"},
            id="update-body-string",
        ),
        pytest.param(
            "POST",
            "/projects/24/releases/v0.1/assets/links",
            {"json": {"name": "a"}},
            400,
            {"error": "url is missing"},
            id="link-create-no-url",
        ),
        pytest.param(
            "PUT",
            "/projects/24/releases/v0.2/assets/links/1",
            {"json": 5},
            400,
            {"error": "body is invalid"},
            id="link-update-integer-body",
        ),
        pytest.param(
            "POST",
            "/projects/24/repository/tags",
            {"json": {"tag_name": "v9"}},
            400,
            {"error": "ref is missing"},
            id="tag-create-no-ref",
        ),
        pytest.param(
            "DELETE",
            "/projects/24/releases/%FF%FE",
            {},
            403,
            {"message": "403 Forbidden"},
            id="delete-percent-encoded-invalid-utf8",
        ),
    ],
)
def test_rejected_write_answers_in_gitlab_shape_and_changes_nothing(
    gitlab: httpx.Client, app: MockApp, method: str, path: str, request_kwargs: dict, status: int, body: dict
) -> None:
    before = world(app)
    response = gitlab.request(method, path, **request_kwargs)
    assert_gitlab_error(response, status, body)
    assert world(app) == before


def test_hundred_levels_of_nesting_are_still_accepted(gitlab: httpx.Client) -> None:
    response = gitlab.post("/projects/24/releases", content=nested(100), headers=JSON)
    assert response.status_code == 201, response.text


def test_escaped_surrogate_pair_is_one_character(gitlab: httpx.Client) -> None:
    response = gitlab.post(
        "/projects/24/releases", content=b'{"tag_name": "v\\ud83d\\ude80", "ref": "main"}', headers=JSON
    )
    assert response.status_code == 201
    assert response.json()["tag_name"] == "v\N{ROCKET}"


def _body_operations(app: MockApp) -> dict[str, tuple[str, str]]:
    """operationId -> (method, concrete path) for every GitLab operation that takes a request body."""
    fill = {"{id}": "24", "{tag_name}": "v0.2", "{link_id}": "1"}
    spec = app.mounts["/api/v4"][1].raw
    found = {}
    for template, item in spec["paths"].items():
        path = template
        for placeholder, value in fill.items():
            path = path.replace(placeholder, value)
        for method, operation in item.items():
            if isinstance(operation, dict) and "requestBody" in operation:
                found[operation["operationId"]] = (method.upper(), path)
    return found


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        pytest.param(b'{"name": ', "application/json", id="malformed-json"),
        pytest.param(b'{"name": "\xff"}', "application/json", id="invalid-utf8"),
        pytest.param(
            b'{"name": "\\udfff", "tag_name": "\\udfff", "url": "\\udfff", "ref": "main"}',
            "application/json",
            id="lone-surrogate",
        ),
        pytest.param(b'{"name": ' + b"1" * 4500 + b"}", "application/json", id="huge-integer"),
        pytest.param(b"[" * 2000 + b"]" * 2000, "application/json", id="deep-nesting"),
        pytest.param(b"[]", "application/json", id="json-list"),
        pytest.param(b'"text"', "application/json", id="json-string"),
        pytest.param(b"null", "application/json", id="json-null"),
        pytest.param(b"", "application/json", id="empty"),
        pytest.param(b"name=x", "text/plain", id="text-plain"),
        pytest.param(b"name=x", "application/xml", id="xml"),
        pytest.param(b"name=\xff&url=\xff", "application/x-www-form-urlencoded", id="form-invalid-utf8"),
        pytest.param(b'{"name": "' + b"a" * ONE_MIB + b'"}', "application/json", id="over-one-mib"),
    ],
)
def test_no_operation_taking_a_body_fails_on_a_bad_one(
    gitlab: httpx.Client, app: MockApp, content: bytes, content_type: str
) -> None:
    operations = _body_operations(app)
    assert {"createRelease", "updateRelease", "createReleaseLink", "updateReleaseLink", "createRepositoryTag"} <= set(
        operations
    )
    before = world(app)
    wrong = {}
    for operation_id, (method, path) in operations.items():
        response = gitlab.request(method, path, content=content, headers={"content-type": content_type})
        if not is_gitlab_error(response):
            wrong[operation_id] = (response.status_code, response.headers.get("content-type"), response.text[:200])
    assert wrong == {}
    assert world(app) == before


# ---- reads: query and path parameters --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "status", "body"),
    [
        pytest.param(
            "/projects/24/releases",
            {"order_by": "foo"},
            400,
            {"error": "order_by does not have a valid value"},
            id="order-by-unknown",
        ),
        pytest.param(
            "/projects/24/releases",
            {"sort": "up"},
            400,
            {"error": "sort does not have a valid value"},
            id="sort-unknown",
        ),
        pytest.param(
            "/projects/24/repository/tags",
            {"order_by": "size"},
            400,
            {"error": "order_by does not have a valid value"},
            id="tags-order-by-unknown",
        ),
        # A page below 1 and a negative page size are served (tests/gitlab/test_grape_params.py).
        pytest.param(
            "/projects/24/releases",
            {"per_page": "0"},
            400,
            {"error": "per_page has a value not allowed"},
            id="per-page-zero",
        ),
        pytest.param(
            "/projects/24/releases", {"page": "two"}, 400, {"error": "page is invalid"}, id="page-not-a-number"
        ),
        pytest.param("/projects/24/releases", {"page": "1.5"}, 400, {"error": "page is invalid"}, id="page-fraction"),
        pytest.param(
            "/projects/24/releases", {"per_page": ""}, 400, {"error": "per_page is invalid"}, id="per-page-empty"
        ),
        pytest.param(
            "/projects/24/releases", {"page": "9" * 5000}, 400, {"error": "page is invalid"}, id="page-of-5000-digits"
        ),
        pytest.param(
            "/groups/9/releases",
            {"per_page": "many"},
            400,
            {"error": "per_page is invalid"},
            id="group-per-page-not-a-number",
        ),
        pytest.param(
            "/projects/24/releases",
            {"include_html_description": "maybe"},
            400,
            {"error": "include_html_description is invalid"},
            id="boolean-not-a-boolean",
        ),
        pytest.param(
            "/projects/24/releases",
            {"updated_before": "yesterday"},
            400,
            {"error": "updated_before is invalid"},
            id="date-not-a-date",
        ),
        # GitLab types link_id as an integer and looks it up: zero is simply not found.
        pytest.param(
            "/projects/24/releases/v0.2/assets/links/0", {}, 404, {"message": "404 Not found"}, id="link-id-zero"
        ),
        pytest.param(
            "/projects/24/releases/v0.2/assets/links/-1", {}, 404, {"message": "404 Not found"}, id="link-id-negative"
        ),
        pytest.param(
            "/projects/24/releases/v0.2/assets/links/" + "9" * 30,
            {},
            404,
            {"message": "404 Not found"},
            id="link-id-huge",
        ),
        # Python's int() refuses more than 4,300 digits; GitLab just finds nothing with such an id.
        pytest.param(
            f"/projects/24/releases/v0.2/assets/links/{OVER_DIGIT_LIMIT}",
            {},
            404,
            {"message": "404 Not found"},
            id="link-id-over-int-digit-limit",
        ),
        pytest.param(
            f"/projects/{OVER_DIGIT_LIMIT}/releases",
            {},
            404,
            {"message": "404 Project Not Found"},
            id="project-id-over-int-digit-limit",
        ),
        pytest.param(
            f"/projects/{OVER_DIGIT_LIMIT}", {}, 404, {"message": "404 Project Not Found"}, id="get-project-huge-id"
        ),
        pytest.param(
            f"/projects/{OVER_DIGIT_LIMIT}/repository/tags",
            {},
            404,
            {"message": "404 Project Not Found"},
            id="tags-of-project-huge-id",
        ),
        pytest.param(
            f"/groups/{OVER_DIGIT_LIMIT}/releases",
            {},
            404,
            {"message": "404 Group Not Found"},
            id="group-id-over-int-digit-limit",
        ),
        pytest.param(
            f"/projects/{2**63}/releases", {}, 404, {"message": "404 Project Not Found"}, id="project-id-past-64-bits"
        ),
        pytest.param(
            "/projects/24/releases/%FF%FE", {}, 404, {"message": "404 Not Found"}, id="tag-percent-encoded-invalid-utf8"
        ),
        pytest.param(
            "/projects/24/releases/%ED%A0%80", {}, 404, {"message": "404 Not Found"}, id="tag-percent-encoded-surrogate"
        ),
        pytest.param(
            "/projects/%FF%FE/releases",
            {},
            404,
            {"message": "404 Project Not Found"},
            id="project-percent-encoded-invalid-utf8",
        ),
        pytest.param(
            "/projects/24/repository/tags/%FF",
            {},
            404,
            {"message": "404 Tag Not Found"},
            id="tag-lookup-percent-encoded-invalid-utf8",
        ),
    ],
)
def test_bad_parameter_answers_in_gitlab_shape(
    gitlab: httpx.Client, path: str, params: dict, status: int, body: dict
) -> None:
    assert_gitlab_error(gitlab.get(path, params=params), status, body)


def test_invalid_utf8_in_the_query_is_not_a_valid_value(gitlab: httpx.Client) -> None:
    assert_gitlab_error(
        gitlab.get("/projects/24/releases?order_by=%FF%FE"), 400, {"error": "order_by does not have a valid value"}
    )


def test_integer_path_parameter_reaches_the_handler(gitlab: httpx.Client) -> None:
    # {link_id} reaches the handler as an int (its text once made a 500).
    assert gitlab.get("/projects/24/releases/v0.2/assets/links/1").json()["name"] == "awesome-v0.2.dmg"
    assert gitlab.put("/projects/24/releases/v0.2/assets/links/1", json={"name": "renamed"}).json()["name"] == "renamed"
    assert gitlab.delete("/projects/24/releases/v0.2/assets/links/1").status_code == 200


# Grape routes a segment whatever its declared type: text that is no integer reaches the endpoint
# and fails the parameter's coercion (dry-types, Ruby's Integer(text, 10)), a 400 and not a 404.
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("GET", "/projects/24/releases/v0.2/assets/links/abc", {"error": "link_id is invalid"}, id="link"),
        pytest.param("GET", "/projects/24/releases/v0.2/assets/links/1.0", {"error": "link_id is invalid"}, id="frac"),
        pytest.param("GET", "/projects/24/releases/v0.2/assets/links/0x1", {"error": "link_id is invalid"}, id="hex"),
        pytest.param("GET", "/projects/24/releases/v0.2/assets/links/1__0", {"error": "link_id is invalid"}, id="__"),
        pytest.param(
            "GET",
            "/projects/24/releases/v0.2/assets/links/%EF%BC%91",
            {"error": "link_id is invalid"},
            id="fullwidth-1",
        ),
        pytest.param(
            "PUT", "/projects/24/releases/v0.2/assets/links/abc", {"error": "link_id is invalid"}, id="put-link"
        ),
        pytest.param(
            "DELETE", "/projects/24/releases/v0.2/assets/links/abc", {"error": "link_id is invalid"}, id="del-link"
        ),
        pytest.param("GET", "/projects/24/milestones/abc", {"error": "milestone_id is invalid"}, id="milestone"),
        pytest.param("PUT", "/projects/24/milestones/abc", {"error": "milestone_id is invalid"}, id="put-milestone"),
        pytest.param("GET", "/projects/24/members/abc", {"error": "user_id is invalid"}, id="member"),
        pytest.param("GET", "/projects/24/members/all/abc", {"error": "user_id is invalid"}, id="any-member"),
    ],
)
def test_integer_segment_that_is_no_integer_is_grapes_400(
    app: MockApp, gitlab: httpx.Client, method: str, path: str, body: dict
) -> None:
    before = world(app)
    assert_gitlab_error(gitlab.request(method, path, json={"name": "renamed", "title": "renamed"}), 400, body)
    assert world(app) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/projects/24/milestones/abc", id="milestone-id"),
        pytest.param("PUT", "/projects/24/milestones/abc", id="put-milestone-id"),
        pytest.param("GET", "/projects/24/milestones?per_page=0", id="milestones-query"),
        pytest.param("POST", "/projects/24/milestones", id="create-milestone-without-title"),
        pytest.param("GET", "/projects/24/members/all/abc", id="member-id"),
    ],
)
@pytest.mark.parametrize("caller", ["anonymous", "job-token"])
def test_milestones_and_members_ask_for_a_sign_in_before_reading_parameters(
    app: MockApp, anonymous: httpx.Client, method: str, path: str, caller: str
) -> None:
    # GitLab's ``before { authenticate! }`` runs before Grape reads the parameters.
    headers = {"JOB-TOKEN": JOB} if caller == "job-token" else {}
    before = world(app)
    assert_gitlab_error(anonymous.request(method, path, headers=headers, json={}), 401, {"message": "401 Unauthorized"})
    assert world(app) == before


def test_release_links_read_parameters_before_the_sign_in(anonymous: httpx.Client) -> None:
    # The links API authorizes after its parameters pass: an anonymous bad id is still the 400.
    response = anonymous.get("/projects/24/releases/v0.2/assets/links/abc")
    assert_gitlab_error(response, 400, {"error": "link_id is invalid"})


@pytest.mark.parametrize(
    "segment",
    [
        pytest.param("+1", id="plus"),
        pytest.param("01", id="leading-zero"),
        pytest.param("0d1", id="ruby-decimal-prefix"),
        pytest.param("%201%20", id="spaces-around"),
    ],
)
def test_integer_segment_reads_as_ruby_integer(gitlab: httpx.Client, segment: str) -> None:
    link = gitlab.get(f"/projects/24/releases/v0.2/assets/links/{segment}")
    assert (link.status_code, link.json()["id"]) == (200, 1)
    milestone = gitlab.get(f"/projects/24/milestones/{segment.replace('1', '51', 1)}")
    assert (milestone.status_code, milestone.json()["id"]) == (200, 51)


def test_untyped_segments_leave_literal_routes_first(gitlab: httpx.Client) -> None:
    # /members/all is its own route, listed before /members/{user_id}: "all" is not a user id.
    listed = gitlab.get("/projects/24/members/all")
    assert listed.status_code == 200
    assert isinstance(listed.json(), list)


@pytest.mark.parametrize(
    ("segment", "deleted"),
    [
        pytest.param("51abc", 51, id="leading-digits"),
        pytest.param("%2051", 51, id="space-first"),
        pytest.param("abc", None, id="no-number"),
        pytest.param("-51", None, id="negative"),
        pytest.param(OVER_DIGIT_LIMIT, None, id="over-int-digit-limit"),
    ],
)
def test_deleting_a_milestone_reads_the_id_as_rails_does(
    app: MockApp, gitlab: httpx.Client, segment: str, deleted: int | None
) -> None:
    # GitLab's delete endpoint declares no type for milestone_id: ActiveRecord's find casts the text.
    before = world(app)
    response = gitlab.delete(f"/projects/24/milestones/{segment}")
    if deleted is None:
        assert_gitlab_error(response, 404, {"message": "404 Not found"})
        assert world(app) == before
    else:
        assert response.status_code == 204
        assert gitlab.get(f"/projects/24/milestones/{deleted}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/projects/24/releases", id="releases"),
        pytest.param("/projects/24/releases/v0.2/assets/links", id="links"),
        pytest.param("/projects/24/repository/tags", id="tags"),
        pytest.param("/groups/9/releases", id="group-releases"),
    ],
)
def test_huge_page_is_an_empty_page(gitlab: httpx.Client, path: str) -> None:
    page = str(10**30)
    response = gitlab.get(path, params={"page": page})
    assert response.status_code == 200
    assert response.json() == []
    assert (response.headers["x-page"], response.headers["x-next-page"]) == (page, "")


@pytest.mark.parametrize(
    "path",
    [pytest.param("/projects/24/releases", id="releases"), pytest.param("/groups/9/releases", id="group-releases")],
)
def test_huge_per_page_is_clamped_to_100(gitlab: httpx.Client, path: str) -> None:
    response = gitlab.get(path, params={"per_page": str(10**30)})
    assert response.status_code == 200
    assert response.headers["x-per-page"] == "100"
    assert len(response.json()) == int(response.headers["x-total"])


# ---- routing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("PATCH", "/projects/24/releases/v0.1", id="patch-release"),
        pytest.param("PATCH", "/projects/25/releases/release%2F2.0", id="patch-release-escaped-slash"),
        pytest.param("DELETE", "/projects/24/releases", id="delete-release-collection"),
        pytest.param("PATCH", "/projects/24/releases/v0.2/assets/links/1", id="patch-link"),
        pytest.param("PATCH", "/projects/24/releases/v0.2/assets/links/-1", id="patch-link-negative-id"),
        pytest.param("GET", "/projects/24/releases/v0.1/evidence", id="get-evidence"),
        pytest.param("PUT", "/projects/24/releases/permalink/latest/downloads/bin/app", id="put-permalink-suffix"),
        pytest.param("POST", "/user", id="post-user"),
    ],
)
def test_a_method_a_known_path_does_not_serve_is_the_catch_all_404(
    gitlab: httpx.Client, app: MockApp, method: str, path: str
) -> None:
    # GitLab's catch-all route answers any method its API does not route: a 404, never a 405 with Allow.
    before = world(app)
    response = gitlab.request(method, path, json={"name": "x"} if method != "GET" else None)
    assert_gitlab_error(response, 404, {"error": "404 Not Found"})
    assert "allow" not in response.headers
    assert world(app) == before


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        pytest.param("/projects/24/releases", "GET, HEAD, OPTIONS, POST", id="releases"),
        pytest.param("/projects/25/releases/release%2F2.0", "DELETE, GET, HEAD, OPTIONS, PUT", id="escaped-slash"),
    ],
)
def test_options_on_a_known_path_lists_its_methods(gitlab: httpx.Client, app: MockApp, path: str, allow: str) -> None:
    before = world(app)
    response = gitlab.options(path)
    assert (response.status_code, response.headers["allow"], response.content) == (204, allow, b"")
    assert world(app) == before


def test_options_on_an_unknown_path_is_the_catch_all_404(gitlab: httpx.Client) -> None:
    assert_gitlab_error(gitlab.options("/projects/24/nope"), 404, {"error": "404 Not Found"})


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/api/v4/nope", id="under-the-mount"),
        pytest.param("/api/v4/projects/24/releases/v0.1/nope", id="below-a-release"),
        pytest.param("/nope", id="outside-every-mount"),
    ],
)
def test_unknown_route_is_404_error(http: httpx.Client, path: str) -> None:
    assert_gitlab_error(http.get(path), 404, {"error": "404 Not Found"})


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("POST", "/projects/24/releases", {"error": "tag_name is missing"}, id="create-release"),
        pytest.param("PUT", "/projects/24/releases/v0.1", {"message": "params is empty"}, id="update-release"),
        pytest.param(
            "PUT",
            "/projects/24/releases/v0.1/assets/links/3",
            {"error": "name, url are missing, at least one parameter must be provided"},
            id="update-link",
        ),
        pytest.param(
            "POST", "/projects/24/repository/tags", {"error": "tag_name is missing, ref is missing"}, id="create-tag"
        ),
    ],
)
def test_an_empty_body_is_an_empty_set_of_fields(gitlab: httpx.Client, method: str, path: str, body: dict) -> None:
    response = gitlab.request(method, path)
    assert (response.status_code, response.json()) == (400, body)
