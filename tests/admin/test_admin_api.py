"""The admin API over HTTP: reset, scenarios, state export and import, clock, health, snapshot, its errors and token."""

from __future__ import annotations

import json
import pathlib
import typing as t

import httpx
import pytest

from mockserver import MockApp, Settings, create_app
from mockserver.plugin import discover_plugins
from mockserver.serving import BackgroundServer
from mockserver.settings import MountClash

MAINTAINER = {"PRIVATE-TOKEN": "glpat-maintainer-000000000001"}
RELEASES = "/api/v4/projects/24/releases"
TOKEN = "admin-secret-1"


@pytest.fixture
def admin(http: httpx.Client) -> httpx.Client:
    return http


def create_release(http: httpx.Client, tag: str = "v9.9") -> httpx.Response:
    return http.post(RELEASES, headers=MAINTAINER, json={"tag_name": tag, "ref": "main", "name": tag})


def test_health_says_ok_and_names_the_vendor_apis(http: httpx.Client, app: MockApp) -> None:
    answer = http.get("/__admin/health")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert sorted(api["name"] for api in body["apis"]) == ["chkk", "gitlab", "sentry"]
    assert body["journal"]["capacity"] == app.journal.capacity


def test_reset_puts_back_the_fixtures_empties_the_journal_and_runs_the_clock_on_real_time(
    http: httpx.Client, app: MockApp
) -> None:
    before = app.export_state()
    assert create_release(http).status_code == 201
    app.clock.freeze()
    assert app.export_state() != before and app.journal.entries()
    assert http.post("/__admin/reset").status_code == 204
    assert app.export_state() == before
    assert app.journal.entries() == []
    assert not app.clock.frozen


def test_scenarios_are_listed_with_their_descriptions(http: httpx.Client) -> None:
    listed = http.get("/__admin/scenarios").json()
    names = [scenario["name"] for scenario in listed]
    assert {"default", "empty", "many-releases"} <= set(names)
    assert all(scenario["description"] for scenario in listed)


def test_a_scenario_loaded_through_the_admin_api_replaces_the_state(http: httpx.Client, app: MockApp) -> None:
    assert http.get(RELEASES, headers=MAINTAINER).json()
    assert http.post("/__admin/scenarios/empty").status_code == 204
    assert http.get(RELEASES, headers=MAINTAINER).status_code == 401  # an empty world has no tokens
    assert [project["path"] for project in app.export_state()["apis"]["gitlab"]["projects"]] == ["empty-app"]


def test_a_scenario_seed_gives_the_same_state_again(http: httpx.Client, app: MockApp) -> None:
    app.clock.freeze()
    assert http.post("/__admin/scenarios/upcoming-and-historical", json={"seed": 7}).status_code == 204
    first = http.get("/__admin/state").json()
    assert http.post("/__admin/scenarios/upcoming-and-historical", json={"seed": 7}).status_code == 204
    assert http.get("/__admin/state").json() == first
    assert http.post("/__admin/scenarios/upcoming-and-historical", json={"seed": 8}).status_code == 204
    assert http.get("/__admin/state").json() != first


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        pytest.param("/__admin/scenarios/no-such-one", None, 404, id="unknown-name"),
        pytest.param("/__admin/scenarios/..%2Fetc", None, 400, id="a-path-is-not-a-name"),
        pytest.param("/__admin/scenarios/empty", {"seed": "x"}, 400, id="seed-not-a-number"),
        pytest.param("/__admin/scenarios/empty", {"sed": 1}, 400, id="unknown-field"),
    ],
)
def test_a_scenario_that_cannot_be_loaded_leaves_the_state_as_it_was(
    http: httpx.Client, app: MockApp, path: str, body: t.Any, status: int
) -> None:
    before = app.export_state()
    answer = http.post(path, json=body) if body is not None else http.post(path)
    assert answer.status_code == status
    assert set(answer.json()) >= {"message", "problems"}
    assert app.export_state() == before


def test_state_export_then_import_gives_the_same_state(http: httpx.Client, app: MockApp) -> None:
    assert create_release(http).status_code == 201
    exported = http.get("/__admin/state").json()
    assert exported["format"] == "release-mock/state"
    assert http.post("/__admin/reset").status_code == 204
    assert http.get(f"{RELEASES}/v9.9", headers=MAINTAINER).status_code == 404
    assert http.put("/__admin/state", json=exported).status_code == 204
    assert http.get(f"{RELEASES}/v9.9", headers=MAINTAINER).status_code == 200
    assert http.get("/__admin/state").json() == exported


def test_an_invalid_import_is_refused_with_every_reason_and_changes_nothing(http: httpx.Client) -> None:
    assert create_release(http).status_code == 201
    before = http.get("/__admin/state").json()
    broken = json.loads(json.dumps(before))
    broken["apis"]["gitlab"]["projects"][0]["id"] = "not an id"
    broken["apis"]["sentry"]["organizations"] = "not a list"
    answer = http.put("/__admin/state", json=broken)
    assert answer.status_code == 400
    body = answer.json()
    assert body["message"] == "the state document was not imported"
    assert {problem["api"] for problem in body["problems"]} == {"gitlab", "sentry"}
    assert http.get("/__admin/state").json() == before


def test_an_import_that_is_not_an_object_is_refused_in_the_admin_shape(http: httpx.Client) -> None:
    answer = http.put("/__admin/state", json=[1, 2])
    assert answer.status_code == 400
    assert answer.json()["problems"][0]["where"] == "body"


def test_the_clock_is_read_set_advanced_and_put_back(http: httpx.Client) -> None:
    assert http.get("/__admin/clock").json()["frozen"] is False
    answer = http.put("/__admin/clock", json={"now": "2030-01-01T00:00:00Z"})
    assert answer.json() == {"now": "2030-01-01T00:00:00.000Z", "frozen": True}
    assert http.post("/__admin/clock/advance", json={"seconds": 90}).json()["now"] == "2030-01-01T00:01:30.000Z"
    running = http.put("/__admin/clock", json={"now": "2040-05-05T00:00:00+02:00", "frozen": False}).json()
    assert running["frozen"] is False and running["now"].startswith("2040-05-04T22:00")
    back = http.delete("/__admin/clock").json()
    assert back["frozen"] is False and back["now"].startswith(("2026", "2027", "2028", "2029"))


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"now": "yesterday"}, id="not-a-time"),
        pytest.param({"frozen": True}, id="no-now"),
        pytest.param({"now": "2030-01-01T00:00:00Z", "frozen": "yes"}, id="frozen-not-a-boolean"),
    ],
)
def test_a_bad_clock_setting_is_refused_and_the_clock_keeps_running(http: httpx.Client, body: t.Any) -> None:
    answer = http.put("/__admin/clock", json=body)
    assert answer.status_code == 400
    assert answer.json()["problems"]
    assert http.get("/__admin/clock").json()["frozen"] is False


def test_moving_the_clock_flips_upcoming_release_on_a_gitlab_release(http: httpx.Client) -> None:
    # v0.2 of project 24 was released at 2019-01-03T01:56:19.539Z.
    release = f"{RELEASES}/v0.2"
    assert http.get(release, headers=MAINTAINER).json()["upcoming_release"] is False
    http.put("/__admin/clock", json={"now": "2019-01-03T01:56:00Z"})
    assert http.get(release, headers=MAINTAINER).json()["upcoming_release"] is True
    http.post("/__admin/clock/advance", json={"seconds": 60})
    assert http.get(release, headers=MAINTAINER).json()["upcoming_release"] is False
    http.put("/__admin/clock", json={"now": "2019-01-01T00:00:00Z"})
    assert http.get(release, headers=MAINTAINER).json()["upcoming_release"] is True
    http.delete("/__admin/clock")
    assert http.get(release, headers=MAINTAINER).json()["upcoming_release"] is False


def test_snapshot_without_a_state_file_is_a_conflict(http: httpx.Client) -> None:
    answer = http.post("/__admin/snapshot")
    assert answer.status_code == 409
    assert "--state-file" in answer.json()["message"]


def test_snapshot_writes_the_state_file_whole(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "qa" / "state.json"
    app = create_app(Settings(state_file=target))
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        assert create_release(client).status_code == 201
        answer = client.post("/__admin/snapshot")
    assert answer.status_code == 200
    assert answer.json() == {"path": str(target)}
    assert json.loads(target.read_text()) == app.export_state()
    assert [path.name for path in target.parent.iterdir()] == ["state.json"]  # no temporary file left


def test_unknown_admin_paths_answer_404_in_the_admin_shape(http: httpx.Client) -> None:
    answer = http.get("/__admin/nope")
    assert answer.status_code == 404
    assert set(answer.json()) == {"message", "problems"}


def test_the_admin_api_has_its_spec_and_swagger_ui(http: httpx.Client) -> None:
    assert http.get("/__admin/openapi.json").json()["info"]["title"] == "release-mock admin API"
    page = http.get("/__admin/ui/")
    assert page.status_code == 200 and "swagger" in page.text.lower()


def test_the_index_lists_the_admin_api_apart_from_the_vendor_apis(http: httpx.Client) -> None:
    index = http.get("/").json()
    assert [api["name"] for api in index["apis"]] == ["chkk", "gitlab", "sentry"]
    assert index["admin"]["mount"] == "/__admin"
    assert index["admin"]["ui"] == "/__admin/ui/"


def test_the_admin_api_is_not_a_discovered_plugin_nor_a_mount(app: MockApp) -> None:
    assert "admin" not in {plugin.name for plugin in discover_plugins()}
    assert "/__admin" not in app.mounts
    assert sorted(app.export_state()["apis"]) == ["chkk", "gitlab", "sentry"]


def test_the_admin_api_is_served_whatever_apis_are_chosen() -> None:
    app = create_app(Settings(apis=("chkk",)))
    with BackgroundServer(app) as server:
        health = httpx.get(f"{server.url}/__admin/health", timeout=10).json()
    assert [api["name"] for api in health["apis"]] == ["chkk"]


def test_the_admin_api_stays_at_its_mount_beside_an_api_mounted_at_the_root() -> None:
    app = create_app(Settings(apis=("gitlab",), mounts={"gitlab": "/"}))
    with BackgroundServer(app) as server:
        assert httpx.get(f"{server.url}/__admin/health", timeout=10).json()["apis"] == [
            {"name": "gitlab", "mount": "/"}
        ]
        assert httpx.get(f"{server.url}/projects/24/releases", headers=MAINTAINER, timeout=10).status_code == 200
        httpx.get(f"{server.url}/__admin/requests", timeout=10)
    assert [entry["api"] for entry in app.journal.entries()] == ["gitlab"]


@pytest.mark.parametrize("mount", ["/__admin", "/__admin/gitlab"])
def test_no_vendor_api_is_mounted_in_the_admin_namespace(mount: str) -> None:
    with pytest.raises(MountClash, match="admin API"):
        create_app(Settings(apis=("gitlab",), mounts={"gitlab": mount}))


@pytest.fixture(scope="module")
def guarded() -> t.Iterator[str]:
    """A server started with an admin token."""
    with BackgroundServer(create_app(Settings(admin_token=TOKEN))) as server:
        yield server.url


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="none"),
        pytest.param({"Authorization": "Bearer wrong"}, id="wrong"),
        pytest.param({"Authorization": TOKEN}, id="no-scheme"),
        pytest.param({"PRIVATE-TOKEN": TOKEN}, id="another-header"),
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/health"), ("POST", "/reset"), ("GET", "/state"), ("GET", "/requests"), ("DELETE", "/clock")],
)
def test_every_call_without_the_token_is_401(guarded: str, headers: dict[str, str], method: str, path: str) -> None:
    answer = httpx.request(method, f"{guarded}/__admin{path}", headers=headers, timeout=10)
    assert answer.status_code == 401
    assert answer.json()["message"].startswith("this server needs its admin token")


def test_a_call_with_the_token_is_served(guarded: str) -> None:
    answer = httpx.get(f"{guarded}/__admin/health", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert answer.status_code == 200


def test_the_vendor_apis_do_not_need_it(guarded: str) -> None:
    assert httpx.get(f"{guarded}{RELEASES}", headers=MAINTAINER, timeout=10).status_code == 200


def test_the_token_comes_from_the_environment_too() -> None:
    assert Settings.from_env({"RELEASE_MOCK_ADMIN_TOKEN": "from-env"}).admin_token == "from-env"


def test_a_method_a_control_does_not_serve_is_a_405_with_allow(http: httpx.Client) -> None:
    answer = http.get("/__admin/reset")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.json() == {"message": "Method Not Allowed", "problems": []}


def test_a_body_that_is_not_json_is_a_400_in_the_admin_shape(http: httpx.Client, app: MockApp) -> None:
    before = app.export_state()
    answer = http.put("/__admin/state", content=b"{not json", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert set(answer.json()) == {"message", "problems"}
    assert app.export_state() == before
