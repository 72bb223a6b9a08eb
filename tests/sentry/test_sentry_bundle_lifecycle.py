"""An artifact bundle over HTTP: assembling for its organization's assembly time on the app's clock, then deleted."""

from __future__ import annotations

import pathlib
import typing as t

import httpx
import pytest

from mockserver import MockApp
from mockserver.serving import BackgroundServer
from tests.sentry.conftest import READ
from tests.sentry.test_sentry_bundles import BUNDLES, DEBUG_ID, assemble, bundle, sha1, split, upload
from tests.sentry.test_sentry_state import assert_round_trip

META = "/organizations/my-org/releases/1.0.0/meta/"
FILES = f"/projects/my-org/my-project/artifact-bundles/{DEBUG_ID}/files/"
MOMENT = "2026-03-01T12:00:00Z"
ASSEMBLING = {"state": "assembling", "detail": None, "missingChunks": []}
OK = {"state": "ok", "detail": None, "missingChunks": []}


@pytest.fixture
def admin(server: BackgroundServer) -> t.Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{server.url}/__admin", timeout=10) as client:
        yield client


def slow_assembly(app: MockApp, tmp_path: pathlib.Path, seconds: float) -> None:
    """The README's way: a scenario that gives the organization an assembly time."""
    scenario = tmp_path / "slow-assembly.yaml"
    scenario.write_text(
        "description: Sentry takes a while to assemble bundles\n"
        f"sentry:\n  organizations:\n    - {{slug: my-org, assemblySeconds: {seconds}}}\n"
    )
    app.load_scenario(str(scenario))


def uploaded(sentry: httpx.Client, content: bytes, **extra: t.Any) -> dict[str, t.Any]:
    """The chunks sent, then the first complete assemble's answer."""
    parts = split(content, 100)
    assert upload(sentry, parts).status_code == 200
    return t.cast(dict[str, t.Any], assemble(sentry, content, parts, **extra).json())


def shown(sentry: httpx.Client) -> tuple[t.Any, ...]:
    """Where Sentry shows a bundle: the release's meta, the project's list, the bundle's files."""
    meta = sentry.get(META).json()
    listed = [item["bundleId"] for item in sentry.get(BUNDLES).json()]
    return (meta["releaseFileCount"], meta["isArtifactBundle"]), listed, sentry.get(FILES).status_code


def test_a_bundle_is_assembling_until_its_assembly_time_has_passed_on_the_clock(
    app: MockApp, tmp_path: pathlib.Path, sentry: httpx.Client, admin: httpx.Client
) -> None:
    slow_assembly(app, tmp_path, 3)
    admin.put("/clock", json={"now": MOMENT, "frozen": True}).raise_for_status()
    sentry.post("/organizations/my-org/releases/", json={"version": "1.0.0", "projects": ["my-project"]})
    content = bundle()
    poll = {"checksum": sha1(content), "chunks": [], "projects": ["my-project"]}

    assert uploaded(sentry, content) == {"state": "created", "missingChunks": []}
    assert sentry.post("/organizations/my-org/artifactbundle/assemble/", json=poll).json() == ASSEMBLING
    assert shown(sentry) == ((0, False), [], 400)
    # A delete finds nothing yet, as in Sentry before its task is done, and changes nothing.
    assert sentry.delete(BUNDLES, params={"bundleId": DEBUG_ID}).status_code == 204

    # The state as it stands, mid-assembly, goes out and comes back exactly.
    world = admin.get("/state").json()
    [status] = world["apis"]["sentry"]["assemble_statuses"]
    assert (status["state"], status["started"]) == ("ok", "2026-03-01T12:00:00.000000Z")
    assert_round_trip(app, app.store.state("sentry"))
    admin.put("/state", json=world).raise_for_status()

    admin.post("/clock/advance", json={"seconds": 2.5}).raise_for_status()
    assert sentry.post("/organizations/my-org/artifactbundle/assemble/", json=poll).json() == ASSEMBLING
    admin.post("/clock/advance", json={"seconds": 0.5}).raise_for_status()
    assert sentry.post("/organizations/my-org/artifactbundle/assemble/", json=poll).json() == OK
    assert shown(sentry) == ((2, True), [DEBUG_ID], 200)


def test_a_failing_assembly_is_assembling_first_then_reports_its_error(
    app: MockApp, tmp_path: pathlib.Path, sentry: httpx.Client, admin: httpx.Client
) -> None:
    slow_assembly(app, tmp_path, 60)
    admin.put("/clock", json={"now": MOMENT, "frozen": True}).raise_for_status()
    assert uploaded(sentry, b"not a zip")["state"] == "created"
    again = {"checksum": sha1(b"not a zip"), "chunks": [sha1(b"not a zip")], "projects": ["my-project"]}
    assert sentry.post("/organizations/my-org/artifactbundle/assemble/", json=again).json() == ASSEMBLING
    admin.post("/clock/advance", json={"seconds": 60}).raise_for_status()
    answer = sentry.post("/organizations/my-org/artifactbundle/assemble/", json=again).json()
    assert (answer["state"], answer["detail"]) == ("error", "the bundle is invalid")


def test_a_seeded_assembling_status_never_ends_and_hides_its_bundle(
    app: MockApp, sentry: httpx.Client, admin: httpx.Client
) -> None:
    sentry.post("/organizations/my-org/releases/", json={"version": "1.0.0", "projects": ["my-project"]})
    content = bundle()
    uploaded(sentry, content)
    world = admin.get("/state").json()
    [status] = world["apis"]["sentry"]["assemble_statuses"]
    status["state"] = "assembling"
    del status["started"]
    admin.put("/state", json=world).raise_for_status()
    assert_round_trip(app, app.store.state("sentry"))

    admin.post("/clock/advance", json={"seconds": 365 * 86400}).raise_for_status()
    assert assemble(sentry, content, []).json() == ASSEMBLING
    assert shown(sentry) == ((0, False), [], 400)


def test_without_an_assembly_time_a_clock_set_back_still_answers_the_outcome(
    sentry: httpx.Client, admin: httpx.Client
) -> None:
    content = bundle()
    assert uploaded(sentry, content)["state"] == "created"
    admin.post("/clock/advance", json={"seconds": -3600}).raise_for_status()
    assert assemble(sentry, content, []).json() == OK


def test_deleting_a_bundle_of_the_project_alone_removes_it_and_lets_it_be_assembled_again(
    app: MockApp, sentry: httpx.Client
) -> None:
    sentry.post("/organizations/my-org/releases/", json={"version": "1.0.0", "projects": ["my-project"]})
    content = bundle()
    uploaded(sentry, content)
    assert shown(sentry) == ((2, True), [DEBUG_ID], 200)

    deleted = sentry.delete(BUNDLES, params={"bundleId": DEBUG_ID})
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert shown(sentry) == ((0, False), [], 400)
    assert sha1(content) not in app.store.state("sentry").blobs
    # Its chunks stay; its outcome is forgotten, so the same upload assembles it again.
    assert uploaded(sentry, content) == {"state": "created", "missingChunks": []}
    assert shown(sentry) == ((2, True), [DEBUG_ID], 200)


def test_deleting_a_shared_bundle_unbinds_it_from_the_project_only(sentry: httpx.Client) -> None:
    uploaded(sentry, bundle(), projects=["my-project", "sentry"])
    other = "/projects/my-org/sentry/files/artifact-bundles/"

    assert sentry.delete(BUNDLES, params={"bundleId": DEBUG_ID}).status_code == 204
    assert sentry.get(BUNDLES).json() == []
    assert [item["bundleId"] for item in sentry.get(other).json()] == [DEBUG_ID]
    again = sentry.delete(BUNDLES, params={"bundleId": DEBUG_ID})
    assert (again.status_code, again.json()) == (
        404,
        {"error": f"Artifact bundle with {DEBUG_ID} found but it is not connected to project 2"},
    )
    assert sentry.delete(other, params={"bundleId": DEBUG_ID}).status_code == 204
    assert sentry.get(other).json() == []


@pytest.mark.parametrize(
    ("path", "params", "token", "status", "body"),
    [
        pytest.param(BUNDLES, {}, None, 404, {"error": "Supplied an invalid bundle_id None"}, id="no-bundle-id"),
        pytest.param(BUNDLES, {"bundleId": "nope"}, None, 204, None, id="unknown-bundle"),
        pytest.param(BUNDLES, {"bundleId": DEBUG_ID}, READ, 403, None, id="read-only-token"),
        pytest.param(
            "/projects/my-org/nope/files/artifact-bundles/",
            {"bundleId": DEBUG_ID},
            None,
            404,
            {"detail": "The requested resource does not exist"},
            id="unknown-project",
        ),
    ],
)
def test_a_delete_that_removes_nothing_leaves_the_bundle(
    sentry: httpx.Client,
    as_token: t.Callable[[str | None], httpx.Client],
    path: str,
    params: dict[str, str],
    token: str | None,
    status: int,
    body: t.Any,
) -> None:
    uploaded(sentry, bundle())
    answer = (as_token(token) if token else sentry).delete(path, params=params)
    assert answer.status_code == status
    if body is not None:
        assert answer.json() == body
    assert [item["bundleId"] for item in sentry.get(BUNDLES).json()] == [DEBUG_ID]
