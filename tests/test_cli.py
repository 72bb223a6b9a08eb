"""The command line, in process through ``main(argv)``: help, version, exit codes and messages of what it refuses."""

from __future__ import annotations

import importlib.metadata
import os
import pathlib
import re
import shutil
import socket
import sys
import tomllib
import typing as t

import pytest
import yaml

from mockserver.cli import CONTRACT_EXTRA, main
from mockserver.settings import PROJECT_ROOT

APIS = "the APIs are chkk, gitlab, sentry"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read the environment; the tests must not depend on the shell they run in."""
    for name in list(os.environ):
        if name in ("HOST", "PORT") or name.startswith("RELEASE_MOCK_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def bad_fixtures(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    root = tmp_path_factory.mktemp("cli") / "fixtures"
    shutil.copytree(PROJECT_ROOT / "fixtures", root)
    projects = root / "gitlab" / "projects.yaml"
    data = yaml.safe_load(projects.read_text(encoding="utf-8"))
    data[0]["releases"][1]["tag_name"] = 5
    projects.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def taken_port() -> t.Iterator[int]:
    """A port something already listens on: settings that should be refused but are not then fail, not serve forever."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def exits(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | str | None, str, str]:
    """Exit code, stdout and stderr of a ``main(argv)`` that ends by ``SystemExit`` (help, version, usage errors)."""
    with pytest.raises(SystemExit) as raised:
        main(argv)
    out, err = capsys.readouterr()
    return raised.value.code, out, err


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["serve", "--fixtures", "{bad}"], id="serve"),
        pytest.param(["--fixtures", "{bad}"], id="serve-by-default"),
    ],
)
def test_bad_fixture_exits_2_with_the_place_on_stderr_and_serves_nothing(
    argv: list[str], bad_fixtures: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([arg.format(bad=bad_fixtures) for arg in argv]) == 2
    out, err = capsys.readouterr()
    file = bad_fixtures / "gitlab" / "projects.yaml"
    assert err == f"release-mock: bad fixture: {file}: at /0/releases/1/tag_name: 5 is not of type 'string'\n"
    assert out == ""


@pytest.mark.parametrize("argv", [pytest.param(["--help"], id="long"), pytest.param(["-h"], id="short")])
def test_top_level_help_lists_every_command_with_one_line_each(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = exits(argv, capsys)
    assert code == 0
    assert out.startswith("usage: release-mock [-h] [--version] COMMAND ...")
    commands = dict(re.findall(r"^    (\w+) +(\S.*)$", out, re.MULTILINE))
    assert list(commands) == ["serve", "scenarios", "state", "seed", "contract"]
    assert commands["serve"].startswith("serve the mock APIs over HTTP (the default command)")
    assert commands["scenarios"].startswith("list the scenarios")
    assert commands["seed"].startswith("put a scenario on a server")
    assert commands["contract"].startswith("check a server")
    assert "--version" in out
    # The top-level help is not serve's: that one has its own.
    assert "--fixtures" not in out


@pytest.mark.parametrize(
    ("argv", "usage", "options"),
    [
        pytest.param(
            ["serve", "--help"], "usage: release-mock serve", ["--mount API=PATH", "--access-log"], id="serve"
        ),
        pytest.param(["--port", "1", "--help"], "usage: release-mock serve", ["--fixtures DIR"], id="serve-by-default"),
        pytest.param(["contract", "--help"], "usage: release-mock contract", ["--base-url URL"], id="contract"),
    ],
)
def test_each_command_has_its_own_help(
    argv: list[str], usage: str, options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = exits(argv, capsys)
    assert code == 0
    assert out.startswith(usage)
    for option in options:
        assert option in out


def test_version_is_the_installed_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = exits(["--version"], capsys)
    declared = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert code == 0
    assert out == f"release-mock {importlib.metadata.version('release-mock')}\n"
    assert out == f"release-mock {declared}\n"


def test_unknown_command_is_a_usage_error_naming_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = exits(["srve"], capsys)
    assert code == 2
    (error,) = [line for line in err.splitlines() if "invalid choice: 'srve'" in line]
    # Python versions differ in how they quote the choices.
    assert re.search(r"\(choose from '?serve'?, '?scenarios'?, '?state'?, '?seed'?, '?contract'?\)", error)


@pytest.mark.parametrize(
    ("argv", "environ", "message"),
    [
        pytest.param(["--api", "gitlb"], {}, f"no such API: gitlb; {APIS}", id="api-flag"),
        pytest.param([], {"RELEASE_MOCK_APIS": "gitlab,gitlb"}, f"no such API: gitlb; {APIS}", id="apis-variable"),
        pytest.param(["--mount", "gitlb=/x"], {}, f"cannot mount gitlb=/x: no such API; {APIS}", id="mount-flag"),
        pytest.param(
            [], {"RELEASE_MOCK_MOUNT_SENTY": "/s"}, f"cannot mount senty=/s: no such API; {APIS}", id="mount-variable"
        ),
        pytest.param(
            ["--api", "gitlab", "--mount", "chk=/c"], {}, f"cannot mount chk=/c: no such API; {APIS}", id="not-served"
        ),
    ],
)
def test_unknown_api_names_exit_2_listing_the_apis(
    argv: list[str],
    environ: dict[str, str],
    message: str,
    taken_port: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert main(["serve", "--port", str(taken_port), *argv]) == 2
    assert capsys.readouterr() == ("", f"release-mock: {message}\n")


@pytest.mark.parametrize(
    ("mounts", "message"),
    [
        pytest.param(["gitlab=/api/0"], "gitlab and sentry are both mounted at /api/0", id="same-mount"),
        pytest.param(["chkk=/api/v4/", "gitlab=api/v4"], "chkk and gitlab are both mounted at /api/v4", id="spelled"),
        pytest.param(["sentry=/", "chkk=/"], "chkk and sentry are both mounted at /", id="both-at-root"),
        pytest.param(
            ["chkk=/api/v4/projects/24"],
            "chkk mounted at /api/v4/projects/24 hides gitlab's /projects/{id}/milestones (mounted at /api/v4); "
            "mount chkk elsewhere",
            id="inside-a-route",
        ),
    ],
)
def test_clashing_mounts_exit_2_naming_both_apis(
    mounts: list[str], message: str, taken_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [argument for mount in mounts for argument in ("--mount", mount)]
    assert main(["serve", "--port", str(taken_port), *argv]) == 2
    assert capsys.readouterr() == ("", f"release-mock: {message}\n")


@pytest.mark.parametrize("mount", [pytest.param("gitlab", id="no-equals"), pytest.param("=/gl", id="no-api")])
def test_malformed_mount_is_a_usage_error(mount: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = exits(["serve", "--mount", mount], capsys)
    assert code == 2
    assert f"argument --mount: expected API=PATH, got '{mount}'" in err
    assert out == ""


def test_contract_without_its_extra_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # As in an install without the extra: importing Schemathesis fails.
    monkeypatch.setitem(sys.modules, "schemathesis", None)
    assert main(["contract", "chkk", "--max-examples", "1"]) == 2
    expected = "release-mock: 'contract' needs the contract extra: pip install 'release-mock[contract]'\n"
    assert capsys.readouterr() == ("", expected)


def test_the_contract_extra_installs_what_contract_imports() -> None:
    extras = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    declared = {re.match(r"[\w.-]+", requirement)[0] for requirement in extras["contract"]}  # type: ignore[index]
    assert declared == set(CONTRACT_EXTRA)
    assert "release-mock[contract]" in extras["test"]


@pytest.mark.parametrize(
    ("argv", "environ", "message"),
    [
        pytest.param([], {"PORT": "http"}, "PORT must be a number from 0 to 65535, got 'http'", id="port-variable"),
        pytest.param([], {"PORT": "70000"}, "PORT must be a number from 0 to 65535, got '70000'", id="port-too-big"),
        pytest.param(["--port", "65536"], {}, "the port must be a number from 0 to 65535, got 65536", id="port-flag"),
        pytest.param(["--port", "-1"], {}, "the port must be a number from 0 to 65535, got -1", id="port-negative"),
    ],
)
def test_a_port_that_is_not_one_exits_2_with_one_line(
    argv: list[str],
    environ: dict[str, str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert main(["serve", *argv]) == 2
    assert capsys.readouterr() == ("", f"release-mock: {message}\n")
