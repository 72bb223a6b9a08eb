"""Sentry's state as data: the dump is valid fixture data, loading it gives the same rows, failed writes leave none."""

from __future__ import annotations

import datetime as dt
import typing as t

import httpx
import pytest

from mockserver import MockApp, Settings
from mockserver.apis.sentry import PLUGIN
from mockserver.errors import Conflict
from mockserver.store import ApiData

ORG = "/organizations/my-org/releases/"
NOW = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def spec_of(app: MockApp) -> dict[str, t.Any]:
    return next(spec.raw for plugin, spec in app.mounts.values() if plugin.name == "sentry")


def loaded(app: MockApp, seed: t.Any) -> ApiData:
    data = app.store.fresh("sentry")
    PLUGIN.load_state(data, seed, NOW)
    return data


def dumped(data: ApiData) -> t.Any:
    return PLUGIN.dump_state(data)


def checked(app: MockApp, seed: t.Any) -> t.Any:
    return PLUGIN.check_seed(seed, spec_of(app))


def assert_round_trip(app: MockApp, data: ApiData) -> ApiData:
    """The dump is valid fixture data, and loading it gives the same fixture data and the same rows."""
    first = dumped(data)
    checked(app, first)
    reloaded = loaded(app, first)
    assert dumped(reloaded) == first
    assert reloaded.dump() == data.dump()
    return reloaded


def test_the_fixture_world_round_trips_exactly(app: MockApp) -> None:
    seed = PLUGIN.load_seed(Settings().fixtures_dir / "sentry", spec_of(app))
    data = loaded(app, seed)
    assert data.dump() == app.store.dump("sentry")
    assert_round_trip(app, data)


def test_the_dump_says_what_fixtures_leave_out(app: MockApp) -> None:
    world = dumped(app.store.state("sentry"))
    releases = {release["version"]: release for release in world["organizations"][0]["releases"]}
    assert releases["control@abc123"]["deploys"][0]["projects"] == ["sentry"]
    assert releases["control@abc123"]["commits"][0]["timestamp"] == "2024-05-21T11:04:55.000000Z"
    assert world["sequences"] == {"id": 2000000001}, "the largest id the fixtures hold"


def write_a_little_of_everything(sentry: httpx.Client) -> None:
    def expect(status: int, response: httpx.Response) -> httpx.Response:
        assert response.status_code == status, response.text
        return response

    commits = [{"id": "c1", "author_name": "Ann"}, {"id": "c2", "repository": "my-org/my-repo"}]
    body = {"version": "state@1.0.0", "projects": ["my-project", "sentry"], "ref": "main", "commits": commits}
    expect(201, sentry.post(ORG, json=body))
    expect(201, sentry.post(ORG, json={"version": "gone@1.0.0", "projects": ["my-project"]}))
    update = {"dateReleased": "2030-01-01T00:00:00Z", "url": "https://x.example/"}
    expect(200, sentry.put(ORG + "state@1.0.0/", json=update))
    expect(201, sentry.post(ORG, json={"version": "frontend@1.0.0", "projects": ["mobile"], "status": "archived"}))
    for environment in ("staging", "production"):
        deploy = {"environment": environment, "projects": ["sentry"]}
        expect(201, sentry.post(ORG + "state@1.0.0/deploys/", json=deploy))
    files = ORG + "state@1.0.0/files/"
    uploaded = [
        expect(201, sentry.post(files, files={"file": ("a.js", b"same")}, data={"name": name, "header": ["X-A: b"]}))
        for name in ("~/a.js", "~/b.js", "~/c.js")
    ]
    expect(201, sentry.post(files, files={"file": ("d.js", b"\x00\xffbin")}, data={"name": "~/d.js", "dist": "7"}))
    expect(200, sentry.put(f"{files}{uploaded[0].json()['id']}/", json={"name": "~/renamed.js"}))
    expect(204, sentry.delete(f"{files}{uploaded[1].json()['id']}/"))
    expect(201, sentry.post(ORG + "gone@1.0.0/deploys/", json={"environment": "qa"}))
    expect(201, sentry.post(ORG + "gone@1.0.0/files/", files={"file": ("g.js", b"only")}, data={"name": "~/g.js"}))
    expect(204, sentry.delete(ORG + "gone@1.0.0/"))


def observed(sentry: httpx.Client) -> list[t.Any]:
    """What clients see of the written world."""
    files = sentry.get(ORG + "state@1.0.0/files/").json()
    return [
        sentry.get(ORG).json(),
        sentry.get(ORG, params={"status": "archived"}).json(),
        sentry.get("/projects/my-org/sentry/releases/").json(),
        sentry.get(ORG + "state@1.0.0/").json(),
        sentry.get(ORG + "state@1.0.0/deploys/").json(),
        sentry.get(ORG + "state@1.0.0/commits/").json(),
        sentry.get(ORG + "gone@1.0.0/").status_code,
        files,
        [sentry.get(f"{ORG}state@1.0.0/files/{file['id']}/", params={"download": "1"}).content for file in files],
        sentry.post(ORG, json={"version": "next@1", "projects": []}).json()["id"],
    ]


def test_after_writes_over_http_the_dump_round_trips_and_answers_the_same(app: MockApp, sentry: httpx.Client) -> None:
    write_a_little_of_everything(sentry)
    data = app.store.state("sentry")
    assert len(data.blobs) == 2, "a content uploaded three times is kept once; a deleted release's file goes"
    reloaded = assert_round_trip(app, data)
    again = loaded(app, dumped(reloaded))
    assert again.dump() == reloaded.dump(), "once loaded from a dump, the order is the dump's"
    before = observed(sentry)
    app.store.reset("sentry")
    app.store.install({"sentry": reloaded})
    assert observed(sentry) == before


def test_deleting_the_last_file_with_a_content_drops_the_content(app: MockApp, sentry: httpx.Client) -> None:
    files = ORG + "frontend@1.0.0/files/"
    first = sentry.post(files, files={"file": ("a.js", b"shared")}, data={"name": "~/a.js"}).json()
    second = sentry.post(files, files={"file": ("b.js", b"shared")}, data={"name": "~/b.js"}).json()
    blobs = app.store.state("sentry").blobs
    sentry.delete(f"{files}{first['id']}/")
    assert first["sha1"] in blobs
    sentry.delete(f"{files}{second['id']}/")
    assert first["sha1"] not in blobs


def test_an_upload_over_the_size_limit_is_413_and_writes_nothing(app: MockApp, sentry: httpx.Client) -> None:
    data = app.store.state("sentry")
    data.blobs.limit = 10  # the store's limit, made small for the test; a reset restores it
    before = data.dump()
    files = ORG + "frontend@1.0.0/files/"
    response = sentry.post(files, files={"file": ("big.js", b"x" * 11)}, data={"name": "~/big.js"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "File too large: 11 bytes, at most 10 may be uploaded."}
    assert data.dump() == before
    assert sentry.post(files, files={"file": ("ok.js", b"x" * 10)}, data={"name": "~/big.js"}).status_code == 201


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("POST", ORG, {"version": "x@1", "projects": ["nope"]}, id="create-unknown-project"),
        pytest.param(
            "POST",
            ORG,
            {"version": "x@1", "projects": [], "refs": [{"repository": "no/repo", "commit": "a"}]},
            id="create-unknown-repo",
        ),
        pytest.param("DELETE", ORG + "mobile@3.1.0/", None, id="delete-with-health-data"),
        pytest.param(
            "POST",
            ORG + "frontend@1.0.0/deploys/",
            {"environment": "p", "projects": ["sentry"]},
            id="deploy-outside-release",
        ),
        pytest.param("PUT", ORG + "nope@1/", {"ref": "x"}, id="update-missing"),
    ],
)
def test_a_rejected_write_changes_nothing(
    app: MockApp, sentry: httpx.Client, method: str, path: str, body: t.Any
) -> None:
    before = app.store.dump("sentry")
    response = sentry.request(method, path, json=body)
    assert 400 <= response.status_code < 500
    assert app.store.dump("sentry") == before


def test_a_write_that_fails_half_way_is_rolled_back(
    app: MockApp, sentry: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockserver.apis.sentry.state import SentryState

    def refuse(self: SentryState, release: t.Any, commits: t.Any) -> None:
        raise Conflict("Release commits are currently being processed")

    before = app.store.dump("sentry")
    # The release row and its project links are written before the commits are set.
    monkeypatch.setattr(SentryState, "set_commits", refuse)
    response = sentry.post(ORG, json={"version": "half@1", "projects": ["my-project"], "commits": [{"id": "a"}]})
    assert response.status_code == 409
    assert app.store.dump("sentry") == before


def test_a_dump_with_a_wrong_checksum_is_refused(app: MockApp, sentry: httpx.Client) -> None:
    from mockserver.fixtures import FixtureError

    sentry.post(ORG + "frontend@1.0.0/files/", files={"file": ("a.js", b"abc")}, data={"name": "~/a.js"})
    world = dumped(app.store.state("sentry"))
    file = world["organizations"][0]["releases"][2]["files"][0]
    file["sha1"] = "0" * 40
    with pytest.raises(FixtureError, match="SHA-1"):
        checked(app, world)


PROJECT = "/projects/my-org/my-project/releases/"


def test_project_scoped_writes_round_trip_and_answer_the_same(app: MockApp, sentry: httpx.Client) -> None:
    def expect(status: int, response: httpx.Response) -> httpx.Response:
        assert response.status_code == status, response.text
        return response

    expect(201, sentry.post(PROJECT, json={"version": "p@1", "commits": [{"id": "c1"}]}))
    expect(201, sentry.post(PROJECT, json={"version": "control@abc123", "status": "archived"}))
    expect(208, sentry.post(PROJECT, json={"version": "p@1", "status": "archived"}))
    expect(200, sentry.put(PROJECT + "frontend@1.0.0/", json={"dateReleased": "2031-01-01T00:00:00Z"}))
    files = PROJECT + "frontend@1.0.0/files/"
    uploaded = expect(201, sentry.post(files, files={"file": ("a.js", b"a")}, data={"name": "~/a.js", "dist": "d"}))
    expect(200, sentry.put(f"{files}{uploaded.json()['id']}/", json={"name": "~/b.js"}))
    expect(201, sentry.post(files, files={"file": ("c.js", b"c")}, data={"name": "~/c.js"}))
    expect(204, sentry.delete(f"{files}{uploaded.json()['id']}/"))
    expect(204, sentry.delete(PROJECT + "my-app@2.0.0+build.7/"))

    def seen() -> list[t.Any]:
        return [
            sentry.get(PROJECT).json(),
            sentry.get(ORG, params={"status": "archived"}).json(),
            sentry.get(files).json(),
            sentry.get("/organizations/my-org/projects/").json(),
        ]

    reloaded = assert_round_trip(app, app.store.state("sentry"))
    before = seen()
    assert [release["version"] for release in before[0]] == ["frontend@1.0.0"]
    app.store.reset("sentry")
    app.store.install({"sentry": reloaded})
    assert seen() == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("POST", PROJECT, {"version": "latest"}, id="create-bad-version"),
        pytest.param("DELETE", "/projects/my-org/mobile/releases/mobile@3.1.0/", None, id="delete-with-health-data"),
        pytest.param("PUT", PROJECT + "control@abc123/", {"ref": "x"}, id="update-release-of-another-project"),
        pytest.param("POST", "/projects/my-org/nope/releases/", {"version": "x@1"}, id="unknown-project"),
    ],
)
def test_a_rejected_project_scoped_write_changes_nothing(
    app: MockApp, sentry: httpx.Client, method: str, path: str, body: t.Any
) -> None:
    before = app.store.dump("sentry")
    response = sentry.request(method, path, json=body)
    assert 400 <= response.status_code < 500
    assert app.store.dump("sentry") == before


def test_a_project_scoped_create_that_fails_half_way_is_rolled_back(
    app: MockApp, sentry: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockserver.apis.sentry.state import SentryState

    def refuse(self: SentryState, release: t.Any, commits: t.Any) -> None:
        raise Conflict("Release commits are currently being processed")

    before = app.store.dump("sentry")
    monkeypatch.setattr(SentryState, "set_commits", refuse)
    response = sentry.post(PROJECT, json={"version": "half@1", "commits": [{"id": "a"}]})
    assert response.status_code == 409
    assert app.store.dump("sentry") == before
