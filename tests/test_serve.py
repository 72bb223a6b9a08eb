"""``release-mock serve`` as a process: what it prints once listening, a busy port, the access log, a quiet stderr."""

from __future__ import annotations

import os
import pathlib
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import typing as t

import httpx
import pytest

GITLAB = {"PRIVATE-TOKEN": "glpat-maintainer-000000000001"}
SENTRY = {"Authorization": "Bearer sntrys-mock-admin-00000000000000001"}
SENTRY_FILES = "/api/0/organizations/my-org/releases/control@abc123/files/"
STARTUP_TIMEOUT = 60.0


def environment(**variables: str) -> dict[str, str]:
    """This process's environment without the mock's own variables (the shell's must not leak in), plus these."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if name not in ("HOST", "PORT") and not name.startswith("RELEASE_MOCK_")
    }
    return {**kept, **variables}


class ServeProcess:
    """``python -m mockserver serve ...`` in a temporary folder, its stdout read line by line as it comes."""

    def __init__(self, argv: list[str], cwd: pathlib.Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "serve", *argv],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def next_line(self, timeout: float = 10.0) -> str | None:
        """The next line of stdout; ``None`` once it is closed."""
        return self._lines.get(timeout=timeout)

    def stop(self) -> str:
        """Interrupt it as Ctrl-C does; its stderr."""
        self.process.send_signal(signal.SIGINT)
        try:
            _, err = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[tuple[ServeProcess, list[str]]]:
    """The mock with --access-log, bound the way ``make serve`` does it (``HOST`` and ``PORT``; 0 for a free port)."""
    cwd = tmp_path_factory.mktemp("serve")
    process = ServeProcess(["--access-log"], cwd, environment(HOST="127.0.0.1", PORT="0"))
    startup = [process.next_line(timeout=STARTUP_TIMEOUT) for _ in range(5)]
    try:
        yield process, [line for line in startup if line is not None]
    finally:
        process.stop()


def root_of(startup: list[str]) -> str:
    match = re.fullmatch(r"release-mock: listening on (http://127\.0\.0\.1:\d+)", startup[0])
    assert match, startup
    return match[1]


def test_startup_lines_come_once_listening(served: tuple[ServeProcess, list[str]]) -> None:
    _, startup = served
    root = root_of(startup)
    assert not root.endswith(":0")
    assert startup[1:] == [
        f"release-mock: sentry at {root}/api/0 (UI: /api/0/ui/)",
        f"release-mock: gitlab at {root}/api/v4 (UI: /api/v4/ui/)",
        f"release-mock: chkk at {root}/chkk (UI: /chkk/ui/)",
        f"release-mock: admin API at {root}/__admin (UI: /__admin/ui/)",
    ]
    assert httpx.get(f"{root}/api/v4/projects/24/releases?from=startup", headers=GITLAB).status_code == 200


def test_odd_requests_get_one_access_line_each_and_nothing_on_stderr(
    served: tuple[ServeProcess, list[str]],
) -> None:
    process, startup = served
    root = root_of(startup)
    with httpx.Client(base_url=root, timeout=10) as client:
        # Query parameters the spec does not name (GitLab clients send private_token there).
        unknown = client.get("/api/v4/projects/24/releases?private_token=glpat-maintainer-000000000001&foo=1&x-y=2")
        files = {"file": ("app.js.map", b"{}", "application/json")}
        upload = client.post(SENTRY_FILES, headers=SENTRY, params={"extra": "1"}, files=files, data={"name": "~/a.map"})
        no_boundary = client.post(
            SENTRY_FILES, headers={**SENTRY, "Content-Type": "multipart/form-data"}, content=b"not multipart"
        )
        bad_boundary = client.post(
            SENTRY_FILES, headers={**SENTRY, "Content-Type": "multipart/form-data; boundary=x"}, content=b"--y\r\n\r\n"
        )
    assert [unknown.status_code, upload.status_code, no_boundary.status_code, bad_boundary.status_code] == [
        200,
        201,
        400,
        400,
    ]
    # Not HTTP at all: uvicorn answers 400 itself.
    with socket.create_connection(("127.0.0.1", int(root.rsplit(":", 1)[1])), timeout=10) as raw:
        raw.sendall(b"NOT HTTP\r\n\r\n")
        assert raw.recv(100).startswith(b"HTTP/1.1 400")
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 127\.0\.0\.1"
    expected = [
        rf"{stamp} GET /api/v4/projects/24/releases\?private_token=\[FILTERED\]&foo=1&x-y=2 200 \d+\.\dms",
        rf"{stamp} POST {SENTRY_FILES}\?extra=1 201 \d+\.\dms",
        rf"{stamp} POST {SENTRY_FILES} 400 \d+\.\dms",
        rf"{stamp} POST {SENTRY_FILES} 400 \d+\.\dms",
    ]
    # The line of the request above, if that test ran first, may come late: each line is written after its response.
    lines: list[str | None] = []
    while len(lines) < len(expected):
        line = process.next_line()
        if line is None or "from=startup" not in line:
            lines.append(line)
    for pattern, line in zip(expected, lines, strict=True):
        assert line is not None and re.fullmatch(pattern, line), (pattern, line)
    assert process.stop() == ""
    assert process.process.returncode == 0


def test_a_busy_port_is_one_line_on_stderr_and_nothing_announced(tmp_path: pathlib.Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "mockserver", "serve", "--port", str(port)],
            cwd=tmp_path,
            env=environment(),
            capture_output=True,
            text=True,
            timeout=STARTUP_TIMEOUT,
        )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"release-mock: cannot listen on 127.0.0.1:{port}: Address already in use\n"
