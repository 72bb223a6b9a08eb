"""Server launchers: the mock, the bare app, Prism and WireMock, each a child process on a free loopback port."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import time
import typing as t
import urllib.error
import urllib.request

from .apps import HOST, PROJECT_ID, TOKEN
from .bare_app import RecordedResponse, save_recording
from .record import wiremock_stubs

BENCH_DIR = pathlib.Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
GITLAB_SPEC = PROJECT_ROOT / "specs" / "gitlab.yaml"
STARTUP_TIMEOUT = 120.0
# What "ready" means for the mock: a 200 from each of its three APIs (the first is a real release read).
MOCK_READY_PATHS = (f"/api/v4/projects/{PROJECT_ID}/releases/v0.2", "/api/0/openapi.json", "/chkk/openapi.json")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def answers_200(port: int, path: str) -> bool:
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers={"PRIVATE-TOKEN": TOKEN})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


class Server:
    """A child process serving HTTP; ``with`` starts it, waits for a 200 on each ready path, and stops it."""

    def __init__(
        self, name: str, command: list[str], port: int, ready_paths: t.Sequence[str], *, reports_loading: bool = False
    ) -> None:
        self.name = name
        # Only our own apps print (one line); anything else's output goes nowhere, so no pipe can fill and block it.
        self._stdout = subprocess.PIPE if reports_loading else subprocess.DEVNULL
        self.port = port
        self._command = command
        self._ready_paths = ready_paths
        self._process: subprocess.Popen[str] | None = None
        self.cold_start_seconds = 0.0  # process start to the last ready path's first 200

    def __enter__(self) -> Server:
        started = time.perf_counter()
        self._process = subprocess.Popen(
            self._command,
            stdin=subprocess.PIPE,
            stdout=self._stdout,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=PROJECT_ROOT,
            start_new_session=True,  # its own process group, so that its helpers stop with it
        )
        try:
            for path in self._ready_paths:
                while not answers_200(self.port, path):
                    if self._process.poll() is not None:
                        raise RuntimeError(f"{self.name} exited with code {self._process.returncode} while starting")
                    if time.perf_counter() - started > STARTUP_TIMEOUT:
                        raise RuntimeError(f"{self.name} gave no 200 for {path} in {STARTUP_TIMEOUT:.0f} s")
                    time.sleep(0.02)
            self.cold_start_seconds = time.perf_counter() - started
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def loading_seconds(self) -> float:
        """How long our own app took to load its releases, as it printed before serving."""
        assert self._process is not None and self._process.stdout is not None
        return float(self._process.stdout.readline().split()[-1])

    def resident_megabytes(self) -> float | None:
        assert self._process is not None
        try:
            status = pathlib.Path(f"/proc/{self._process.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return None

    def stop(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        # The group is ours: start_new_session made the child its leader.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        finally:
            for stream in (process.stdin, process.stdout):
                if stream:
                    stream.close()


def mock_server(releases: int, links_per_release: int = 0, *, memo: bool = True) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "bench.apps", "--port", str(port), "mock", "--releases", str(releases)]
    command += ["--links", str(links_per_release)] + ([] if memo else ["--no-memo"])
    return Server("mock", command, port, MOCK_READY_PATHS, reports_loading=True)


def bare_server(recording_file: pathlib.Path, ready_path: str) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "bench.apps", "--port", str(port), "bare", "--recording", str(recording_file)]
    return Server("bare", command, port, [ready_path], reports_loading=True)


def prism_server(prism: str, ready_path: str) -> Server:
    port = free_port()
    command = [prism, "mock", "--host", HOST, "--port", str(port), "--verboseLevel", "warn", str(GITLAB_SPEC)]
    return Server("prism", command, port, [ready_path])


class WireMockFiles:
    """A temporary WireMock root directory holding the recorded answers as stub mappings."""

    def __init__(self, recorded: t.Mapping[str, RecordedResponse]) -> None:
        self._scratch = tempfile.TemporaryDirectory(prefix="release-mock-wiremock-")
        self.root = pathlib.Path(self._scratch.name)
        (self.root / "mappings").mkdir()
        (self.root / "__files").mkdir()
        stubs = wiremock_stubs(recorded)
        (self.root / "mappings" / "recorded.json").write_text(json.dumps(stubs), encoding="utf-8")

    def close(self) -> None:
        self._scratch.cleanup()


def wiremock_server(java: str, jar: str, root: pathlib.Path, ready_path: str) -> Server:
    port = free_port()
    command = [
        java, "-jar", jar, "--port", str(port), "--bind-address", HOST, "--root-dir", str(root),
        # As its docs advise for load: no journal, no request log, asynchronous responses, enough threads.
        "--no-request-journal", "--disable-request-logging", "--async-response-enabled", "true",
        "--container-threads", "50", "--disable-banner",
    ]  # fmt: skip
    return Server("wiremock", command, port, [ready_path])


def write_recording(scratch: pathlib.Path, recorded: t.Mapping[str, RecordedResponse]) -> pathlib.Path:
    recording_file = scratch / "recording.json"
    save_recording(recording_file, recorded)
    return recording_file
