"""GitLab's state as data: fixture data to tables and back exactly, and nothing left behind by a failed write."""

from __future__ import annotations

import copy
import datetime as dt
import typing as t

import httpx
import pytest

from mockserver import MockApp, Settings
from mockserver.apis.gitlab import PLUGIN
from mockserver.apis.gitlab import releases as gitlab_releases
from mockserver.apis.gitlab import tags as gitlab_tags
from mockserver.apis.gitlab.state import GitLabState
from mockserver.apis.gitlab.views import millis
from mockserver.clock import iso_millis, iso_stored
from mockserver.fixtures import FixtureError
from mockserver.store import ApiData

GITLAB = "/api/v4"
MOMENT = dt.datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)


@pytest.fixture
def spec(app: MockApp) -> dict[str, t.Any]:
    return t.cast(dict[str, t.Any], app.mounts[GITLAB][1].raw)


@pytest.fixture
def seed(spec: dict[str, t.Any]) -> dict[str, t.Any]:
    return t.cast(dict[str, t.Any], PLUGIN.load_seed(Settings().fixtures_dir / "gitlab", spec))


def loaded(app: MockApp, seed: t.Any) -> ApiData:
    return app.store.build("gitlab", copy.deepcopy(seed))


def dumped(data: ApiData) -> dict[str, t.Any]:
    return t.cast(dict[str, t.Any], PLUGIN.dump_state(data))


def test_the_dump_of_the_fixture_world_is_valid_fixture_data(app: MockApp, seed: t.Any, spec: t.Any) -> None:
    dump = dumped(loaded(app, seed))
    assert PLUGIN.check_seed(dump, spec) == dump
    assert dump["sequences"] == {"id": 20, "milestone_id": 61}


def test_the_fixture_world_round_trips_exactly(app: MockApp, seed: t.Any) -> None:
    first = loaded(app, seed)
    second = loaded(app, dumped(first))
    assert dumped(second) == dumped(first)
    # Loaded from fixtures or from their dump, the store holds the same rows in the same order.
    assert second.dump() == first.dump()


def changed_world(gitlab: httpx.Client) -> None:
    """A write through every GitLab route that writes."""
    created = gitlab.post(
        "/projects/24/releases",
        json={
            "tag_name": "v0.4",
            "ref": "main",
            "name": "Four",
            "milestones": ["v1.0"],
            "assets": {"links": [{"name": "bin", "url": "https://example.com/bin", "direct_asset_path": "/bin/x"}]},
        },
    )
    assert created.status_code == 201, created.text
    assert gitlab.put("/projects/24/releases/v0.4", json={"description": "Now with notes"}).status_code == 200
    assert gitlab.post("/projects/24/releases/v0.4/evidence").status_code == 202
    link = gitlab.post("/projects/24/releases/v0.2/assets/links", json={"name": "deb", "url": "https://example.com/d"})
    assert link.status_code == 201
    assert gitlab.put(
        f"/projects/24/releases/v0.2/assets/links/{link.json()['id']}", json={"name": "debian"}
    ).is_success
    assert gitlab.delete("/projects/24/releases/v0.2/assets/links/1").status_code == 200
    assert gitlab.post("/projects/24/repository/tags", json={"tag_name": "v0.5", "ref": "main"}).status_code == 201
    assert gitlab.delete("/projects/24/releases/v0.1").status_code == 200
    assert gitlab.delete("/projects/24/repository/tags/v0.3").status_code == 204
    milestone = gitlab.post("/projects/24/milestones", json={"title": "v2.0", "due_date": "2031-06-01"})
    assert milestone.status_code == 201, milestone.text
    assert gitlab.put(f"/projects/24/milestones/{milestone.json()['id']}", json={"state_event": "close"}).is_success
    assert gitlab.put("/projects/24/milestones/51", json={"description": "Renamed later"}).is_success
    assert gitlab.delete("/projects/24/milestones/52").status_code == 204


def test_the_world_after_writes_over_http_round_trips_and_answers_the_same(
    app: MockApp, gitlab: httpx.Client, spec: t.Any
) -> None:
    app.clock.freeze(MOMENT)
    changed_world(gitlab)
    reads = [
        "/projects/24/releases",
        "/projects/24/releases/v0.4",
        "/projects/24/releases/v0.2",
        "/groups/9/releases",
        "/projects/24/milestones",
        "/projects/26/milestones?include_ancestors=true",
    ]
    before = [gitlab.get(path).json() for path in reads]
    written = app.store.state("gitlab")
    dump = dumped(written)
    PLUGIN.check_seed(copy.deepcopy(dump), spec)
    reloaded = loaded(app, dump)
    assert dumped(reloaded) == dump
    assert reloaded.dump() == written.dump()
    app.store.install({"gitlab": reloaded})
    assert [gitlab.get(path).json() for path in reads] == before


def test_deleted_ids_are_not_handed_out_again_after_a_reload(app: MockApp, gitlab: httpx.Client) -> None:
    assert gitlab.post("/projects/24/releases", json={"tag_name": "v0.3"}).status_code == 201
    assert app.store.state("gitlab").table("releases").get(24, "v0.3")["id"] == 21
    assert gitlab.delete("/projects/24/releases/v0.3").status_code == 200
    app.store.install({"gitlab": loaded(app, dumped(app.store.state("gitlab")))})
    assert gitlab.post("/projects/24/releases", json={"tag_name": "v0.3"}).status_code == 201
    assert app.store.state("gitlab").table("releases").get(24, "v0.3")["id"] == 22


def test_fixture_releases_without_ids_count_on_from_the_largest_id(app: MockApp, seed: t.Any) -> None:
    changed = copy.deepcopy(seed)
    for release in changed["projects"][0]["releases"]:
        del release["id"]
    data = loaded(app, changed)
    releases = data.table("releases")
    assert [releases.get(24, "v0.1")["id"], releases.get(24, "v0.2")["id"]] == [21, 22]
    assert data.counter("id") == 22


@pytest.mark.parametrize(
    ("change", "where"),
    [
        pytest.param(
            lambda seed: seed["projects"][0]["releases"][0].update(author="nobody"), "/0/releases/0/author", id="author"
        ),
        pytest.param(
            lambda seed: seed["projects"][0]["releases"][0].update(milestones=["v9"]),
            "/0/releases/0/milestones",
            id="milestone-title",
        ),
        pytest.param(
            lambda seed: seed["projects"][0]["releases"][0].update(milestone_ids=[999]),
            "/0/releases/0/milestone_ids",
            id="milestone-id",
        ),
        pytest.param(
            lambda seed: seed["groups"][0]["members"].update(nobody="guest"), "/0/members/nobody", id="member"
        ),
    ],
)
def test_check_seed_refuses_references_to_nothing(
    seed: t.Any, spec: t.Any, change: t.Callable[[t.Any], None], where: str
) -> None:
    changed = copy.deepcopy(seed)
    change(changed)
    with pytest.raises(FixtureError) as refused:
        PLUGIN.check_seed(changed, spec)
    assert refused.value.where == where


def test_check_seed_refuses_what_the_schema_refuses(seed: t.Any, spec: t.Any) -> None:
    changed = copy.deepcopy(seed)
    changed["sequences"] = {"id": -1}
    with pytest.raises(FixtureError) as refused:
        PLUGIN.check_seed(changed, spec)
    assert str(refused.value.file) == "gitlab/sequences"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("POST", "/projects/24/releases", {"tag_name": "v0.9", "ref": "no-such-ref"}, id="bad-ref"),
        pytest.param(
            "POST",
            "/projects/24/releases",
            {
                "tag_name": "v0.9",
                "ref": "main",
                "assets": {"links": [{"name": "a", "url": "ftp://x"}, {"name": "a", "url": "https://y"}]},
            },
            id="second-link-bad",
        ),
        pytest.param("POST", "/projects/24/releases", {"tag_name": "v0.1", "ref": "main"}, id="exists"),
        pytest.param("PUT", "/projects/24/releases/v0.1", {"milestones": ["v9"]}, id="unknown-milestone"),
        pytest.param(
            "POST",
            "/projects/24/releases/v0.2/assets/links",
            {"name": "x", "url": "http://192.168.10.15:3000"},
            id="duplicate-url",
        ),
        pytest.param("POST", "/projects/24/repository/tags", {"tag_name": "v0.1", "ref": "main"}, id="tag-exists"),
        pytest.param("POST", "/projects/24/milestones", {"title": "v1.0"}, id="milestone-title-taken"),
        pytest.param("POST", "/projects/26/milestones", {"title": "2024-Q2"}, id="group-milestone-title-taken"),
        pytest.param(
            "PUT", "/projects/24/milestones/51", {"title": "v1.0", "state_event": "activate"}, id="rename-to-taken"
        ),
        pytest.param(
            "PUT", "/projects/24/milestones/51", {"due_date": "2019-07-01", "state_event": "activate"}, id="due-early"
        ),
    ],
)
def test_a_rejected_write_leaves_the_data_unchanged(
    app: MockApp, gitlab: httpx.Client, method: str, path: str, body: dict[str, t.Any]
) -> None:
    before = app.store.dump("gitlab")
    response = gitlab.request(method, path, json=body)
    assert 400 <= response.status_code < 500
    assert app.store.dump("gitlab") == before


def test_group_milestones_and_the_milestone_sequence_round_trip(app: MockApp, seed: t.Any) -> None:
    dump = dumped(loaded(app, seed))
    assert [m["title"] for m in dump["groups"][0]["milestones"]] == ["2024-Q2"]
    changed = copy.deepcopy(dump)
    changed["sequences"]["milestone_id"] = 70
    data = loaded(app, changed)
    assert data.counter("milestone_id") == 70
    assert GitLabState(data).next_milestone_id() == 71


def test_fixture_milestones_without_moments_are_dated_by_their_project(app: MockApp, seed: t.Any) -> None:
    changed = copy.deepcopy(seed)
    for milestone in changed["projects"][0]["milestones"]:
        for field in ("created_at", "updated_at", "web_url", "issue_stats"):
            milestone.pop(field)
    row = loaded(app, changed).table("milestones").get(24, 51)
    assert row["created_at"] == row["updated_at"] == "2019-01-01T10:00:00.000000Z"
    assert row["issue_stats"] == {"total": 0, "closed": 0}


def test_a_request_that_fails_after_writing_leaves_the_data_unchanged(app: MockApp) -> None:
    before = app.store.dump("gitlab")
    with pytest.raises(RuntimeError), app.store.transaction("gitlab") as data:
        state = GitLabState(data)
        project = state.project(24)
        assert project is not None
        body = {"tag_name": "v0.9", "ref": "main", "assets": {"links": [{"name": "a", "url": "https://x"}]}}
        gitlab_releases.create_release(state, project, 2, body, MOMENT)
        gitlab_releases.update_release(state, project, "v0.2", {"name": "renamed", "milestone_ids": []}, MOMENT)
        gitlab_releases.collect_evidence(state, project, "v0.1", MOMENT)
        raise RuntimeError("a rule fails after the writes")
    assert app.store.dump("gitlab") == before


def fail_after_deletes(app: MockApp) -> None:
    with pytest.raises(RuntimeError), app.store.transaction("gitlab") as data:
        state = GitLabState(data)
        project = state.project(24)
        assert project is not None
        gitlab_releases.delete_release(state, project, "v0.2")
        gitlab_tags.delete_tag(state, project, "v0.1")
        raise RuntimeError("a rule fails after the deletes")


def test_a_request_that_fails_after_deleting_leaves_the_data_unchanged(app: MockApp) -> None:
    before = app.store.dump("gitlab")
    fail_after_deletes(app)
    assert app.store.dump("gitlab") == before


@pytest.mark.parametrize(
    "moment",
    [
        pytest.param(MOMENT, id="microseconds"),
        pytest.param(dt.datetime(880, 1, 2, 3, 4, 5, tzinfo=dt.UTC), id="three-digit-year"),
        pytest.param(dt.datetime(2019, 1, 3, 1, 56, 19, 999999, tzinfo=dt.UTC), id="truncated-not-rounded"),
        pytest.param(dt.datetime(2019, 1, 3, 3, 56, tzinfo=dt.timezone(dt.timedelta(hours=2))), id="offset"),
    ],
)
def test_a_stored_moment_is_shown_as_gitlab_writes_it(moment: dt.datetime) -> None:
    assert millis(iso_stored(moment)) == iso_millis(moment)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda release: release.update(name=5), id="release-name"),
        pytest.param(lambda release: release["assets"]["links"][0].update(url=True), id="link-url"),
    ],
)
def test_stored_texts_are_texts_though_requests_may_send_numbers(
    seed: t.Any, spec: t.Any, change: t.Callable[[t.Any], None]
) -> None:
    changed = copy.deepcopy(seed)
    change(next(release for release in changed["projects"][0]["releases"] if release.get("assets", {}).get("links")))
    with pytest.raises(FixtureError):
        PLUGIN.check_seed(changed, spec)
