"""Scenarios: every shipped one loads and is served over HTTP; generation is deterministic; bad files change nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pathlib
import re
import subprocess
import sys
import typing as t
from urllib.parse import quote

import gitlab as python_gitlab
import httpx
import pytest

from mockserver import MockApp
from mockserver.scenarios import ScenarioError, compile_scenario, list_scenarios
from mockserver.serving import BackgroundServer
from mockserver.settings import PROJECT_ROOT

FILES = pathlib.Path(__file__).with_name("scenarios") / "files"
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
SHIPPED = [name for name, _ in list_scenarios()]
REQUIRED = {"default", "empty", "many-releases", "upcoming-and-historical", "sentry-health"}
GITLAB_ADMIN = {"PRIVATE-TOKEN": "glpat-admin-0000000000000001"}
SENTRY_ADMIN = {"Authorization": "Bearer sntrys-mock-admin-00000000000000001"}
CHKK_ALL = {"Authorization": "Bearer chkk-all-projects-token-0001"}


def canonical(document: t.Any) -> str:
    return json.dumps(document, sort_keys=True)


@pytest.fixture
def frozen(app: MockApp) -> dt.datetime:
    return app.clock.freeze(NOW)


# -- the catalogue ----------------------------------------------------------------------------------


def test_the_named_scenarios_ship_each_with_a_one_line_description() -> None:
    listed = dict(list_scenarios())
    assert REQUIRED <= set(listed)
    # One tricky real-world case per API.
    assert {"gitlab-tricky-tags", "sentry-build-versions", "chkk-hidden-projects"} <= set(listed)
    assert all(description and "\n" not in description for description in listed.values())


# -- every shipped scenario loads and is served -----------------------------------------------------


def served_counts(http: httpx.Client, document: t.Mapping[str, t.Any]) -> dict[str, int]:
    """What the server answers about every project, organization and Project the document holds, by place."""
    counts = {}
    for project in document["apis"]["gitlab"]["projects"]:
        reply = http.get(f"/api/v4/projects/{project['id']}/releases", params={"per_page": 1}, headers=GITLAB_ADMIN)
        counts[f"gitlab {project['id']}"] = int(reply.headers["X-Total"])
    for organization in document["apis"]["sentry"]["organizations"]:
        reply = http.get(f"/api/0/organizations/{organization['slug']}/releases/", headers=SENTRY_ADMIN)
        counts[f"sentry {organization['slug']}"] = len(reply.json())
    for project in document["apis"]["chkk"]["projects"]:
        reply = http.get(f"/chkk/projects/{project['id']}/releases/", params={"page_size": 100}, headers=CHKK_ALL)
        counts[f"chkk {project['id']}"] = len(reply.json()["data"])
    return counts


def held_counts(document: t.Mapping[str, t.Any]) -> dict[str, int]:
    apis = document["apis"]
    counts = {f"gitlab {p['id']}": len(p.get("releases", [])) for p in apis["gitlab"]["projects"]}
    for organization in apis["sentry"]["organizations"]:
        # The list shows open releases unless asked for archived ones.
        opened = [release for release in organization.get("releases", []) if release.get("status") != "archived"]
        counts[f"sentry {organization['slug']}"] = min(100, len(opened))
    for project in apis["chkk"]["projects"]:
        mine = [release for release in apis["chkk"]["releases"] if release["project"] == project["id"]]
        counts[f"chkk {project['id']}"] = min(100, len(mine))
    return counts


@pytest.mark.parametrize("name", SHIPPED)
def test_each_scenario_loads_and_is_served_over_http(app: MockApp, http: httpx.Client, name: str) -> None:
    app.load_scenario(name, seed=1)
    exported = app.export_state()
    assert served_counts(http, exported) == held_counts(exported)


def test_many_releases_holds_ten_thousand_more_releases_than_the_default(app: MockApp) -> None:
    def releases(document: t.Mapping[str, t.Any]) -> int:
        apis = document["apis"]
        return (
            sum(len(project["releases"]) for project in apis["gitlab"]["projects"])
            + sum(len(organization["releases"]) for organization in apis["sentry"]["organizations"])
            + len(apis["chkk"]["releases"])
        )

    default = releases(app.export_state())
    app.load_scenario("many-releases")
    # How fast it loads is the bench's to measure (``make bench``), not a test's.
    assert releases(app.export_state()) == default + 10_000


def test_upcoming_releases_are_flagged_for_python_gitlab(
    app: MockApp, server: BackgroundServer, frozen: dt.datetime
) -> None:
    app.load_scenario("upcoming-and-historical", seed=7)
    client = python_gitlab.Gitlab(server.url, private_token=GITLAB_ADMIN["PRIVATE-TOKEN"])
    generated = client.projects.get(26).releases.list(get_all=True)
    upcoming = [release for release in generated if release.upcoming_release]
    assert len(generated) == 61 and len(upcoming) == 12  # 60 generated, a fifth upcoming; plus v2.0.0
    assert all(release.released_at > "2026-06-01T12:00:00" for release in upcoming)
    written = {release.tag_name: release for release in client.projects.get(24).releases.list(get_all=True)}
    assert written["v9.0.0-next"].upcoming_release is True
    assert written["v9.0.0-next"].released_at == "2026-06-08T12:00:00.000Z"  # +7d from the frozen clock
    assert written["v0.0.1-historic"].upcoming_release is False


def test_sentry_health_releases_have_health_data_and_cannot_be_deleted(app: MockApp, http: httpx.Client) -> None:
    app.load_scenario("sentry-health", seed=2)
    releases = http.get(
        "/api/0/organizations/my-org/releases/", params={"health": 1, "per_page": 100}, headers=SENTRY_ADMIN
    ).json()
    healthy = [release for release in releases if any(p["hasHealthData"] for p in release["projects"])]
    assert len(healthy) > 40
    deleted = http.delete(
        f"/api/0/organizations/my-org/releases/{quote('mobile@3.2.0', safe='@')}/", headers=SENTRY_ADMIN
    )
    assert deleted.status_code == 400, deleted.text
    deploys = http.get("/api/0/organizations/my-org/releases/mobile@3.2.0/deploys/", headers=SENTRY_ADMIN).json()
    assert [deploy["environment"] for deploy in deploys] == ["production"]


@pytest.mark.parametrize(
    ("tag", "token", "status"),
    [
        pytest.param("release/2024.06", "glpat-maintainer-000000000001", 200, id="slash"),
        pytest.param("feature/ümlaut-ß", "glpat-maintainer-000000000001", 200, id="unicode"),
        pytest.param("v2.0.0+build.5", "glpat-reporter-000000000001", 200, id="plus-build"),
        pytest.param("日本語/1.0", "glpat-maintainer-000000000001", 200, id="non-latin"),
        pytest.param("release/2024.06", "glpat-outsider-00000000000001", 404, id="hidden-from-outsiders"),
    ],
)
def test_gitlab_tricky_tags(app: MockApp, http: httpx.Client, tag: str, token: str, status: int) -> None:
    app.load_scenario("gitlab-tricky-tags")
    reply = http.get(f"/api/v4/projects/30/releases/{quote(tag, safe='')}", headers={"PRIVATE-TOKEN": token})
    assert reply.status_code == status, reply.text
    if status == 200:
        assert reply.json()["tag_name"] == tag


def test_sentry_build_versions_and_a_project_scoped_token(app: MockApp, http: httpx.Client) -> None:
    app.load_scenario("sentry-build-versions")
    base = "/api/0/organizations/my-org/releases"
    plus = http.get(f"{base}/{quote('ios@4.0.0+1234', safe='@')}/", headers=SENTRY_ADMIN)
    assert plus.status_code == 200 and plus.json()["version"] == "ios@4.0.0+1234"
    mobile_only = {"Authorization": "Bearer sntrys-mock-mobile-only-000000000001"}
    assert http.get(f"{base}/{quote('rel 1 ü')}/", headers=mobile_only).status_code == 404
    assert http.get(f"{base}/{quote('android@4.0.0+build.77', safe='@')}/", headers=mobile_only).status_code == 200
    listed = http.get(f"{base}/", params={"per_page": 100}, headers=SENTRY_ADMIN).json()
    assert sum("+" in release["version"] for release in listed) >= 40


def test_chkk_hidden_project(app: MockApp, http: httpx.Client) -> None:
    app.load_scenario("chkk-hidden-projects")
    path = f"/chkk/projects/proj_9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a10/releases/{quote('3.1.0-rc.1 @nightly ü')}/"
    assert http.get(path, headers=CHKK_ALL).status_code == 200
    scoped = {"Authorization": "Bearer chkk-second-project-token-0001"}
    assert http.get(path, headers=scoped).status_code == 404


# -- determinism ------------------------------------------------------------------------------------


def test_the_same_scenario_and_seed_compile_to_the_same_bytes_and_other_seeds_differ() -> None:
    small = FILES / "small.yaml"
    first, again = (canonical(compile_scenario(str(small), 3, NOW)) for _ in range(2))
    assert first == again
    assert canonical(compile_scenario(str(small), 4, NOW)) != first


def test_loading_twice_exports_the_same_state(app: MockApp, frozen: dt.datetime) -> None:
    app.load_scenario("upcoming-and-historical", seed=5)
    first = canonical(app.export_state())
    app.store.reset()
    app.load_scenario("upcoming-and-historical", seed=5)
    assert canonical(app.export_state()) == first
    app.load_scenario("upcoming-and-historical", seed=6)
    assert canonical(app.export_state()) != first


def test_a_compile_in_another_process_with_another_hash_seed_gives_the_same_bytes() -> None:
    """Nothing depends on the process: set order, hash randomization, the system time."""
    script = (
        "import datetime as dt, hashlib, json, sys; from mockserver.scenarios import compile_scenario; "
        "doc = compile_scenario(sys.argv[1], 3, dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)); "
        "print(hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", script, str(FILES / "small.yaml")], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    here = hashlib.sha256(canonical(compile_scenario(str(FILES / "small.yaml"), 3, NOW)).encode()).hexdigest()
    assert out == here


def test_relative_times_are_relative_to_the_clock_passed_in() -> None:
    later = NOW + dt.timedelta(days=365)
    apis = compile_scenario("upcoming-and-historical", 1, later)["apis"]
    written = {release["tag_name"]: release for release in apis["gitlab"]["projects"][0]["releases"]}
    assert written["v9.0.0-next"]["released_at"] == "2027-06-08T12:00:00.000000Z"


def test_the_scenarios_package_never_reads_the_system_time() -> None:
    sources = (PROJECT_ROOT / "mockserver" / "scenarios").rglob("*.py")
    offenders = [f for f in sources if re.search(r"\b(datetime|dt)\.(now|utcnow|today)\(|time\.time\(", f.read_text())]
    assert offenders == []


# -- bad scenarios ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "line", "where", "reason"),
    [
        pytest.param("schema-error.yaml", 7, "/gitlab/projects/0/generate/count", "'many' is not of type 'integer'",
                     id="schema"),
        pytest.param("bad-reference.yaml", 8, "/sentry/organizations/0/releases/0/projects/0",
                     "no project 'no-such-project' in this organization", id="reference"),
        pytest.param("bad-record.yaml", 9, "/gitlab/projects/0/releases/0/tag_name", "'' should be non-empty",
                     id="fixture-schema"),
        pytest.param("not-yaml.yaml", 2, "/", "not valid YAML", id="yaml"),
    ],
)  # fmt: skip
def test_a_bad_scenario_is_refused_with_file_line_place_and_reason_and_nothing_changes(
    app: MockApp, file: str, line: int, where: str, reason: str
) -> None:
    before = canonical(app.export_state())
    with pytest.raises(ScenarioError) as raised:
        app.load_scenario(str(FILES / file))
    error = raised.value
    assert (error.file.name, error.line, error.where) == (file, line, where)
    assert reason in error.reason
    assert str(error).startswith(f"{FILES / file}: line {line}, at {where}: ")
    assert canonical(app.export_state()) == before


def test_an_unknown_scenario_name_lists_the_shipped_ones(app: MockApp) -> None:
    with pytest.raises(ScenarioError, match="no such scenario; the scenarios are chkk-hidden-projects, default"):
        app.load_scenario("nope")


def test_upcoming_releases_need_a_span_that_reaches_past_now(tmp_path: pathlib.Path) -> None:
    file = tmp_path / "s.yaml"
    file.write_text("description: x\ngitlab:\n  projects:\n    - id: 24\n      generate: {count: 5, upcoming: 0.5}\n")
    with pytest.raises(ScenarioError, match=r"line 5, at /gitlab/projects/0/generate: upcoming releases need"):
        compile_scenario(str(file), 1, NOW)


def test_an_app_serving_some_apis_loads_only_their_parts() -> None:
    from mockserver import Settings, create_app

    app = create_app(Settings(apis=("chkk",)))
    app.load_scenario("chkk-hidden-projects")
    exported = app.export_state()
    assert list(exported["apis"]) == ["chkk"]
    assert any(release["version"] == "3.0.0+eks.2" for release in exported["apis"]["chkk"]["releases"])


def test_an_unexpected_member_is_pointed_at_on_its_own_line(tmp_path: pathlib.Path) -> None:
    file = tmp_path / "s.yaml"
    file.write_text("description: x\nbase: default\ngitlb: {}\n")
    with pytest.raises(ScenarioError, match=r"line 3, at /gitlb: Additional properties are not allowed"):
        compile_scenario(str(file), 1, NOW)


def test_a_span_wholly_ahead_makes_every_release_upcoming(tmp_path: pathlib.Path) -> None:
    file = tmp_path / "s.yaml"
    file.write_text(
        "description: x\ngitlab:\n  projects:\n    - id: 26\n"
        "      generate: {count: 10, released_at: {from: +1d, to: +30d}}\n"
    )
    releases = compile_scenario(str(file), 1, NOW)["apis"]["gitlab"]["projects"][2]["releases"]
    generated = releases[1:]
    assert len(generated) == 10
    assert all("2026-06-02" <= release["released_at"] <= "2026-07-01T12" for release in generated)
