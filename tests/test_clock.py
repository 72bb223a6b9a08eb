"""The app's clock: real by default, frozen, set, offset, advanced and reset; the only time the APIs read."""

from __future__ import annotations

import ast
import datetime as dt
import pathlib
import shutil
import time

import httpx
import pytest

from mockserver import MockApp, Settings, clock, create_app
from mockserver.clock import Clock
from mockserver.serving import BackgroundServer
from mockserver.settings import FIXTURES_DIR, PROJECT_ROOT

MOMENT = dt.datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)
# Generous for a busy two-core machine: only "close to real time" is being checked.
SLACK = dt.timedelta(seconds=5)
APIS_DIR = PROJECT_ROOT / "mockserver" / "apis"


def real_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_a_new_clock_runs_in_real_time() -> None:
    clock = Clock()
    before = real_now()
    now = clock.now()
    assert before <= now <= real_now()
    assert now.tzinfo is not None
    assert not clock.frozen


def test_a_frozen_clock_stays_at_its_moment() -> None:
    clock = Clock()
    assert clock.freeze(MOMENT) == MOMENT
    time.sleep(0.002)
    assert clock.now() == clock.now() == MOMENT
    assert clock.frozen


def test_freezing_without_a_moment_stops_the_clock_where_it_is() -> None:
    clock = Clock()
    before = real_now()
    frozen_at = clock.freeze()
    time.sleep(0.002)
    assert before <= frozen_at == clock.now() < real_now()


def test_a_moment_without_a_zone_is_utc() -> None:
    clock = Clock()
    clock.freeze(MOMENT.replace(tzinfo=None))
    assert clock.now() == MOMENT
    clock.freeze(dt.datetime(2031, 5, 6, 9, 8, 9, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2))))
    assert clock.now() == MOMENT and clock.now().utcoffset() == dt.timedelta(0)


def test_a_set_clock_runs_on_from_its_moment() -> None:
    clock = Clock()
    clock.set(MOMENT)
    first = clock.now()
    assert MOMENT <= first < MOMENT + SLACK
    time.sleep(0.002)
    assert clock.now() > first
    assert not clock.frozen


def test_advancing_a_frozen_clock_moves_it_exactly() -> None:
    clock = Clock()
    clock.freeze(MOMENT)
    assert clock.advance(90) == MOMENT + dt.timedelta(seconds=90)
    assert clock.advance(-0.5) == MOMENT + dt.timedelta(seconds=89.5)
    assert clock.now() == MOMENT + dt.timedelta(seconds=89.5)
    assert clock.frozen


def test_advancing_a_running_clock_keeps_it_running_ahead() -> None:
    clock = Clock()
    clock.advance(3600)
    ahead = clock.now() - real_now()
    assert dt.timedelta(hours=1) - SLACK < ahead <= dt.timedelta(hours=1)
    clock.set(MOMENT)
    clock.advance(60)
    assert MOMENT + dt.timedelta(seconds=60) <= clock.now() < MOMENT + dt.timedelta(seconds=60) + SLACK
    assert not clock.frozen


def test_an_offset_clock_runs_that_far_from_real_time_and_unfreezes() -> None:
    clock = Clock()
    clock.freeze(MOMENT)
    clock.offset(dt.timedelta(days=-1))
    assert not clock.frozen
    read = clock.now()
    behind = real_now() - read
    assert dt.timedelta(days=1) <= behind < dt.timedelta(days=1) + SLACK


def test_reset_goes_back_to_real_time() -> None:
    clock = Clock()
    clock.freeze(MOMENT)
    clock.reset()
    before = real_now()
    assert before <= clock.now() <= real_now()
    assert not clock.frozen
    clock.offset(dt.timedelta(days=3))
    clock.reset()
    assert abs(clock.now() - real_now()) < SLACK


def test_the_app_has_a_clock_of_its_own(app: MockApp) -> None:
    assert isinstance(app.clock, Clock)
    assert app.clock is not create_app(Settings(apis=("chkk",))).clock


def test_a_test_may_freeze_the_app_clock(app: MockApp) -> None:
    app.clock.freeze(MOMENT)
    assert app.clock.now() == MOMENT


def test_the_next_test_finds_the_app_clock_real_again(app: MockApp) -> None:
    # Runs after the one above: ``fresh_state`` must have put the clock back, or every later test
    # would see 2031 (and GitLab releases created "now" would all be upcoming).
    assert not app.clock.frozen
    assert abs(app.clock.now() - real_now()) < SLACK


# --- fixture data left undated is dated by the app's clock, when the store is built and reset


@pytest.fixture
def undated_world(tmp_path: pathlib.Path) -> pathlib.Path:
    """The shipped fixtures, less GitLab project 24's ``created_at`` and a Sentry release's ``dateCreated``."""
    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR, fixtures)
    for path, line in [
        (fixtures / "gitlab" / "projects.yaml", '  created_at: "2019-01-01T10:00:00.000Z"\n'),
        (fixtures / "sentry" / "organizations.yaml", '      dateCreated: "2024-06-01T09:00:00.000000Z"\n'),
    ]:
        text = path.read_text()
        assert text.count(line) == 1, f"{path.name} changed: pick another date to remove"
        path.write_text(text.replace(line, ""))
    return fixtures


def test_undated_fixtures_are_dated_by_the_clock_on_reset(undated_world: pathlib.Path) -> None:
    app = create_app(Settings(fixtures_dir=undated_world, apis=("gitlab", "sentry")))
    app.clock.freeze(MOMENT)
    app.store.reset()
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        project = http.get("/api/v4/projects/24", headers={"PRIVATE-TOKEN": "glpat-maintainer-000000000001"})
        release = http.get(
            "/api/0/organizations/my-org/releases/frontend@1.0.0/",
            headers={"Authorization": "Bearer sntrys-mock-releases-0000000000000001"},
        )
    assert project.json()["created_at"] == "2031-05-06T07:08:09.123Z"
    assert release.json()["dateCreated"] == "2031-05-06T07:08:09.123456Z"


# --- no domain code reads the system time

# Calls that read the system's time, by the name called: only ``<something>.clock.now()`` may say ``now``.
TIME_READERS = frozenset({"now", "utcnow", "today", "time", "time_ns", "monotonic", "perf_counter", "localtime"})


def system_time_reads(source: str) -> list[str]:
    """Where a module reads the time other than from the clock a request carries, as ``line: code``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module in {"time", "datetime", "clock"}:
            found += [f"{node.lineno}: import {alias.name}" for alias in node.names if alias.name in TIME_READERS]
        if isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name) and function.id in TIME_READERS:
                found.append(f"{node.lineno}: {ast.unparse(node)}")
            elif isinstance(function, ast.Attribute) and function.attr in TIME_READERS:
                carried = isinstance(function.value, ast.Attribute) and function.value.attr == "clock"
                if not carried:
                    found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize(
    "source",
    [
        "import datetime as dt\nx = dt.datetime.now(dt.UTC)",
        "from datetime import datetime\nx = datetime.utcnow()",
        "import time\nx = time.time()",
        "from ...clock import now\nx = now()",
        "from ... import clock\nx = clock.now()",
        "import datetime\nx = datetime.date.today()",
    ],
)
def test_the_guard_sees_each_way_of_reading_the_system_time(source: str) -> None:
    assert system_time_reads(source)


def test_the_guard_lets_the_carried_clock_and_passed_moments_through() -> None:
    assert system_time_reads("x = call.clock.now()\ny = viewer.now\nz = f(now=now)") == []


def test_no_domain_code_reads_the_system_time() -> None:
    modules = sorted(APIS_DIR.rglob("*.py"))
    assert len(modules) > 10
    reads = {
        str(path.relative_to(APIS_DIR)): found for path in modules if (found := system_time_reads(path.read_text()))
    }
    assert reads == {}, "read the time from call.clock (or a moment passed in), not the system"


def test_a_moment_already_in_the_stored_form_is_kept_as_the_same_string() -> None:
    """Rows loaded from one record share its string for several moments, rather than equal copies."""
    stored = "2024-01-02T03:04:05.123456Z"
    assert clock.stored_from(stored) is stored
    assert clock.stored_from("2024-01-02T03:04:05.123456+00:00") == stored
    assert clock.stored_from("2024-01-02T03:04:05Z") == "2024-01-02T03:04:05.000000Z"
