"""Session health of releases, as the sentry-health scenario seeds it, over real HTTP: the figures Sentry
derives (crash-free rates, adoption), the series, the adoption stages, and the fixture form that holds them."""

from __future__ import annotations

import datetime as dt
import typing as t

import httpx
import pytest

from mockserver import MockApp
from mockserver.fixtures import FixtureError
from mockserver.serving import BackgroundServer
from tests.sentry.conftest import ADMIN, client

NOW = dt.datetime(2026, 6, 1, 12, 30, tzinfo=dt.UTC)
DAY = 86400
LATEST = "/organizations/my-org/releases/mobile@3.2.0/"
REPLACED = "/organizations/my-org/releases/mobile@3.1.0/"


@pytest.fixture
def healthy(app: MockApp, server: BackgroundServer) -> t.Iterator[httpx.Client]:
    app.clock.freeze(NOW)
    app.load_scenario("sentry-health", seed=4)
    with client(server, ADMIN) as admin:
        yield admin


def mobile(release: t.Mapping[str, t.Any]) -> t.Any:
    (project,) = [project for project in release["projects"] if project["slug"] == "mobile"]
    return project


def test_the_latest_release_shows_its_crashes_and_adoption(healthy: httpx.Client) -> None:
    figures = mobile(healthy.get(LATEST, params={"health": "1"}).json())["healthData"]
    assert figures["hasHealthData"] is True
    assert (figures["totalSessions"], figures["sessionsCrashed"], figures["sessionsErrored"]) == (20000, 1200, 2600)
    assert figures["crashFreeSessions"] == pytest.approx(94.0)  # 1,200 of 20,000 sessions crashed
    assert figures["crashFreeUsers"] == pytest.approx(90.5)  # 380 of 4,000 users
    assert figures["adoption"] == pytest.approx(2500 / 3000 * 100)  # users of the last 24 hours
    assert figures["sessionsAdoption"] == pytest.approx(80.0)
    assert (figures["totalUsers24h"], figures["totalProjectUsers24h"]) == (2500, 3000)
    assert (figures["durationP50"], figures["durationP90"]) == (41.0, 380.5)


def test_the_series_spreads_the_total_from_the_release_on(healthy: httpx.Client) -> None:
    """Sentry sizes the series by summaryStatsPeriod (14 days by default) and names it by healthStatsPeriod."""
    stats = mobile(healthy.get(LATEST, params={"health": "1"}).json())["healthData"]["stats"]
    series = stats["24h"]
    assert list(stats) == ["24h"] and len(series) == 14
    starts = [start for start, _count in series]
    assert starts == sorted(starts) and {b - a for a, b in zip(starts, starts[1:], strict=False)} == {DAY}
    assert starts[-1] <= NOW.timestamp() < starts[-1] + DAY
    counts = [count for _start, count in series]
    assert sum(counts) == 20000 and counts[:-3] == [0] * 11  # made two days ago: nothing before its day
    hourly = mobile(
        healthy.get(LATEST, params={"health": "1", "summaryStatsPeriod": "24h", "healthStat": "users"}).json()
    )
    users = hourly["healthData"]["stats"]["24h"]
    assert len(users) == 24 and sum(count for _start, count in users) == 4000


def test_adoption_stages_follow_adopted_and_unadopted(healthy: httpx.Client) -> None:
    latest = healthy.get(LATEST, params={"adoptionStages": "1"}).json()["adoptionStages"]["mobile"]
    assert latest == {"stage": "adopted", "adopted": "2026-05-31T12:30:00.000000Z", "unadopted": None}
    replaced = healthy.get(REPLACED, params={"adoptionStages": "1"}).json()["adoptionStages"]["mobile"]
    assert replaced["stage"] == "replaced" and replaced["unadopted"] == "2026-05-30T12:30:00.000000Z"
    plain = healthy.get("/organizations/my-org/releases/frontend@1.0.0/", params={"adoptionStages": "1"}).json()
    assert set(stage["stage"] for stage in plain["adoptionStages"].values()) == {"low_adoption"}


def test_a_release_without_figures_has_empty_ones_and_a_series_of_zeros(healthy: httpx.Client) -> None:
    release = healthy.get("/organizations/my-org/releases/frontend@1.0.0/", params={"health": "1"}).json()
    figures = release["projects"][0]["healthData"]
    assert figures["totalSessions"] is None and figures["crashFreeSessions"] is None and figures["adoption"] is None
    assert [count for _start, count in figures["stats"]["24h"]] == [0] * 14


def test_generated_releases_carry_figures_and_the_list_shows_them(healthy: httpx.Client) -> None:
    listed = healthy.get("/organizations/my-org/releases/", params={"health": "1", "per_page": 100}).json()
    figures = [project["healthData"] for release in listed for project in release["projects"]]
    measured = [item for item in figures if item["totalSessions"]]
    assert len(measured) > 40
    assert all(
        0 <= item["crashFreeSessions"] <= 100 and item["sessionsCrashed"] <= item["totalSessions"] for item in measured
    )


def test_an_unknown_health_stat_is_refused_in_sentrys_words(healthy: httpx.Client) -> None:
    for path in (LATEST, "/organizations/my-org/releases/"):
        refused = healthy.get(path, params={"health": "1", "healthStat": "crashes"})
        assert (refused.status_code, refused.json()) == (400, {"detail": "invalid healthStat"})


def test_a_release_with_figures_cannot_be_deleted_and_stays(healthy: httpx.Client) -> None:
    before = healthy.get(REPLACED, params={"health": "1"}).json()
    refused = healthy.delete(REPLACED)
    assert (refused.status_code, refused.json()) == (
        400,
        {"detail": "This release has health data and cannot be removed."},
    )
    assert healthy.get(REPLACED, params={"health": "1"}).json() == before


def test_the_figures_round_trip_through_an_export(app: MockApp, healthy: httpx.Client) -> None:
    exported = app.export_state()
    part = exported["apis"]["sentry"]["organizations"][0]
    (written,) = [release for release in part["releases"] if release["version"] == "mobile@3.2.0"]
    assert written["health"][0]["sessionsCrashed"] == 1200 and written["health"][0]["adopted"] is not None
    before = healthy.get("/organizations/my-org/releases/", params={"health": "1", "adoptionStages": "1"}).json()
    app.import_state(exported)
    assert app.export_state() == exported
    assert (
        healthy.get("/organizations/my-org/releases/", params={"health": "1", "adoptionStages": "1"}).json() == before
    )


@pytest.mark.parametrize(
    ("project", "reason"),
    [("sentry", "is not one of this release's projects"), ("nowhere", "is not one of this release's projects")],
)
def test_figures_for_a_project_the_release_lacks_are_refused_with_their_place(
    app: MockApp, project: str, reason: str
) -> None:
    part = app.export_state()["apis"]["sentry"]
    release = part["organizations"][0]["releases"][0]
    release["projects"] = ["mobile"]
    release["health"] = [{"project": project, "sessions": 10}]
    plugin, spec = app.mounts["/api/0"]
    with pytest.raises(FixtureError) as refused:
        plugin.check_seed(part, spec.raw)
    assert refused.value.where == "/0/releases/0/health/0/project" and reason in refused.value.reason
