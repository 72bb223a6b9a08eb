"""``make bench``: how fast the mock answers GitLab's two hot release reads, against a bare floor.

What is measured
    get    ``GET /api/v4/projects/24/releases/<tag>``, the tag varied over every release;
    list   ``GET /api/v4/projects/24/releases?per_page=20&page=<p>``, the page varied over every page;
with 1,000 releases in project 24, as a maintainer (``PRIVATE-TOKEN``), in production settings
(``Settings()``: response validation off). For each: requests per second, p50 and p99 latency,
and the server's CPU time per request.

The headline is a ratio. The same requests go to a bare Starlette app (``bench/bare_app.py``)
that replays, byte for byte, the responses the mock gave for the same paths: same uvicorn, same
routes, same bytes on the wire, none of Connexion or the mock's own work. Two ratios mock/bare:
    measured req/s   what the client got; on a busy machine it moves with the background load;
    capacity         1 / server CPU per request, the req/s each server would reach with a core
                     to itself; much steadier, since it does not count the time a server waits
                     for the client or for the CPU. When both servers are CPU-bound the two agree.

How
    * Each app runs in its own process, started by this script as ``python bench/run.py serve
      ...``: the child binds ``127.0.0.1`` on a free port, prints the port, and serves with the
      uvicorn settings of ``release-mock serve``. The script stops it (SIGTERM, then SIGKILL);
      a child also exits as soon as its stdin closes, so it cannot outlive the benchmark.
    * Loading the releases: the mock's launcher builds ``create_app(Settings())`` and, before
      serving, adds ``bench-0001``, ``bench-0002``... through the GitLab domain function
      ``releases.create_release`` (what ``POST /projects/24/releases`` calls, without HTTP),
      body ``{"tag_name", "ref": "main", "released_at"}``, until the project holds the wanted
      number of releases (its two fixture releases included). Fast and deterministic.
    * Recording: the script reads every list page and every release from the mock once (which
      also warms it up and names the tags to request), and hands the bytes to the bare app.
    * Load: a minimal keep-alive HTTP/1.1 client on asyncio and uvloop, about 80 us of CPU per
      request (httpx took some 2.5 ms here: it would have measured itself, not the servers).
      ``CONNECTIONS`` connections share a fixed, shuffled request list per trial:
      ``WARMUP_REQUESTS``, then ``MEASURED_REQUESTS``. Every response must be a 200.
    * Rounds: the mock and bare trials alternate, ``ROUNDS`` times; req/s, CPU per request and
      the ratios are medians over rounds (each ratio taken within one round), latency
      percentiles are over all measured requests of all rounds. Server CPU time is read from
      ``/proc/<pid>/schedstat`` (nanoseconds; ``/proc/<pid>/stat`` ticks as a fallback).
    * Scaling: the list endpoint is also measured on a mock holding 100 releases, alternating
      with the 1,000-release one: a page should cost the same whatever the total.

Output: a table on stdout and ``bench/results.json``. Runs in well under two minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import os
import pathlib
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import typing as t
from urllib.parse import quote

BENCH_DIR = pathlib.Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
# This checkout's mockserver, whichever checkout the virtual environment was installed from.
sys.path[:0] = [str(PROJECT_ROOT), str(BENCH_DIR)]

from bare_app import RecordedResponse, create_bare_app, load_recording, save_recording  # noqa: E402

RESULTS_FILE = BENCH_DIR / "results.json"
HOST = "127.0.0.1"
PROJECT_ID = 24
TOKEN = "glpat-maintainer-000000000001"
RELEASES = 1000
FEW_RELEASES = 100
PER_PAGE = 20

CONNECTIONS = 4
# Many short rounds rather than a few long ones: the two trials of a pair then see the same
# background load, and the median ratio shrugs off the rounds that a burst of it spoiled.
ROUNDS = 20
WARMUP_REQUESTS = 4 * CONNECTIONS  # per trial, on its fresh connections; recording warmed the servers up
# Per trial, sized so that each lasts about a quarter of a second on a 2-core VM.
MEASURED_REQUESTS = {"get": {"mock": 200, "bare": 1000}, "list": {"mock": 80, "bare": 1000}}
SCALING_ROUNDS = 10
SCALING_REQUESTS = 60
SEED = 20240601

REPLAYED_HEADERS = ("link", "x-page", "x-per-page", "x-next-page", "x-prev-page", "x-total", "x-total-pages")


# --- the server side: what runs in the child processes ------------------------------------


def build_mock_app(releases: int) -> t.Any:
    """The production app, with project 24 filled up to ``releases`` releases."""
    from mockserver import Settings, create_app
    from mockserver.apis.gitlab import releases as gitlab_releases

    app = create_app(Settings())
    first_release = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    with app.store.use("gitlab") as state:
        project = state.projects[PROJECT_ID]
        author_id = state.tokens[TOKEN].user_id
        number = 0
        while len(project.releases) < releases:
            number += 1
            body = {
                "tag_name": f"bench-{number:04d}",
                "ref": "main",
                "released_at": (first_release + dt.timedelta(hours=number)).isoformat(),
            }
            gitlab_releases.create_release(state, project, author_id, body, app.clock.now())
    return app


def serve_in_this_process(app: t.Any) -> None:
    """Serve on a free loopback port, as ``release-mock serve`` does; print the port first."""
    import uvicorn

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, 0))
    listener.listen(128)  # connections wait in the backlog until uvicorn takes over
    print(listener.getsockname()[1], flush=True)

    def exit_when_parent_goes() -> None:
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[listener])


def serve_command(argv: list[str]) -> None:
    import warnings

    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    parser = argparse.ArgumentParser(prog="bench/run.py serve")
    apps = parser.add_subparsers(dest="app", required=True)
    apps.add_parser("mock").add_argument("--releases", type=int, required=True)
    apps.add_parser("bare").add_argument("--recording", type=pathlib.Path, required=True)
    options = parser.parse_args(argv)
    if options.app == "mock":
        serve_in_this_process(build_mock_app(options.releases))
    else:
        serve_in_this_process(create_bare_app(load_recording(options.recording)))


# --- the benchmark side: server processes, client, trials ----------------------------------


class ServerProcess:
    """One app served by a child process; ``with`` starts it and stops it."""

    def __init__(self, name: str, arguments: list[str]) -> None:
        self.name = name
        self._command = [sys.executable, str(pathlib.Path(__file__).resolve()), "serve", *arguments]
        self._process: subprocess.Popen[str] | None = None
        self.port = 0

    def __enter__(self) -> ServerProcess:
        self._process = subprocess.Popen(
            self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT
        )
        try:
            line = self._process.stdout.readline() if self._process.stdout else ""
            if not line.strip().isdigit():
                raise RuntimeError(f"{self.name} server did not start (exit code {self._process.poll()})")
            self.port = int(line)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        finally:
            if process.stdin:
                process.stdin.close()
            if process.stdout:
                process.stdout.close()

    def cpu_seconds(self) -> float | None:
        """CPU time the server's main thread (uvicorn's event loop) has used so far; Linux only.

        ``schedstat`` counts nanoseconds; ``stat`` (user + system) only 10 ms ticks.
        """
        assert self._process is not None
        try:
            return int(pathlib.Path(f"/proc/{self._process.pid}/schedstat").read_text().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            pass
        try:
            fields = pathlib.Path(f"/proc/{self._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ReceivedResponse(t.NamedTuple):
    status: int
    head: bytes
    body: bytes


class Connection:
    """One keep-alive HTTP/1.1 connection that GETs and reads ``Content-Length`` bodies, nothing more."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def open(self) -> Connection:
        self._reader, self._writer = await asyncio.open_connection(HOST, self.port)
        return self

    def request_bytes(self, target: str) -> bytes:
        return (
            f"GET {target} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nPRIVATE-TOKEN: {TOKEN}\r\n"
            "Accept: application/json\r\n\r\n"
        ).encode()

    async def get(self, request: bytes) -> ReceivedResponse:
        assert self._reader is not None and self._writer is not None
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        start = head.lower().find(b"\r\ncontent-length:")
        if start < 0:
            raise RuntimeError("response without Content-Length")
        length = int(head[start + 17 : head.find(b"\r\n", start + 2)])
        body = await self._reader.readexactly(length)
        return ReceivedResponse(int(head[9:12]), head, body)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()


def parse_headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines if line)}


async def record_responses(port: int) -> tuple[dict[str, RecordedResponse], list[str], list[str]]:
    """Every list page and every release of project 24, read once: (recording, list targets, get targets)."""
    connection = await Connection(port).open()
    recorded: dict[str, RecordedResponse] = {}

    async def fetch(target: str) -> RecordedResponse:
        response = await connection.get(connection.request_bytes(target))
        if response.status != 200:
            raise RuntimeError(f"GET {target} answered {response.status}: {response.body[:200]!r}")
        headers = {name: value for name, value in parse_headers(response.head).items() if name in REPLAYED_HEADERS}
        recorded[target] = RecordedResponse(response.status, headers, response.body)
        return recorded[target]

    try:
        list_targets: list[str] = []
        tags: list[str] = []
        page = 1
        while True:
            target = f"/api/v4/projects/{PROJECT_ID}/releases?per_page={PER_PAGE}&page={page}"
            response = await fetch(target)
            list_targets.append(target)
            tags.extend(release["tag_name"] for release in json.loads(response.body))
            if not response.headers.get("x-next-page"):
                break
            page += 1
        get_targets = [f"/api/v4/projects/{PROJECT_ID}/releases/{quote(tag, safe='')}" for tag in tags]
        for target in get_targets:
            await fetch(target)
    finally:
        await connection.close()
    return recorded, list_targets, get_targets


class Trial(t.NamedTuple):
    requests: int
    seconds: float
    latencies: list[float]
    server_cpu_seconds: float | None

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def server_cpu_per_request(self) -> float | None:
        return None if self.server_cpu_seconds is None else self.server_cpu_seconds / self.requests

    @property
    def capacity(self) -> float | None:
        """Requests per second the server would answer with a whole core to itself: 1 / CPU per request."""
        cpu = self.server_cpu_per_request
        return 1 / cpu if cpu else None


async def send_all(connections: list[Connection], targets: t.Sequence[str]) -> list[float]:
    """GET every target once, ``len(connections)`` at a time; the latency of each request."""
    requests = [connections[0].request_bytes(target) for target in targets]
    latencies: list[float] = []
    failures: list[str] = []
    next_index = 0

    async def worker(connection: Connection) -> None:
        nonlocal next_index
        while next_index < len(requests):
            request = requests[next_index]
            next_index += 1
            started = time.perf_counter()
            response = await connection.get(request)
            latencies.append(time.perf_counter() - started)
            if response.status != 200:
                failures.append(f"{request.split(b' ')[1].decode()} answered {response.status}")

    await asyncio.gather(*(worker(connection) for connection in connections))
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, the first: {failures[0]}")
    return latencies


async def drive(server: ServerProcess, warmup: t.Sequence[str], measured: t.Sequence[str]) -> Trial:
    """On ``CONNECTIONS`` fresh connections, send the warm-up, then time the measured requests."""
    connections = [await Connection(server.port).open() for _ in range(CONNECTIONS)]
    try:
        await send_all(connections, warmup)
        cpu_before, started = server.cpu_seconds(), time.perf_counter()
        latencies = await send_all(connections, measured)
        seconds, cpu_after = time.perf_counter() - started, server.cpu_seconds()
    finally:
        for connection in connections:
            await connection.close()
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return Trial(len(measured), seconds, latencies, cpu)


def request_plan(targets: list[str], count: int, rng: random.Random) -> list[str]:
    """``count`` targets: shuffled passes over all of them, so every path is hit about as often."""
    plan: list[str] = []
    while len(plan) < count:
        batch = list(targets)
        rng.shuffle(batch)
        plan.extend(batch)
    return plan[:count]


def run_trial(run: asyncio.Runner, server: ServerProcess, targets: list[str], count: int, rng: random.Random) -> Trial:
    warmup, measured = request_plan(targets, WARMUP_REQUESTS, rng), request_plan(targets, count, rng)
    gc.collect()
    return run.run(drive(server, warmup, measured))


class Contender(t.NamedTuple):
    label: str
    server: ServerProcess
    targets: list[str]
    requests: int


def alternate(
    run: asyncio.Runner, rng: random.Random, contenders: list[Contender], rounds: int
) -> dict[str, list[Trial]]:
    """One trial per contender per round, the order reversed every other round, so that pairs
    of trials run side by side in time and neither contender always follows the other."""
    trials: dict[str, list[Trial]] = {contender.label: [] for contender in contenders}
    for round_number in range(rounds):
        for contender in contenders if round_number % 2 == 0 else reversed(contenders):
            trials[contender.label].append(run_trial(run, contender.server, contender.targets, contender.requests, rng))
    return trials


def record(
    run: asyncio.Runner, server: ServerProcess, releases: int
) -> tuple[dict[str, RecordedResponse], dict[str, list[str]]]:
    recorded, list_targets, get_targets = run.run(record_responses(server.port))
    if len(get_targets) != releases:
        raise RuntimeError(f"project {PROJECT_ID} lists {len(get_targets)} releases, not {releases}")
    return recorded, {"get": get_targets, "list": list_targets}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summarize(trials: list[Trial]) -> dict[str, t.Any]:
    """req/s and server CPU: medians over rounds; latency percentiles: over every measured request."""
    latencies = [latency for trial in trials for latency in trial.latencies]
    cpu = [trial.server_cpu_per_request for trial in trials if trial.server_cpu_per_request is not None]
    return {
        "requests_per_second": round(statistics.median(trial.requests_per_second for trial in trials), 1),
        "requests_per_second_by_round": [round(trial.requests_per_second, 1) for trial in trials],
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 3),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 3),
        "server_cpu_us_per_request": round(statistics.median(cpu) * 1e6, 1) if cpu else None,
        "server_cpu_us_per_request_by_round": [round(value * 1e6, 1) for value in cpu],
        "measured_requests": sum(trial.requests for trial in trials),
    }


def paired_ratio(
    numerators: list[Trial], denominators: list[Trial], measure: t.Callable[[Trial], float | None]
) -> float | None:
    """Median over rounds of measure(numerator) / measure(denominator), each pair from one round."""
    ratios = []
    for numerator, denominator in zip(numerators, denominators, strict=True):
        top, bottom = measure(numerator), measure(denominator)
        if top is None or not bottom:
            return None
        ratios.append(top / bottom)
    return round(statistics.median(ratios), 3)


def loop_factory() -> t.Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def benchmark() -> dict[str, t.Any]:
    rng = random.Random(SEED)
    started = time.monotonic()
    load_at_start = os.getloadavg()[0]
    with (
        tempfile.TemporaryDirectory(prefix="release-mock-bench-") as scratch,
        asyncio.Runner(loop_factory=loop_factory()) as run,
    ):
        recording_file = pathlib.Path(scratch) / "recording.json"
        many_args, few_args = ["mock", "--releases", str(RELEASES)], ["mock", "--releases", str(FEW_RELEASES)]
        with ServerProcess("mock", many_args) as mock, ServerProcess("mock-few", few_args) as mock_few:
            recorded, targets = record(run, mock, RELEASES)
            _, few_targets = record(run, mock_few, FEW_RELEASES)
            save_recording(recording_file, recorded)
            with ServerProcess("bare", ["bare", "--recording", str(recording_file)]) as bare:
                trials = {
                    endpoint: alternate(
                        run,
                        rng,
                        [
                            Contender("mock", mock, targets[endpoint], MEASURED_REQUESTS[endpoint]["mock"]),
                            Contender("bare", bare, targets[endpoint], MEASURED_REQUESTS[endpoint]["bare"]),
                        ],
                        ROUNDS,
                    )
                    for endpoint in ("get", "list")
                }
            scaling = alternate(
                run,
                rng,
                [
                    Contender("many", mock, targets["list"], SCALING_REQUESTS),
                    Contender("few", mock_few, few_targets["list"], SCALING_REQUESTS),
                ],
                SCALING_ROUNDS,
            )
    endpoints = {
        endpoint: {
            "mock": summarize(by_server["mock"]),
            "bare": summarize(by_server["bare"]),
            "mock_over_bare_requests_per_second": paired_ratio(
                by_server["mock"], by_server["bare"], lambda trial: trial.requests_per_second
            ),
            "mock_over_bare_capacity": paired_ratio(by_server["mock"], by_server["bare"], lambda trial: trial.capacity),
        }
        for endpoint, by_server in trials.items()
    }
    return {
        "headline": {
            endpoint: {key: figures[key] for key in ("mock_over_bare_requests_per_second", "mock_over_bare_capacity")}
            for endpoint, figures in endpoints.items()
        },
        "endpoints": endpoints,
        "list_scaling": {
            "releases": {"few": FEW_RELEASES, "many": RELEASES},
            "few": summarize(scaling["few"]),
            "many": summarize(scaling["many"]),
            "many_over_few_server_cpu_per_request": paired_ratio(
                scaling["many"], scaling["few"], lambda trial: trial.server_cpu_per_request
            ),
            "many_over_few_requests_per_second": paired_ratio(
                scaling["many"], scaling["few"], lambda trial: trial.requests_per_second
            ),
        },
        "settings": {
            "releases": RELEASES,
            "per_page": PER_PAGE,
            "connections": CONNECTIONS,
            "rounds": ROUNDS,
            "warmup_requests_per_trial": WARMUP_REQUESTS,
            "measured_requests_per_trial": MEASURED_REQUESTS,
            "scaling_rounds": SCALING_ROUNDS,
            "scaling_requests_per_trial": SCALING_REQUESTS,
        },
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_1min": {"start": round(load_at_start, 2), "end": round(os.getloadavg()[0], 2)},
        },
        "wall_seconds": round(time.monotonic() - started, 1),
    }


def print_table(results: dict[str, t.Any]) -> None:
    settings = results["settings"]
    print(
        f"release-mock bench: {settings['releases']} releases in project {PROJECT_ID}, "
        f"{settings['connections']} connections, {settings['rounds']} rounds (req/s and CPU: medians)"
    )
    header = f"{'endpoint':<8} {'server':<6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU µs/req':>11}"
    print(header)
    print("-" * len(header))

    def number(value: float | None, digits: int = 0) -> str:
        return "n/a" if value is None else f"{value:.{digits}f}"

    for endpoint, figures in results["endpoints"].items():
        for server in ("mock", "bare"):
            row = figures[server]
            print(
                f"{endpoint:<8} {server:<6} {row['requests_per_second']:>8.0f} {row['p50_ms']:>8.2f} "
                f"{row['p99_ms']:>8.2f} {number(row['server_cpu_us_per_request']):>11}"
            )
    print()
    print("mock/bare    measured req/s   capacity (1 / server CPU per request)")
    for endpoint, figures in results["headline"].items():
        print(
            f"{endpoint:<12} {number(figures['mock_over_bare_requests_per_second'], 3):>14}   "
            f"{number(figures['mock_over_bare_capacity'], 3):>8}"
        )
    scaling = results["list_scaling"]
    few, many = scaling["releases"]["few"], scaling["releases"]["many"]
    print()
    print(
        f"list with {few} vs {many} releases: "
        f"{number(scaling['few']['server_cpu_us_per_request'])} vs "
        f"{number(scaling['many']['server_cpu_us_per_request'])} "
        f"CPU µs/req (x{number(scaling['many_over_few_server_cpu_per_request'], 2)}), "
        f"{scaling['few']['requests_per_second']:.0f} vs {scaling['many']['requests_per_second']:.0f} req/s "
        f"(x{number(scaling['many_over_few_requests_per_second'], 2)})"
    )
    load = results["machine"]["load_average_1min"]
    print(
        f"wall time {results['wall_seconds']} s, load average {load['start']} -> {load['end']} "
        f"on {results['machine']['cpus']} CPUs; all figures in {RESULTS_FILE.relative_to(PROJECT_ROOT)}"
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"]:
        serve_command(argv[1:])
        return 0
    results = benchmark()
    RESULTS_FILE.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
