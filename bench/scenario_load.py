"""How long a scenario takes to load, and what the state it makes weighs: one scenario per child process.

``python -m bench.scenario_load many-releases`` loads a shipped scenario; ``--generate N`` loads N
generated GitLab releases (two asset links each) in one project, from a scenario file written on the
fly. Each prints one JSON line: the seconds ``MockApp.load_scenario`` took (compile, check, build,
install), the releases now held, the resident memory after the load and the peak during it.
A fresh interpreter per measure, so that the memory is that scenario's and nothing else's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pathlib
import resource
import subprocess
import sys
import tempfile
import time
import typing as t
import warnings

PAGE_SIZE = resource.getpagesize()
MOMENT = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
"""The frozen clock's moment: the same state on every run."""


def generated_scenario(releases: int) -> str:
    """A scenario of ``releases`` generated GitLab releases with two links each, on an empty world."""
    return f"""description: {releases:,} generated GitLab releases with two asset links each
base: empty
gitlab:
  users:
    - {{id: 1, username: bench, name: Bench, tokens: [{{token: glpat-bench-000000000001, scopes: [api]}}]}}
  projects:
    - id: 1
      path: big
      namespace: {{id: 1, name: bench, full_path: bench, kind: user}}
      members: {{bench: maintainer}}
      generate: {{count: {releases}, links: 2, released_at: {{from: -5y, to: now}}, author: bench}}
"""


def resident_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE


def measure_here(scenario: str) -> dict[str, t.Any]:
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from mockserver import Settings, create_app

    app = create_app(Settings())
    app.clock.freeze(MOMENT)
    started = time.perf_counter()
    app.load_scenario(scenario, seed=1)
    seconds = time.perf_counter() - started
    resident = resident_bytes()
    held = app.export_state()["apis"]
    releases = sum(len(project.get("releases", [])) for project in held.get("gitlab", {}).get("projects", []))
    releases += sum(len(org.get("releases", [])) for org in held.get("sentry", {}).get("organizations", []))
    releases += len(held.get("chkk", {}).get("releases", []))
    del held
    return {
        "scenario": scenario if not scenario.endswith(".yaml") else "generated",
        "seconds": round(seconds, 3),
        "releases": releases,
        "resident_mb": round(resident / 2**20),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def measure(name: str | None = None, generate: int | None = None) -> dict[str, t.Any]:
    """Run one measure in a child interpreter and read its line."""
    argv = ["--generate", str(generate)] if generate else [str(name)]
    done = subprocess.run(
        [sys.executable, "-m", "bench.scenario_load", *argv],
        capture_output=True,
        text=True,
        check=True,
        cwd=pathlib.Path(__file__).resolve().parent.parent,
        timeout=900,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scenario_load")
    parser.add_argument("scenario", nargs="?", default="many-releases")
    parser.add_argument("--generate", type=int, help="N generated GitLab releases, two links each, instead")
    options = parser.parse_args(argv)
    if options.generate:
        with tempfile.TemporaryDirectory(prefix="release-mock-bench-") as scratch:
            file = pathlib.Path(scratch, "generated.yaml")
            file.write_text(generated_scenario(options.generate), encoding="utf-8")
            print(json.dumps(measure_here(str(file))), flush=True)
    else:
        print(json.dumps(measure_here(options.scenario)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
