"""The command line, in process through ``main(argv)``: exit codes, messages, and what reaches the server."""

from __future__ import annotations

import os
import pathlib
import shutil
import typing as t

import pytest
import uvicorn
import yaml

from mockserver import MockApp
from mockserver.cli import main
from mockserver.settings import PROJECT_ROOT


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read the environment; the tests must not depend on the shell they run in."""
    for name in list(os.environ):
        if name in ("HOST", "PORT") or name.startswith("RELEASE_MOCK_"):
            monkeypatch.delenv(name)


@pytest.fixture
def server_runs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, t.Any]]:
    """Records what ``serve`` would hand uvicorn, instead of binding a port and blocking."""
    runs: list[dict[str, t.Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: runs.append({"app": app, **options}))
    return runs


@pytest.fixture(scope="module")
def bad_fixtures(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    root = tmp_path_factory.mktemp("cli") / "fixtures"
    shutil.copytree(PROJECT_ROOT / "fixtures", root)
    projects = root / "gitlab" / "projects.yaml"
    data = yaml.safe_load(projects.read_text(encoding="utf-8"))
    data[0]["releases"][1]["tag_name"] = 5
    projects.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return root


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["serve", "--fixtures", "{bad}"], id="serve"),
        pytest.param(["--fixtures", "{bad}"], id="serve-by-default"),
    ],
)
def test_bad_fixture_exits_2_with_the_place_on_stderr_and_serves_nothing(
    argv: list[str], bad_fixtures: pathlib.Path, server_runs: list, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([arg.format(bad=bad_fixtures) for arg in argv]) == 2
    out, err = capsys.readouterr()
    file = bad_fixtures / "gitlab" / "projects.yaml"
    assert err == f"release-mock: bad fixture: {file}: at /0/releases/1/tag_name: 5 is not of type 'string'\n"
    assert out == ""
    assert server_runs == []


def test_unknown_api_exits_2(server_runs: list, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--api", "nope"]) == 2
    assert capsys.readouterr().err == "release-mock: no such API: nope; the APIs are chkk, gitlab, sentry\n"
    assert server_runs == []


@pytest.mark.parametrize("mount", [pytest.param("gitlab", id="no-equals"), pytest.param("=/gl", id="no-api")])
def test_malformed_mount_is_a_usage_error(mount: str, server_runs: list, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["serve", "--mount", mount])
    assert raised.value.code == 2
    assert f"argument --mount: expected API=PATH, got '{mount}'" in capsys.readouterr().err
    assert server_runs == []


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["--help"], "usage: release-mock", id="top-level"),
        pytest.param(["serve", "--help"], "--fixtures FIXTURES", id="serve"),
    ],
)
def test_help_exits_0(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 0
    assert expected in capsys.readouterr().out


def test_serve_hands_the_configured_app_to_uvicorn(server_runs: list, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "127.0.0.2", "--port", "9999", "--api", "gitlab", "--mount", "gitlab=/gl"]) == 0
    (run,) = server_runs
    assert isinstance(run["app"], MockApp)
    assert list(run["app"].mounts) == ["/gl"]
    assert (run["host"], run["port"]) == ("127.0.0.2", 9999)
    assert capsys.readouterr().out == "release-mock: gitlab at http://127.0.0.2:9999/gl (UI: /gl/ui/)\n"
