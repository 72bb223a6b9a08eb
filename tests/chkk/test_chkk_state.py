"""Chkk's state as data: fixtures in, the same fixture form out, exactly; after changes too; rollback on failure."""

from __future__ import annotations

import copy
import datetime as dt
import pathlib
import typing as t

import httpx
import pytest

from mockserver import MockApp
from mockserver.apis.chkk import PLUGIN
from mockserver.apis.chkk.state import ChkkState
from mockserver.fixtures import FixtureError
from mockserver.settings import PROJECT_ROOT
from mockserver.store import ApiData
from tests.chkk.conftest import CERT_MANAGER, EMPTY, ISTIO, ODD_VERSION, SECOND_ONLY, SPEC

FIXTURES = PROJECT_ROOT / "fixtures" / "chkk"
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

# A release dated in another zone than UTC, and newer than every istio release but one.
LATE_NIGHT = {
    "title": "v2.0.0",
    "published_on": "2024-06-20",
    "project": ISTIO,
    "release_series": "2.0",
    "version": "2.0.0",
    "created_by": "test",
    "created_on": "2024-06-20T11:30:00+02:00",
    "last_modified_by": "test",
    "last_modified_on": "2024-06-20T11:30:00+02:00",
}


def seed() -> dict[str, t.Any]:
    return PLUGIN.load_seed(FIXTURES, SPEC)


def loaded(fixture: t.Any) -> ApiData:
    data = ApiData(PLUGIN.tables)
    PLUGIN.load_state(data, fixture, NOW)
    return data


def dumped(data: ApiData) -> t.Any:
    return PLUGIN.dump_state(data)


def change_the_world(data: ApiData) -> None:
    """What Chkk's read-only API cannot do: rows put and deleted directly in its tables."""
    ChkkState(data).put_release(LATE_NIGHT)
    data.table("releases").delete(ISTIO, "1.5.11")
    data.table("projects").put({"id": "proj_11111111-2222-4333-8444-555555555555", "name": "late"})
    data.table("tokens").put({"token": "chkk-late-token-0001", "projects": [EMPTY, ISTIO]})


def test_the_dump_of_the_fixtures_is_the_fixtures() -> None:
    # The same rows, in the store's order (primary keys) rather than the files' order.
    fixture = seed()
    dump = dumped(loaded(copy.deepcopy(fixture)))
    assert dump.keys() == fixture.keys()
    for part, rows in dump.items():
        assert sorted(map(repr, rows)) == sorted(map(repr, fixture[part])), part


def test_the_dump_passes_check_seed() -> None:
    dump = dumped(loaded(seed()))
    assert PLUGIN.check_seed(copy.deepcopy(dump), SPEC) == dump


@pytest.mark.parametrize("changed", [pytest.param(False, id="fixtures"), pytest.param(True, id="after-changes")])
def test_round_trip_is_exact(changed: bool) -> None:
    first = loaded(seed())
    if changed:
        change_the_world(first)
    again = loaded(dumped(first))
    assert dumped(again) == dumped(first)
    assert again.dump() == first.dump()


def test_the_sort_field_is_the_stored_moment() -> None:
    # Fixtures write created_on in any zone; the index orders on one form, so strings compare as moments.
    data = loaded(seed())
    ChkkState(data).put_release(LATE_NIGHT)
    row = data.table("releases").get(ISTIO, "2.0.0")
    assert row is not None
    assert row["created_at"] == "2024-06-20T09:30:00.000000Z"
    assert row["release"]["created_on"] == "2024-06-20T11:30:00+02:00"


@pytest.mark.parametrize(
    ("part", "change", "where", "reason"),
    [
        pytest.param(
            "releases",
            lambda rows: rows[2].update(project=EMPTY[:-1] + "0"),
            "/2/project",
            "no Project",
            id="no-project",
        ),
        pytest.param(
            "releases", lambda rows: rows.append(dict(rows[0])), "/11/version", "appears twice", id="duplicate"
        ),
        pytest.param(
            "tokens",
            lambda rows: rows[1].update(projects=[EMPTY[:-1] + "0"]),
            "/1/projects/0",
            "no Project",
            id="scope",
        ),
        pytest.param("releases", lambda rows: rows[0].update(extra=1), "/0", "Additional properties", id="schema"),
    ],
)
def test_check_seed_names_the_part_the_place_and_the_reason(
    part: str, change: t.Callable[[t.Any], None], where: str, reason: str
) -> None:
    fixture = seed()
    change(fixture[part])
    with pytest.raises(FixtureError) as raised:
        PLUGIN.check_seed(fixture, SPEC)
    assert (raised.value.file, raised.value.where) == (pathlib.Path("chkk", part), where)
    assert reason in raised.value.reason


def put_only(data: ApiData) -> None:
    ChkkState(data).put_release(LATE_NIGHT)
    ChkkState(data).put_release({**LATE_NIGHT, "version": "1.5.11", "title": "replaced"})
    data.table("tokens").put({"token": "chkk-late-token-0001", "projects": [EMPTY, ISTIO]})


@pytest.mark.parametrize(
    "writes", [pytest.param(put_only, id="puts"), pytest.param(change_the_world, id="puts-and-deletes")]
)
def test_a_failed_transaction_leaves_the_data_unchanged(app: MockApp, writes: t.Callable[[ApiData], None]) -> None:
    before = app.store.dump("chkk")
    with pytest.raises(LookupError), app.store.transaction("chkk") as data:
        writes(data)
        raise LookupError("after the writes")
    assert app.store.dump("chkk") == before


def answers(http: httpx.Client) -> list[tuple[int, t.Any]]:
    """What the API says about every Project and a few releases, for every token (and none)."""
    replies = []
    for token in ("chkk-all-projects-token-0001", SECOND_ONLY, "chkk-late-token-0001", None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for project in (ISTIO, CERT_MANAGER, EMPTY, "proj_11111111-2222-4333-8444-555555555555"):
            for path in ("releases/", "releases/?page_size=3", "releases/2.0.0/", "releases/1.5.11/"):
                reply = http.get(f"/chkk/projects/{project}/{path}", headers=headers)
                replies.append((reply.status_code, reply.json()))
        reply = http.get(f"/chkk/projects/{ISTIO}/releases/{ODD_VERSION}/", headers=headers)
        replies.append((reply.status_code, reply.json()))
    return replies


def test_the_reloaded_world_answers_the_same_over_http(app: MockApp, http: httpx.Client) -> None:
    with app.store.transaction("chkk") as data:
        change_the_world(data)
    before = answers(http)
    assert (200, LATE_NIGHT) in before
    app.store.install({"chkk": app.store.build("chkk", dumped(app.store.state("chkk")))})
    assert answers(http) == before


def test_moving_the_clock_leaves_chkk_unchanged(app: MockApp) -> None:
    before = app.store.dump("chkk")
    app.clock.freeze(dt.datetime(1999, 12, 31, tzinfo=dt.UTC))
    app.store.reset("chkk")
    assert app.store.dump("chkk") == before
