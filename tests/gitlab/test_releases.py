"""Project releases over HTTP: the documented examples, create/update/delete rules and computed fields."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from mockserver.clock import iso_stored, parse_iso
from tests.conftest import DEVELOPER, MAINTAINER


def test_docs_list_example_works_verbatim(gitlab: httpx.Client) -> None:
    response = gitlab.get("/projects/24/releases")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert [release["tag_name"] for release in response.json()] == ["v0.2", "v0.1"]


def test_docs_get_example_works_verbatim(gitlab: httpx.Client) -> None:
    release = gitlab.get("/projects/24/releases/v0.1").json()
    assert release["name"] == "Awesome app v0.1 alpha"
    assert release["commit"]["id"] == "f8d3d94cbd347e924aa7b715845e439d00e80ca4"
    assert release["author"]["username"] == "root"


def test_project_can_be_named_by_url_encoded_path(gitlab: httpx.Client) -> None:
    by_path = gitlab.get("/projects/root%2Fawesome-app/releases/v0.2")
    assert by_path.status_code == 200
    assert by_path.json() == gitlab.get("/projects/24/releases/v0.2").json()


def test_tag_with_slash_is_found_when_sent_as_percent_2f(gitlab: httpx.Client) -> None:
    response = gitlab.get("/projects/25/releases/release%2F2.0")
    assert response.status_code == 200
    assert response.json()["tag_name"] == "release/2.0"
    assert response.json()["tag_path"] == "/release-team/secret-app/-/tags/release%2F2.0"


def test_raw_slash_in_tag_does_not_match_a_release(gitlab: httpx.Client) -> None:
    assert gitlab.get("/projects/25/releases/release/2.0").status_code == 404


def test_computed_fields(gitlab: httpx.Client, server) -> None:
    release = gitlab.get("/projects/24/releases/v0.2").json()
    web = f"{server.url}/root/awesome-app"
    assert release["upcoming_release"] is False
    assert [source["format"] for source in release["assets"]["sources"]] == ["zip", "tar.gz", "tar.bz2", "tar"]
    assert release["assets"]["sources"][0]["url"] == f"{web}/-/archive/v0.2/awesome-app-v0.2.zip"
    assert release["assets"]["count"] == 4 + len(release["assets"]["links"]) == 6
    assert release["commit_path"] == "/root/awesome-app/-/commit/079e90101242458910cccd35eab0e211dfc359c0"
    assert release["tag_path"] == "/root/awesome-app/-/tags/v0.2"
    assert release["_links"]["self"] == f"{web}/-/releases/v0.2"
    assert release["_links"]["edit_url"] == f"{web}/-/releases/v0.2/edit"
    assert release["evidences"][0]["filepath"] == f"{web}/-/releases/v0.2/evidence.json"
    # Ordered by due date, start date, then title, as GitLab orders them (the docs example is not).
    assert [m["title"] for m in release["milestones"]] == ["v1.0", "v1.0-rc"]
    assert "description_html" not in release


def test_links_newest_first_with_direct_asset_url(gitlab: httpx.Client, server) -> None:
    links = gitlab.get("/projects/24/releases/v0.2").json()["assets"]["links"]
    assert [link["id"] for link in links] == [2, 1]
    asset = gitlab.get("/projects/24/releases/v0.1").json()["assets"]["links"][0]
    assert asset["direct_asset_url"] == f"{server.url}/root/awesome-app/-/releases/v0.1/downloads/bin/asset.exe"
    assert links[0]["direct_asset_url"] == links[0]["url"]


def test_include_html_description_renders_markdown(gitlab: httpx.Client) -> None:
    release = gitlab.get("/projects/26/releases/v2.0.0", params={"include_html_description": "true"}).json()
    assert release["description_html"] == "<p>Adds <strong>streaming</strong> support.</p>\n"


def test_create_with_existing_tag_returns_201_and_defaults(gitlab: httpx.Client) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    response = gitlab.post("/projects/24/releases", json={"tag_name": "v0.3", "description": "third"})
    assert response.status_code == 201
    release = response.json()
    assert release["name"] == "v0.3"
    assert dt.datetime.fromisoformat(release["released_at"].replace("Z", "+00:00")) >= before
    assert release["upcoming_release"] is False
    assert release["author"]["username"] == "mia"
    assert gitlab.get("/projects/24/releases/v0.3").status_code == 200


def test_create_from_ref_creates_the_tag(gitlab: httpx.Client) -> None:
    response = gitlab.post("/projects/24/releases", json={"tag_name": "v1.0", "ref": "main", "tag_message": "one"})
    assert response.status_code == 201
    tag = gitlab.get("/projects/24/repository/tags/v1.0").json()
    assert tag["target"] == "079e90101242458910cccd35eab0e211dfc359c0"
    assert tag["message"] == "one"
    assert tag["release"]["tag_name"] == "v1.0"


def test_create_without_tag_or_ref_is_422_and_changes_nothing(gitlab: httpx.Client) -> None:
    response = gitlab.post("/projects/24/releases", json={"tag_name": "v7.0"})
    assert response.status_code == 422
    assert response.json() == {"message": "Ref is not specified"}
    assert gitlab.get("/projects/24/repository/tags/v7.0").status_code == 404


def test_create_twice_is_409(gitlab: httpx.Client) -> None:
    response = gitlab.post("/projects/24/releases", json={"tag_name": "v0.1"})
    assert response.status_code == 409
    assert response.json() == {"message": "Release already exists"}


def test_released_at_without_zone_is_utc_and_offsets_are_converted(gitlab: httpx.Client) -> None:
    naive = gitlab.post(
        "/projects/24/releases", json={"tag_name": "n1", "ref": "main", "released_at": "2030-01-02T03:04:05"}
    )
    assert naive.json()["released_at"] == "2030-01-02T03:04:05.000Z"
    assert naive.json()["upcoming_release"] is True
    offset = gitlab.post(
        "/projects/24/releases", json={"tag_name": "n2", "ref": "main", "released_at": "2019-01-02T03:04:05+02:00"}
    )
    assert offset.json()["released_at"] == "2019-01-02T01:04:05.000Z"
    assert offset.json()["upcoming_release"] is False


def test_upcoming_release_is_computed_at_read_time(gitlab: httpx.Client, app) -> None:
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    gitlab.post("/projects/24/releases", json={"tag_name": "soon", "ref": "main", "released_at": soon})
    assert gitlab.get("/projects/24/releases/soon").json()["upcoming_release"] is True
    with app.store.use("gitlab") as data:
        releases = data.table("releases")
        release = releases.get(24, "soon")
        released_at = parse_iso(release["released_at"]) - dt.timedelta(days=2)
        releases.put({**release, "released_at": iso_stored(released_at)})
    assert gitlab.get("/projects/24/releases/soon").json()["upcoming_release"] is False


FROZEN = dt.datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)


def test_a_release_created_without_released_at_is_dated_by_the_frozen_clock(gitlab: httpx.Client, app) -> None:
    app.clock.freeze(FROZEN)
    created = gitlab.post("/projects/24/releases", json={"tag_name": "v9.0", "ref": "main"}).json()
    assert created["created_at"] == created["released_at"] == "2031-05-06T07:08:09.123Z"
    assert created["upcoming_release"] is False
    assert [evidence["collected_at"] for evidence in created["evidences"]] == ["2031-05-06T07:08:09.123Z"]
    tag = gitlab.get("/projects/24/repository/tags/v9.0").json()
    assert tag["created_at"] == "2031-05-06T07:08:09.123Z"


def test_upcoming_release_flips_when_the_clock_passes_released_at(gitlab: httpx.Client, app) -> None:
    app.clock.freeze(FROZEN)
    gitlab.post(
        "/projects/24/releases", json={"tag_name": "soon", "ref": "main", "released_at": "2031-05-06T08:00:00Z"}
    )
    assert gitlab.get("/projects/24/releases/soon").json()["upcoming_release"] is True
    app.clock.advance(51 * 60)
    assert gitlab.get("/projects/24/releases/soon").json()["upcoming_release"] is True
    app.clock.advance(60)
    assert gitlab.get("/projects/24/releases/soon").json()["upcoming_release"] is False


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        pytest.param({"milestones": ["v1.0", "nope"]}, {"message": "Milestone(s) not found: nope"}, id="unknown-title"),
        pytest.param({"milestone_ids": [51, 999]}, {"message": "Milestone id(s) not found: 999"}, id="unknown-id"),
        pytest.param(
            {"milestones": ["v1.0"], "milestone_ids": [52]},
            {"error": "milestones, milestone_ids Cannot specify milestones and milestone_ids at the same time"},
            id="both",
        ),
    ],
)
def test_milestone_rules(gitlab: httpx.Client, payload: dict, message: dict) -> None:
    response = gitlab.post("/projects/24/releases", json={"tag_name": "v0.3", **payload})
    assert response.status_code == 400
    assert response.json() == message
    assert gitlab.get("/projects/24/releases/v0.3").status_code == 404


def test_milestones_by_title_or_id(gitlab: httpx.Client) -> None:
    by_title = gitlab.post("/projects/24/releases", json={"tag_name": "v0.3", "milestones": ["v1.0"]}).json()
    assert [m["id"] for m in by_title["milestones"]] == [52]
    updated = gitlab.put("/projects/24/releases/v0.3", json={"milestone_ids": [51]}).json()
    assert [m["title"] for m in updated["milestones"]] == ["v1.0-rc"]
    cleared = gitlab.put("/projects/24/releases/v0.3", json={"milestones": []}).json()
    assert "milestones" not in cleared


@pytest.mark.parametrize(
    "links",
    [
        pytest.param(
            [{"name": "a", "url": "https://e.com/a"}, {"name": "a", "url": "https://e.com/b"}], id="duplicate-name"
        ),
        pytest.param(
            [{"name": "a", "url": "https://e.com/a"}, {"name": "b", "url": "https://e.com/a"}], id="duplicate-url"
        ),
        pytest.param([{"name": "a", "url": "javascript:alert(1)"}], id="bad-scheme"),
        pytest.param([{"name": "a", "url": "https://e.com/a", "direct_asset_path": "bin//x"}], id="bad-path"),
    ],
)
def test_invalid_asset_links_reject_the_whole_release(gitlab: httpx.Client, links: list) -> None:
    response = gitlab.post("/projects/24/releases", json={"tag_name": "v5", "ref": "main", "assets": {"links": links}})
    assert response.status_code == 400
    assert "message" in response.json()
    assert gitlab.get("/projects/24/releases/v5").status_code == 404
    assert gitlab.get("/projects/24/repository/tags/v5").status_code == 404


def test_create_with_links_and_ftp_is_allowed(gitlab: httpx.Client) -> None:
    links = [
        {
            "name": "mirror",
            "url": "ftp://mirror.example.com/app.tgz",
            "link_type": "package",
            "direct_asset_path": "/pkg/app.tgz",
        }
    ]
    release = gitlab.post("/projects/24/releases", json={"tag_name": "v0.3", "assets": {"links": links}}).json()
    assert release["assets"]["links"][0]["link_type"] == "package"
    assert release["assets"]["links"][0]["direct_asset_url"].endswith("/-/releases/v0.3/downloads/pkg/app.tgz")


def test_update_returns_200_and_is_visible(gitlab: httpx.Client) -> None:
    response = gitlab.put("/projects/24/releases/v0.1", json={"name": "renamed", "description": "new"})
    assert response.status_code == 200
    assert response.json()["name"] == "renamed"
    assert gitlab.get("/projects/24/releases/v0.1").json()["description"] == "new"


def test_update_with_no_fields_is_400(gitlab: httpx.Client) -> None:
    response = gitlab.put("/projects/24/releases/v0.1", json={})
    assert response.status_code == 400
    assert response.json() == {"message": "params is empty"}


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_update_or_delete_of_a_tag_without_release_is_403(gitlab: httpx.Client, method: str) -> None:
    response = gitlab.request(method, "/projects/24/releases/v0.3", json={"name": "x"} if method == "PUT" else None)
    assert response.status_code == 403
    assert response.json() == {"message": "403 Forbidden"}


def test_delete_returns_200_with_body_and_keeps_tag(gitlab: httpx.Client) -> None:
    response = gitlab.delete("/projects/24/releases/v0.1")
    assert response.status_code == 200
    assert response.json()["tag_name"] == "v0.1"
    assert gitlab.get("/projects/24/releases/v0.1").status_code == 404
    assert gitlab.get("/projects/24/releases/v0.1").json() == {"message": "404 Not Found"}
    assert gitlab.get("/projects/24/repository/tags/v0.1").status_code == 200


def test_evidence_is_202_and_adds_an_evidence(gitlab: httpx.Client) -> None:
    before = len(gitlab.get("/projects/24/releases/v0.1").json()["evidences"])
    response = gitlab.post("/projects/24/releases/v0.1/evidence")
    assert response.status_code == 202
    assert len(gitlab.get("/projects/24/releases/v0.1").json()["evidences"]) == before + 1
    assert gitlab.post("/projects/24/releases/nope/evidence").status_code == 404


def test_permalink_latest_redirects_to_the_newest_release(gitlab: httpx.Client, server) -> None:
    response = gitlab.get(
        "/projects/root%2Fawesome-app/releases/permalink/latest", params={"order_by": "released_at", "x": "1"}
    )
    assert response.status_code == 302
    assert response.headers["location"] == f"{server.url}/api/v4/projects/24/releases/v0.2?x=1"


def test_permalink_latest_with_suffix_and_escaped_tag(gitlab: httpx.Client, server) -> None:
    response = gitlab.get("/projects/25/releases/permalink/latest/downloads/bin/app")
    assert response.headers["location"] == f"{server.url}/api/v4/projects/25/releases/release%2F2.0/downloads/bin/app"


def test_permalink_suffix_cannot_traverse(gitlab: httpx.Client) -> None:
    response = gitlab.get("/projects/24/releases/permalink/latest/..%2F..%2Fevil")
    assert response.status_code == 400
    assert response.json() == {"error": "suffix_path should be a valid file path"}


def test_permalink_without_releases_is_404(gitlab: httpx.Client) -> None:
    for tag in ("v0.1", "v0.2"):
        gitlab.delete(f"/projects/24/releases/{tag}")
    assert gitlab.get("/projects/24/releases/permalink/latest").status_code == 404


def test_download_redirects_to_the_link_url(gitlab: httpx.Client) -> None:
    response = gitlab.get("/projects/24/releases/v0.1/downloads/bin/asset.exe")
    assert response.status_code == 302
    assert (
        response.headers["location"]
        == "https://gitlab.example.com/root/awesome-app/-/tags/v0.11.1/binaries/linux-amd64"
    )
    missing = gitlab.get("/projects/24/releases/v0.1/downloads/bin/other.exe")
    assert (missing.status_code, missing.json()) == (404, {"message": "404 Not found"})
    assert gitlab.get("/projects/24/releases/v9/downloads/bin/asset.exe").json() == {"message": "404 Not Found"}


def test_group_releases_lists_visible_projects(server) -> None:
    with httpx.Client(base_url=f"{server.url}/api/v4") as client:
        anonymous = client.get("/groups/9/releases").json()
        member = client.get("/groups/release-team/releases", headers={"PRIVATE-TOKEN": DEVELOPER}).json()
    assert [release["tag_name"] for release in anonymous] == ["v2.0.0"]
    assert [release["tag_name"] for release in member] == ["release/2.0", "v1.0.0", "v2.0.0"]


def test_group_releases_simple_view(gitlab: httpx.Client) -> None:
    releases = gitlab.get("/groups/9/releases", params={"simple": "true", "sort": "asc"}).json()
    assert set(releases[0]) == {"name", "tag_name", "description", "created_at", "released_at", "upcoming_release"}
    assert [release["tag_name"] for release in releases] == ["v2.0.0", "v1.0.0", "release/2.0"]


@pytest.mark.parametrize("sort", ["asc", "desc"])
def test_group_release_pages_are_slices_of_the_merged_list(gitlab: httpx.Client, sort: str) -> None:
    everything = ["v2.0.0", "v1.0.0", "release/2.0"]
    expected = everything if sort == "asc" else everything[::-1]
    pages = [
        [
            r["tag_name"]
            for r in gitlab.get("/groups/9/releases", params={"sort": sort, "per_page": 2, "page": page}).json()
        ]
        for page in (1, 2, 3)
    ]
    assert pages == [expected[:2], expected[2:], []]


def test_list_order_and_updated_filters(gitlab: httpx.Client) -> None:
    gitlab.post("/projects/24/releases", json={"tag_name": "old", "ref": "main", "released_at": "2001-01-01T00:00:00Z"})
    by_released = [r["tag_name"] for r in gitlab.get("/projects/24/releases", params={"sort": "asc"}).json()]
    by_created = [r["tag_name"] for r in gitlab.get("/projects/24/releases", params={"order_by": "created_at"}).json()]
    assert by_released == ["old", "v0.1", "v0.2"]
    assert by_created == ["old", "v0.2", "v0.1"]
    recent = gitlab.get("/projects/24/releases", params={"updated_after": "2020-01-01T00:00:00Z"}).json()
    assert [r["tag_name"] for r in recent] == ["old"]
    older = gitlab.get("/projects/24/releases", params={"updated_before": "2020-01-01T00:00:00Z"}).json()
    assert [r["tag_name"] for r in older] == ["v0.2", "v0.1"]


def test_job_token_can_create_a_release(server) -> None:
    with httpx.Client(base_url=f"{server.url}/api/v4", headers={"JOB-TOKEN": "glcbt-job-00000000000000001"}) as ci:
        tag = ci.post("/projects/24/repository/tags", json={"tag_name": "v3.0.0", "ref": "a" * 40})
        assert tag.status_code == 201
        release = ci.post("/projects/24/releases", json={"tag_name": "v3.0.0", "description": "from CI"})
        assert release.status_code == 201
        assert release.json()["commit"]["id"] == "a" * 40


def test_tag_delete_removes_its_release(gitlab: httpx.Client) -> None:
    assert gitlab.delete("/projects/24/repository/tags/v0.1").status_code == 204
    assert gitlab.get("/projects/24/releases/v0.1").status_code == 404
    assert gitlab.delete("/projects/24/repository/tags/v0.1").status_code == 404


def test_bearer_and_query_tokens_authenticate(server) -> None:
    url = f"{server.url}/api/v4/user"
    assert httpx.get(url, headers={"Authorization": f"Bearer {MAINTAINER}"}).json()["username"] == "mia"
    assert httpx.get(url, params={"private_token": MAINTAINER}).json()["username"] == "mia"
    assert httpx.get(url, headers={"Authorization": "Bearer oauth-developer-0000000000001"}).json()["username"] == "dev"


def test_tags_ordered_by_version_compare_numbers_of_any_length(gitlab: httpx.Client) -> None:
    huge = "v1." + "9" * 4400  # int() refuses more than 4,300 digits
    for name in ("v1.10", huge, "v1.9", "v1.010a"):
        assert gitlab.post("/projects/24/repository/tags", json={"tag_name": name, "ref": "main"}).status_code == 201
    listed = gitlab.get("/projects/24/repository/tags", params={"order_by": "version", "sort": "asc"})
    assert listed.status_code == 200
    mine = [tag["name"] for tag in listed.json() if tag["name"].startswith("v1.")]
    assert mine == ["v1.9", "v1.10", huge, "v1.010a"]
