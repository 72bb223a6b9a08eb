"""``make bench``: the mock, Prism, WireMock and a bare Starlette floor, measured one at a time by one load generator.

What: ``GET /api/v4/projects/24/releases/<tag>`` over every tag and the list, 20 releases a page, over
every page, with 1,000 releases in project 24, as a maintainer; req/s, p50 and p99 by ``wrk`` (or the
asyncio client where wrk cannot be had); each server started, warmed until steady, measured and stopped
while no other server runs; a few rounds, medians. Then the list with 100 and with 100,000 releases (two
links each), the time loading them takes, and the mock's resident memory.

Wiring only: tools (``tools.py``), recording (``record.py``), launchers (``servers.py``), load
(``load.py``), rounds and medians (``measure.py``), the table (``report.py``). See ``--help``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import pathlib
import platform
import sys
import tempfile
import time
import typing as t

BENCH_DIR = pathlib.Path(__file__).resolve().parent
if not __package__:
    # Run as ``python bench/run.py``: import this checkout's bench and mockserver packages, whichever checkout the
    # virtual environment was installed from.
    sys.path.insert(0, str(BENCH_DIR.parent))
    __package__ = "bench"

from . import load as load_generators  # noqa: E402
from . import measure, record, report, scenario_load, servers, tools  # noqa: E402

RESULTS_FILE = BENCH_DIR / "results.json"
OPTIONAL_SERVERS = ("prism", "wiremock")


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds; every server measured once a round (3)")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one measured trial (3)")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up step, s (1); repeated while req/s climbs")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--connections", type=int, default=20, help="open connections (20)")
    parser.add_argument("--releases", type=int, default=1000, help="releases in project 24 for the main table (1000)")
    parser.add_argument("--scale", type=int, default=100_000, help="releases (two links each) for the size test")
    parser.add_argument("--skip", action="append", default=[], choices=OPTIONAL_SERVERS, help="leave a server out")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator, not wrk")
    return parser.parse_args(argv)


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def choose_load_generator(options: argparse.Namespace) -> tuple[measure.Loader, str, dict[str, str]]:
    """wrk where it is (or can be installed), the asyncio client otherwise: (loader, its name, skipped reasons)."""
    headers = record.AUTH_HEADERS
    if not options.python_load:
        wrk = tools.ensure_wrk()
        if wrk.path:
            wrk_load = functools.partial(load_generators.run_wrk, wrk.path, headers=headers)
            return wrk_load, tools.wrk_version(wrk.path), {}
        progress(f"{wrk.why_not}; falling back to the Python load generator")
        fallback = {"wrk": f"{wrk.why_not}: the Python load generator measured instead (lower figures)"}
    else:
        fallback = {"wrk": "--python-load: the Python load generator measured instead of wrk"}
    python = functools.partial(load_generators.run_python, headers=headers)
    return python, "the Python asyncio client", fallback


def optional_contenders(
    options: argparse.Namespace, recorded: t.Mapping[str, t.Any], targets: record.Targets, scratch: pathlib.Path
) -> tuple[list[measure.Contender], dict[str, str], list[t.Callable[[], None]]]:
    contenders: list[measure.Contender] = []
    skipped: dict[str, str] = {}
    cleanups: list[t.Callable[[], None]] = []
    if "prism" in options.skip:
        skipped["prism"] = "Prism skipped (--skip prism)"
    else:
        prism = tools.ensure_prism()
        if prism.path:
            prism_targets = record.without_mount(targets)
            launch = functools.partial(servers.prism_server, prism.path, prism_targets.get[0])
            contenders.append(measure.Contender("prism", launch, prism_targets))
        else:
            skipped["prism"] = prism.why_not
    if "wiremock" in options.skip:
        skipped["wiremock"] = "WireMock skipped (--skip wiremock)"
    else:
        java, jar = tools.ensure_wiremock()
        if java.path and jar.path:
            files = servers.WireMockFiles(recorded)
            cleanups.append(files.close)
            launch = functools.partial(servers.wiremock_server, java.path, jar.path, files.root, targets.get[0])
            contenders.append(measure.Contender("wiremock", launch, targets))
        else:
            skipped["wiremock"] = java.why_not or jar.why_not
    return contenders, skipped, cleanups


def benchmark(options: argparse.Namespace) -> dict[str, t.Any]:
    started, load_at_start = time.monotonic(), os.getloadavg()[0]
    settings = load_generators.LoadSettings(options.threads, options.connections, options.seconds)
    load, generator, skipped = choose_load_generator(options)
    with tempfile.TemporaryDirectory(prefix="release-mock-bench-") as scratch_name:
        scratch = pathlib.Path(scratch_name)
        progress(f"recording the mock's answers ({options.releases} releases)")
        with servers.mock_server(options.releases) as mock:
            recorded, targets = record.record(mock.port)
        recording_file = servers.write_recording(scratch, recorded)
        others, skipped_servers, cleanups = optional_contenders(options, recorded, targets, scratch)
        skipped.update(skipped_servers)
        contenders = [
            measure.Contender("mock", functools.partial(servers.mock_server, options.releases), targets),
            *others,
            measure.Contender("bare", functools.partial(servers.bare_server, recording_file, targets.get[0]), targets),
        ]
        try:
            rounds = measure.run_rounds(contenders, load, settings, options.rounds, options.warmup, progress)
        finally:
            for cleanup in cleanups:
                cleanup()
    summaries = {name: measure.summarize(trials) for name, trials in rounds.items()}
    sizes = sorted({100, options.scale})
    by_size: dict[int, list[dict[str, t.Any]]] = {size: [] for size in sizes}
    for round_number in range(options.rounds):
        for size in sizes if round_number % 2 == 0 else reversed(sizes):
            progress(f"round {round_number + 1}/{options.rounds}: list with {size:,} releases (two links each)")
            by_size[size].append(measure.measure_scale(size, 2, load, settings, options.warmup))
    scale = [measure.summarize_scale(trials) for trials in by_size.values()]
    progress("loading scenarios: many-releases, and generated releases (two links each)")
    scenarios = [scenario_load.measure("many-releases"), scenario_load.measure(generate=options.scale)]
    return {
        "load_generator": generator,
        "servers": summaries,
        "ratios": measure.ratios(summaries),
        "rounds": rounds,
        "scale": scale,
        "scenarios": scenarios,
        "skipped": skipped,
        "settings": {
            "releases": options.releases,
            "rounds": options.rounds,
            "seconds": options.seconds,
            "warmup_seconds": options.warmup,
            "threads": options.threads,
            "connections": options.connections,
            "per_page": record.PER_PAGE,
        },
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_1min": {"start": round(load_at_start, 2), "end": round(os.getloadavg()[0], 2)},
        },
        "wall_seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str]) -> int:
    options = parse_arguments(argv)
    results = benchmark(options)
    RESULTS_FILE.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report.render(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
