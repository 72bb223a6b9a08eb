"""Load generators: ``wrk`` (preferred) and a small asyncio HTTP/1.1 client (the fallback); both give a LoadResult."""

from __future__ import annotations

import asyncio
import json
import pathlib
import re
import subprocess
import tempfile
import time
import typing as t


class LoadResult(t.NamedTuple):
    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx answers, socket errors and timeouts


class LoadSettings(t.NamedTuple):
    threads: int = 2
    connections: int = 20
    seconds: float = 3.0


# --- wrk -----------------------------------------------------------------------------------

_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match[1]) * _UNIT_MS[match[2]]


def parse_wrk_output(output: str) -> LoadResult:
    """The figures of one ``wrk --latency`` run, from its text report."""
    rows = re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", output, re.M)
    percentiles = {int(share): _duration_ms(value) for share, value in rows}
    requests = re.search(r"^\s*(\d+) requests in ", output, re.M)
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    if requests is None or rate is None or 50 not in percentiles or 99 not in percentiles:
        raise ValueError(f"unexpected wrk output:\n{output}")
    errors = sum(int(count) for count in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non_2xx[1]) if non_2xx else 0
    return LoadResult(int(requests[1]), float(rate[1]), percentiles[50], percentiles[99], errors)


def wrk_script(targets: t.Sequence[str], headers: t.Mapping[str, str]) -> str:
    """A wrk Lua script that cycles through ``targets`` (each thread from its own offset)."""
    # JSON strings of ASCII text are valid Lua string literals.
    paths = ",\n".join(json.dumps(target, ensure_ascii=True) for target in targets)
    header_lines = "\n".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
    return f"""{header_lines}
local paths = {{
{paths}
}}
local counter = 0
local next_start = 0
function setup(thread)
  thread:set("start_at", next_start)
  next_start = next_start + 7919
end
function init(args)
  counter = start_at or 0
end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
"""


def run_wrk(
    wrk: str, port: int, targets: t.Sequence[str], settings: LoadSettings, *, headers: t.Mapping[str, str]
) -> LoadResult:
    with tempfile.TemporaryDirectory(prefix="release-mock-wrk-") as scratch:
        script = pathlib.Path(scratch) / "targets.lua"
        script.write_text(wrk_script(targets, headers), encoding="utf-8")
        command = [
            wrk, f"-t{settings.threads}", f"-c{settings.connections}", f"-d{wrk_seconds(settings.seconds)}s",
            "--latency", "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}",
        ]  # fmt: skip
        completed = subprocess.run(command, capture_output=True, text=True, timeout=settings.seconds + 60, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {(completed.stderr or completed.stdout).strip()}")
    return parse_wrk_output(completed.stdout)


def wrk_seconds(seconds: float) -> int:
    """wrk takes whole seconds."""
    return max(1, round(seconds))


# --- the Python fallback -------------------------------------------------------------------


class Response(t.NamedTuple):
    status: int
    head: bytes
    body: bytes


class Connection:
    """One keep-alive HTTP/1.1 connection that GETs and reads ``Content-Length`` bodies, nothing more."""

    def __init__(self, port: int, headers: t.Mapping[str, str]) -> None:
        self.port = port
        self._extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def open(self) -> Connection:
        self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    def request_bytes(self, target: str) -> bytes:
        return f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n{self._extra}\r\n".encode()

    async def get(self, request: bytes) -> Response:
        assert self._reader is not None and self._writer is not None
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        start = head.lower().find(b"\r\ncontent-length:")
        if start < 0:
            raise RuntimeError("response without Content-Length")
        length = int(head[start + 17 : head.find(b"\r\n", start + 2)])
        body = await self._reader.readexactly(length)
        return Response(int(head[9:12]), head, body)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()


def percentile(values: t.Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def _python_load(
    port: int, targets: t.Sequence[str], headers: t.Mapping[str, str], settings: LoadSettings
) -> LoadResult:
    connections = [await Connection(port, headers).open() for _ in range(settings.connections)]
    requests = [connections[0].request_bytes(target) for target in targets]
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + settings.seconds

    async def worker(offset: int, connection: Connection) -> None:
        nonlocal errors
        index = offset
        while time.perf_counter() < deadline:
            index += 1
            started = time.perf_counter()
            response = await connection.get(requests[index % len(requests)])
            latencies.append(time.perf_counter() - started)
            errors += not 200 <= response.status < 300

    started = time.perf_counter()
    try:
        await asyncio.gather(*(worker(number * 7919, connection) for number, connection in enumerate(connections)))
    finally:
        for connection in connections:
            await connection.close()
    seconds = time.perf_counter() - started
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    return LoadResult(len(latencies), len(latencies) / seconds, p50, p99, errors)


def run_python(
    port: int, targets: t.Sequence[str], settings: LoadSettings, *, headers: t.Mapping[str, str]
) -> LoadResult:
    """The fallback where wrk cannot be had; it shares the CPU with the server, so its figures are lower."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(_python_load(port, targets, headers, settings))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(_python_load(port, targets, headers, settings))
