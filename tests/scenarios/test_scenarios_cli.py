"""``release-mock scenarios`` and ``release-mock serve --scenario NAME --seed N``, in process and as a process."""

from __future__ import annotations

import os
import pathlib

import httpx
import pytest

from mockserver.cli import main
from mockserver.scenarios import list_scenarios
from tests.test_serve import STARTUP_TIMEOUT, ServeProcess, environment, root_of

FILES = pathlib.Path(__file__).with_name("files")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name in ("HOST", "PORT") or name.startswith("RELEASE_MOCK_"):
            monkeypatch.delenv(name)


def test_scenarios_lists_each_name_with_its_description(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [name for name, _ in list_scenarios()]
    assert any(line.startswith("many-releases ") and "10,000 releases" in line for line in lines)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--scenario", "nope"], "bad scenario: nope: at /: no such scenario; the scenarios are",
                     id="unknown-name"),
        pytest.param(["--scenario", str(FILES / "schema-error.yaml")],
                     f"bad scenario: {FILES / 'schema-error.yaml'}: line 7, at /gitlab/projects/0/generate/count: ",
                     id="schema-error"),
        pytest.param(["--scenario", str(FILES / "missing.yaml")], "missing.yaml: at /: no such file", id="no-file"),
        pytest.param(["--seed", "3"], "release-mock: --seed needs --scenario", id="seed-alone"),
    ],
)  # fmt: skip
def test_serve_refuses_a_bad_scenario_with_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--port", "0", *argv]) == 2
    assert message in capsys.readouterr().err


def test_serve_starts_from_the_scenario_and_seed(tmp_path: pathlib.Path) -> None:
    process = ServeProcess(
        ["--scenario", "gitlab-tricky-tags", "--seed", "4", "--api", "gitlab"], tmp_path, environment(PORT="0")
    )
    try:
        first = process.next_line(timeout=STARTUP_TIMEOUT)
        assert first is not None, process.stop()
        root = root_of([first])
        reply = httpx.get(
            f"{root}/api/v4/projects/30/releases",
            params={"per_page": 100},
            headers={"PRIVATE-TOKEN": "glpat-maintainer-000000000001"},
        )
        assert reply.status_code == 200
        assert len(reply.json()) == 24  # four written out, twenty generated
    finally:
        process.stop()
