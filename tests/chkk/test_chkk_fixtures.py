"""Chkk's fixtures: the shipped ones load; a broken one names the file, the place and the reason."""

from __future__ import annotations

import datetime as dt
import pathlib
import shutil
import typing as t

import pytest
import yaml

from mockserver.apis.chkk import PLUGIN
from mockserver.fixtures import FixtureError
from mockserver.settings import PROJECT_ROOT
from mockserver.store import ApiData
from tests.chkk.conftest import CERT_MANAGER, ISTIO, SPEC

FIXTURES = PROJECT_ROOT / "fixtures" / "chkk"


def test_shipped_fixtures_load() -> None:
    data = ApiData(PLUGIN.tables)
    PLUGIN.load_state(data, PLUGIN.load_seed(FIXTURES, SPEC), dt.datetime.now(dt.UTC))
    releases = data.table("releases")
    assert (releases.count("created", (ISTIO,)), releases.count("created", (CERT_MANAGER,))) == (8, 3)
    assert {row["token"]: row.get("revoked", False) for row in data.table("tokens")} == {
        "chkk-all-projects-token-0001": False,
        "chkk-second-project-token-0001": False,
        "chkk-revoked-token-0001": True,
    }


def _edit(file: str, change: t.Callable[[t.Any], None]) -> t.Callable[[pathlib.Path], None]:
    def edit(folder: pathlib.Path) -> None:
        data = yaml.safe_load((folder / file).read_text(encoding="utf-8"))
        change(data)
        (folder / file).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")

    return edit


def _set(index: int, key: str, value: t.Any) -> t.Callable[[list[dict[str, t.Any]]], None]:
    return lambda rows: rows[index].__setitem__(key, value)


def _duplicate_last(rows: list[dict[str, t.Any]]) -> None:
    rows.append(dict(rows[-1]))


@pytest.mark.parametrize(
    ("file", "change", "where", "reason"),
    [
        pytest.param(
            "releases.yaml", _set(0, "extra", 1), "/0", "Additional properties are not allowed", id="extra-field"
        ),
        pytest.param(
            "releases.yaml", _set(1, "created_on", "yesterday"), "/1/created_on", "is not a 'date-time'", id="bad-date"
        ),
        pytest.param(
            "releases.yaml", _set(2, "project", "proj_nope"), "/2/project", "no Project 'proj_nope'", id="no-project"
        ),
        pytest.param("releases.yaml", _set(2, "version", ""), "/2/version", "should be non-empty", id="empty-version"),
        pytest.param("releases.yaml", _duplicate_last, "/11/version", "appears twice", id="duplicate-version"),
        pytest.param("tokens.yaml", _set(1, "projects", ["proj_x"]), "/1/projects", "is not valid", id="bad-scope"),
        pytest.param(
            "tokens.yaml",
            _set(1, "projects", ["proj_00000000-0000-4000-8000-000000000000"]),
            "/1/projects/0",
            "no Project",
            id="unknown-scope",
        ),
        pytest.param("projects.yaml", _set(0, "id", "istio"), "/0/id", "does not match", id="bad-project-id"),
    ],
)
def test_broken_fixture_names_the_file_the_place_and_the_reason(
    tmp_path: pathlib.Path, file: str, change: t.Callable[[t.Any], None], where: str, reason: str
) -> None:
    folder = tmp_path / "chkk"
    shutil.copytree(FIXTURES, folder)
    _edit(file, change)(folder)
    with pytest.raises(FixtureError) as raised:
        PLUGIN.load_seed(folder, SPEC)
    assert (raised.value.file, raised.value.where) == (folder / file, where)
    assert reason in raised.value.reason
