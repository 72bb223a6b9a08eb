"""``make fuzz``: Schemathesis against the served mock, every operation of every API; any 5xx fails the run.

For each API, one at a time so that each starts from its fixtures: ``release-mock serve --api
NAME`` on a free port of 127.0.0.1, then ``schemathesis run`` on the spec it serves, with every
phase (examples, coverage, fuzzing, stateful), positive and negative data (``--mode all``), one
worker, and the one check that matters here, ``not_a_server_error``. The token of each API's
default world that may do everything travels in a header. Schemathesis writes every request and
response to an NDJSON report; this script counts them from it, so the totals are the requests
actually sent, and lists any answer of 500 or above (or no answer at all).

    python bench/fuzz.py [--max-examples N] [--api NAME ...] [--seed S] [--keep-reports DIR]

``--max-examples`` is per operation (default 2,500: over 100,000 requests over the three APIs,
about an hour on a busy two-core machine). Exit status 0 when no request met a 5xx, 1 otherwise.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import typing as t
import urllib.error
import urllib.request

from mockserver.plugin import discover_plugins

BIN = pathlib.Path(sys.executable).parent

# The default world's all-powerful token of each API (README), as the header it travels in.
AUTH_HEADERS = {
    "gitlab": "PRIVATE-TOKEN: glpat-admin-0000000000000001",
    "sentry": "Authorization: Bearer sntrys-mock-admin-00000000000000001",
    "chkk": "Authorization: Bearer chkk-all-projects-token-0001",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served(api: str, log: t.IO[str]) -> t.Iterator[str]:
    """``release-mock serve`` for one API; yields its base URL once it answers, stops it after."""
    port = free_port()
    command = [str(BIN / "release-mock"), "serve", "--host", "127.0.0.1", "--port", str(port), "--api", api]
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield wait_until_listening(f"http://127.0.0.1:{port}", server)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_listening(url: str, server: subprocess.Popen, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"fuzz: the mock exited with status {server.returncode} before listening")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return url
        except urllib.error.HTTPError:
            return url  # an answer, even a 404 at the root, means it is listening
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"fuzz: the mock did not answer on {url} within {timeout:.0f}s")


def run_schemathesis(spec_url: str, api: str, report: pathlib.Path, options: argparse.Namespace) -> int:
    command = [
        str(BIN / "schemathesis"),
        "run",
        spec_url,
        "--checks",
        "not_a_server_error",
        "--mode",
        "all",
        "--max-examples",
        str(options.max_examples),
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
    ]
    if api in AUTH_HEADERS:
        command += ["--header", AUTH_HEADERS[api]]
    if options.seed is not None:
        command += ["--seed", str(options.seed)]
    return subprocess.run(command, check=False).returncode


class Tally(t.NamedTuple):
    requests: int
    statuses: collections.Counter[int | None]
    server_errors: list[str]
    """``METHOD URL -> status`` of each request answered with 500 or more, or not answered."""


def tally(report: pathlib.Path) -> Tally:
    """Every request Schemathesis recorded in its NDJSON report, by the status it was answered with."""
    statuses: collections.Counter[int | None] = collections.Counter()
    server_errors = []
    with report.open(encoding="utf-8") as events:
        for line in events:
            event = json.loads(line)
            if "ScenarioFinished" not in event:
                continue
            for interaction in event["ScenarioFinished"]["recorder"].get("interactions", {}).values():
                response = interaction.get("response")
                status = response["status_code"] if response else None
                statuses[status] += 1
                if status is None or status >= 500:
                    request = interaction["request"]
                    server_errors.append(f"{request['method']} {request['uri'][:200]} -> {status or 'no answer'}")
    return Tally(sum(statuses.values()), statuses, server_errors)


def main(argv: t.Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=2500, help="test cases per operation and phase")
    parser.add_argument("--api", action="append", dest="apis", help="fuzz only this API (repeatable)")
    parser.add_argument("--seed", type=int, help="Schemathesis seed, to repeat a run")
    parser.add_argument("--keep-reports", type=pathlib.Path, help="keep the NDJSON reports and server logs here")
    options = parser.parse_args(argv)
    plugins = discover_plugins(options.apis)
    results: dict[str, tuple[Tally, float, int]] = {}
    with tempfile.TemporaryDirectory(prefix="release-mock-fuzz-") as scratch:
        folder = options.keep_reports or pathlib.Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for plugin in plugins:
            report = folder / f"{plugin.name}.ndjson"
            started = time.monotonic()
            with (folder / f"{plugin.name}-server.log").open("w") as log, served(plugin.name, log) as url:
                status = run_schemathesis(f"{url}{plugin.default_mount}/openapi.json", plugin.name, report, options)
            results[plugin.name] = (tally(report), time.monotonic() - started, status)
    print("\nfuzz: requests sent and answered with a 5xx, per API")
    failed = False
    for name, (counted, seconds, status) in results.items():
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(counted.statuses.items(), key=lambda kv: str(kv[0])))
        summary = f"{counted.requests:8,} requests  {len(counted.server_errors):3} 5xx  {seconds:7.0f}s"
        print(f"  {name:8} {summary}  [{statuses}]")
        for line in counted.server_errors[:20]:
            print(f"      {line}")
        failed = failed or bool(counted.server_errors) or status != 0
    total = sum(counted.requests for counted, _, _ in results.values())
    errors = sum(len(counted.server_errors) for counted, _, _ in results.values())
    print(f"  {'total':8} {total:8,} requests  {errors:3} 5xx")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
