"""``serve --state-file`` (restored at start, written on SIGTERM) and ``release-mock state export|import``."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys

import httpx
import pytest

from mockserver import MockApp, Settings, cli, create_app
from mockserver.serving import BackgroundServer
from tests.test_serve import STARTUP_TIMEOUT, ServeProcess, environment

MAINTAINER = {"PRIVATE-TOKEN": "glpat-maintainer-000000000001"}
RELEASES = "/api/v4/projects/24/releases"


def start(state_file: pathlib.Path, cwd: pathlib.Path, *argv: str) -> tuple[ServeProcess, str]:
    process = ServeProcess(["--port", "0", "--state-file", str(state_file), *argv], cwd, environment())
    first = process.next_line(timeout=STARTUP_TIMEOUT)
    assert first is not None and first.startswith("release-mock: listening on "), first
    return process, first.removeprefix("release-mock: listening on ")


def terminate(process: ServeProcess) -> str:
    """SIGTERM to the process we started (by its PID), as a service manager stops it; its stdout from here on."""
    os.kill(process.process.pid, signal.SIGTERM)
    process.process.wait(timeout=30)
    lines = []
    while (line := process.next_line()) is not None:
        lines.append(line)
    for pipe in (process.process.stdout, process.process.stderr):
        if pipe is not None:
            pipe.close()
    return "\n".join(lines)


def test_the_state_survives_a_restart(tmp_path: pathlib.Path) -> None:
    state_file = tmp_path / "qa-state.json"
    process, url = start(state_file, tmp_path)
    try:
        created = httpx.post(f"{url}{RELEASES}", headers=MAINTAINER, json={"tag_name": "v5.5", "ref": "main"})
        assert created.status_code == 201
    finally:
        output = terminate(process)
    assert f"state written to {state_file}" in output
    saved = json.loads(state_file.read_text())
    assert saved["format"] == "release-mock/state"

    process, url = start(state_file, tmp_path)
    try:
        again = httpx.get(f"{url}{RELEASES}/v5.5", headers=MAINTAINER, timeout=10)
        assert again.status_code == 200
        assert again.json()["created_at"] == created.json()["created_at"]
    finally:
        terminate(process)


def test_a_missing_state_file_starts_from_the_fixtures_and_is_written_on_snapshot(tmp_path: pathlib.Path) -> None:
    state_file = tmp_path / "later" / "state.json"
    process, url = start(state_file, tmp_path)
    try:
        assert not state_file.exists()
        assert httpx.get(f"{url}{RELEASES}", headers=MAINTAINER, timeout=10).status_code == 200
        assert httpx.post(f"{url}/__admin/snapshot", timeout=10).json() == {"path": str(state_file)}
        assert state_file.exists()
    finally:
        terminate(process)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        pytest.param('{"format": "other", "version": 9, "apis": {}}', ["/format", "/version"], id="invalid"),
        pytest.param("{not json", ["not JSON"], id="not-json"),
    ],
)
def test_a_bad_state_file_stops_the_start_with_every_reason(
    tmp_path: pathlib.Path, content: str, said: list[str]
) -> None:
    state_file = tmp_path / "state.json"
    state_file.write_text(content)
    done = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--state-file", str(state_file)],
        cwd=tmp_path,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT,
    )
    assert done.returncode == 2
    for reason in said:
        assert reason in done.stderr
    assert state_file.read_text() == content  # left as it was


@pytest.fixture
def running(app: MockApp, server: BackgroundServer) -> str:
    return server.url


def test_state_export_writes_the_running_mocks_state(running: str, app: MockApp, tmp_path: pathlib.Path) -> None:
    target = tmp_path / "exported.json"
    assert cli.main(["state", "export", str(target), "--base-url", running]) == 0
    assert json.loads(target.read_text()) == app.export_state()


def test_state_import_puts_a_file_in_place(running: str, app: MockApp, tmp_path: pathlib.Path) -> None:
    source = tmp_path / "state.json"
    document = app.export_state()
    document["apis"]["gitlab"]["projects"][0]["description"] = "imported from a file"
    source.write_text(json.dumps(document))
    assert cli.main(["state", "import", str(source), "--base-url", running]) == 0
    assert app.export_state()["apis"]["gitlab"]["projects"][0]["description"] == "imported from a file"


def test_an_invalid_import_prints_every_reason_and_changes_nothing(
    running: str, app: MockApp, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = app.export_state()
    source = tmp_path / "state.json"
    broken = json.loads(json.dumps(before))
    broken["apis"]["gitlab"]["projects"][0]["id"] = "x"
    broken["apis"]["chkk"] = []
    source.write_text(json.dumps(broken))
    assert cli.main(["state", "import", str(source), "--base-url", running]) == 1
    err = capsys.readouterr().err
    assert "the state document was not imported" in err
    assert "/apis/gitlab" in err and "/apis/chkk" in err
    assert app.export_state() == before


@pytest.mark.parametrize(
    ("argv", "status", "said"),
    [
        pytest.param(["import", "{missing}"], 2, "No such file", id="no-file"),
        pytest.param(["import", "{not-json}"], 2, "is not JSON", id="not-json"),
        pytest.param(["export", "{out}", "--base-url", "http://127.0.0.1:9"], 1, "cannot reach", id="no-server"),
    ],
)
def test_state_command_failures_are_told(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], argv: list[str], status: int, said: str
) -> None:
    (tmp_path / "not-json").write_text("{")
    paths = {"missing": tmp_path / "missing.json", "not-json": tmp_path / "not-json", "out": tmp_path / "out.json"}
    filled = [argument.format(**paths) for argument in argv]
    if "--base-url" not in filled:
        filled += ["--base-url", "http://127.0.0.1:9"]
    assert cli.main(["state", *filled]) == status
    assert said in capsys.readouterr().err


def test_the_state_commands_carry_the_admin_token(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "exported.json"
    app = create_app(Settings(apis=("chkk",), admin_token="qa-admin"))
    with BackgroundServer(app) as server:
        assert cli.main(["state", "export", str(target), "--base-url", server.url]) == 1
        assert cli.main(["state", "export", str(target), "--base-url", server.url, "--admin-token", "qa-admin"]) == 0
        monkeypatch.setenv("RELEASE_MOCK_ADMIN_TOKEN", "qa-admin")
        assert cli.main(["state", "import", str(target), "--base-url", server.url]) == 0


def test_serve_takes_the_admin_token_and_journal_size_from_its_flags(tmp_path: pathlib.Path) -> None:
    process = ServeProcess(
        ["--port", "0", "--api", "chkk", "--admin-token", "flag-token", "--journal-size", "2"],
        tmp_path,
        environment(),
    )
    first = process.next_line(timeout=STARTUP_TIMEOUT)
    assert first is not None
    url = first.removeprefix("release-mock: listening on ")
    try:
        assert httpx.get(f"{url}/__admin/health", timeout=10).status_code == 401
        health = httpx.get(f"{url}/__admin/health", headers={"Authorization": "Bearer flag-token"}, timeout=10)
        assert health.json()["journal"]["capacity"] == 2
    finally:
        process.stop()
