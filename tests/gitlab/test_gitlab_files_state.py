"""Uploads and generic packages as data: written over HTTP, dumped to the fixture form and loaded back exactly."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import typing as t

import httpx
import pytest

from mockserver import MockApp, Settings
from mockserver.apis.gitlab import PLUGIN
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


def files_written(gitlab: httpx.Client) -> list[str]:
    """Uploads and package files in two projects; the paths that read them back."""
    image = gitlab.post("/projects/24/uploads", files={"file": ("dk.png", b"\x89PNG")}).json()
    private = gitlab.post("/projects/25/uploads", files={"file": ("notes.txt", b"n")}).json()
    for path, content in [
        ("/projects/24/packages/generic/app/1.0.0/app.tgz?status=hidden", b"one"),
        ("/projects/24/packages/generic/app/1.0.0/app.tgz", b"two"),
        ("/projects/24/packages/generic/app/1.0.1/app.tgz", b"three"),
        ("/projects/25/packages/generic/lib/2/lib.bin", bytes(range(256))),
    ]:
        assert gitlab.put(path, content=content).status_code == 201
    return [
        f"/projects/24{image['url']}",
        f"/projects/25{private['url']}",
        "/projects/24/packages/generic/app/1.0.0/app.tgz",
        "/projects/24/packages/generic/app/1.0.1/app.tgz",
        "/projects/25/packages/generic/lib/2/lib.bin",
    ]


def test_uploads_and_packages_round_trip_exactly_and_answer_the_same(
    app: MockApp, gitlab: httpx.Client, spec: t.Any
) -> None:
    app.clock.freeze(MOMENT)
    reads = files_written(gitlab)
    before = [gitlab.get(path).content for path in reads]
    written = app.store.state("gitlab")
    dump = dumped(written)
    project = dump["projects"][0]
    assert [upload["filename"] for upload in project["uploads"]] == ["dk.png"]
    assert base64.b64decode(project["uploads"][0]["content"]) == b"\x89PNG"
    assert [(package["version"], package["status"], len(package["files"])) for package in project["packages"]] == [
        ("1.0.0", "hidden", 2),
        ("1.0.1", "default", 1),
    ]
    assert PLUGIN.check_seed(copy.deepcopy(dump), spec) == dump
    reloaded = loaded(app, dump)
    assert dumped(reloaded) == dump
    assert reloaded.dump() == written.dump()
    app.store.install({"gitlab": reloaded})
    assert [gitlab.get(path).content for path in reads] == before


def test_ids_of_files_in_fixtures_count_on_for_new_ones(app: MockApp, gitlab: httpx.Client) -> None:
    files_written(gitlab)
    dump = dumped(app.store.state("gitlab"))
    del dump["sequences"]
    largest = dump["projects"][1]["packages"][0]["files"][0]["id"]
    app.store.install({"gitlab": loaded(app, dump)})
    upload = gitlab.post("/projects/24/uploads", files={"file": ("n.txt", b"n")}).json()
    assert upload["id"] == largest + 1


def test_an_upload_by_an_unknown_user_is_refused(app: MockApp, seed: t.Any, spec: t.Any) -> None:
    changed = copy.deepcopy(seed)
    changed["projects"][0]["uploads"] = [
        {"id": 99, "secret": "0" * 32, "filename": "a.txt", "content": "YQ==", "uploaded_by": "nobody"}
    ]
    with pytest.raises(FixtureError, match="no user named 'nobody'"):
        PLUGIN.check_seed(changed, spec)


def test_a_failed_upload_leaves_the_data_as_it_was(app: MockApp, gitlab: httpx.Client) -> None:
    files_written(gitlab)
    before = app.store.state("gitlab").dump()
    response = gitlab.post("/projects/24/uploads", files={"other": ("x.txt", b"x")})
    assert response.status_code == 400
    response = gitlab.put("/projects/24/packages/generic/app/1.0.0/%2E%2E", content=b"x")
    assert response.status_code == 400
    assert app.store.state("gitlab").dump() == before
