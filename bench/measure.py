"""Measurement: each server alone (start, warm, measure, stop), several rounds, medians and ratios."""

from __future__ import annotations

import math
import statistics
import typing as t

from .load import LoadResult, LoadSettings
from .record import GITLAB_MOUNT, PER_PAGE, Targets
from .servers import Server, mock_server

ENDPOINTS = ("get", "list")
Loader = t.Callable[[int, t.Sequence[str], LoadSettings], LoadResult]


class Contender(t.NamedTuple):
    name: str
    launch: t.Callable[[], Server]
    targets: Targets


def median(values: t.Iterable[float]) -> float:
    return statistics.median(list(values))


def warm_up(load: Loader, port: int, targets: t.Sequence[str], step: LoadSettings, max_steps: int = 15) -> int:
    """Load in short steps until req/s stops climbing (a JIT, like WireMock's JVM, takes a while); the steps taken.

    Steady means two steps in a row without a new high (by more than 10%): on a busy machine one slow step
    alone would end the warm-up of a server still compiling.
    """
    best, steps_without_new_high = 0.0, 0
    for steps in range(1, max_steps + 1):
        rate = load(port, targets, step).requests_per_second
        if rate > best * 1.1:
            best, steps_without_new_high = max(best, rate), 0
        else:
            best, steps_without_new_high = max(best, rate), steps_without_new_high + 1
            if steps_without_new_high == 2:
                return steps
    return max_steps


def measure_alone(
    contender: Contender, load: Loader, settings: LoadSettings, warmup_seconds: float
) -> dict[str, t.Any]:
    """One round of one server: start it, warm each endpoint until steady and measure it, stop the server."""
    warmup = settings._replace(seconds=warmup_seconds)
    figures: dict[str, t.Any] = {}
    with contender.launch() as server:
        figures["cold_start_s"] = server.cold_start_seconds
        for endpoint in ENDPOINTS:
            targets = getattr(contender.targets, endpoint)
            figures[f"{endpoint}_warmup_steps"] = warm_up(load, server.port, targets, warmup)
            figures[endpoint] = load(server.port, targets, settings)._asdict()
    return figures


def run_rounds(
    contenders: t.Sequence[Contender],
    load: Loader,
    settings: LoadSettings,
    rounds: int,
    warmup_seconds: float,
    progress: t.Callable[[str], None] = lambda _: None,
) -> dict[str, list[dict[str, t.Any]]]:
    """Every contender once per round, alone; the order reversed every other round so none always goes first."""
    by_server: dict[str, list[dict[str, t.Any]]] = {contender.name: [] for contender in contenders}
    for round_number in range(rounds):
        order = contenders if round_number % 2 == 0 else list(reversed(contenders))
        for contender in order:
            progress(f"round {round_number + 1}/{rounds}: {contender.name}")
            by_server[contender.name].append(measure_alone(contender, load, settings, warmup_seconds))
    return by_server


def summarize(rounds: t.Sequence[t.Mapping[str, t.Any]]) -> dict[str, t.Any]:
    """Medians over rounds of req/s, p50, p99 (per endpoint) and of the cold start."""
    summary: dict[str, t.Any] = {"cold_start_s": round(median(r["cold_start_s"] for r in rounds), 3)}
    for endpoint in ENDPOINTS:
        trials = [r[endpoint] for r in rounds]
        summary[endpoint] = {
            "requests_per_second": round(median(trial["requests_per_second"] for trial in trials), 1),
            "p50_ms": round(median(trial["p50_ms"] for trial in trials), 3),
            "p99_ms": round(median(trial["p99_ms"] for trial in trials), 3),
            "requests_per_second_by_round": [round(trial["requests_per_second"], 1) for trial in trials],
            "errors": sum(trial["errors"] for trial in trials),
        }
    return summary


def ratios(summaries: t.Mapping[str, t.Mapping[str, t.Any]], reference: str = "mock") -> dict[str, dict[str, float]]:
    """reference/other per endpoint, for every other server: the median of the rounds' ratios.

    Each round measures every server, one right after another (``run_rounds``), so a round's
    ratio compares two servers under the same state of a shared machine; the median of those
    ratios holds better than a ratio of medians when the machine's speed drifts between rounds.
    """
    found: dict[str, dict[str, float]] = {}
    for name, summary in summaries.items():
        if name == reference:
            continue
        found[name] = {}
        for endpoint in ENDPOINTS:
            ours = summaries[reference][endpoint]["requests_per_second_by_round"]
            theirs = summary[endpoint]["requests_per_second_by_round"]
            paired = [mine / other for mine, other in zip(ours, theirs, strict=False) if other]
            if paired:
                found[name][endpoint] = round(median(paired), 3)
    return found


def list_targets(releases: int) -> list[str]:
    """Every page of project 24's release list, for a mock holding ``releases`` releases."""
    pages = math.ceil(releases / PER_PAGE)
    return [f"{GITLAB_MOUNT}/projects/24/releases?per_page={PER_PAGE}&page={page}" for page in range(1, pages + 1)]


def measure_scale(
    releases: int, links_per_release: int, load: Loader, settings: LoadSettings, warmup_seconds: float
) -> dict[str, t.Any]:
    """The list endpoint on a mock holding ``releases`` releases; how long loading took, and resident memory.

    Every page is asked for, each rendered from the rows (the render memo off): what is compared
    across sizes is the store's reading, not how many of the pages a memo can hold.
    """
    targets = list_targets(releases)
    with mock_server(releases, links_per_release, memo=False) as server:
        loading = server.loading_seconds()
        resident_loaded = server.resident_megabytes()
        warm_up(load, server.port, targets, settings._replace(seconds=warmup_seconds))
        result = load(server.port, targets, settings)
        resident_after = server.resident_megabytes()
    return {
        "releases": releases,
        "links_per_release": links_per_release,
        "loading_s": loading,
        "start_to_ready_s": round(server.cold_start_seconds, 3),
        "resident_mb_loaded": None if resident_loaded is None else round(resident_loaded, 1),
        "resident_mb_after_load_test": None if resident_after is None else round(resident_after, 1),
        "list": result._asdict(),
    }


def summarize_scale(trials: t.Sequence[t.Mapping[str, t.Any]]) -> dict[str, t.Any]:
    """Medians over the rounds of one store size."""
    results = [trial["list"] for trial in trials]
    resident = [trial["resident_mb_after_load_test"] for trial in trials if trial["resident_mb_after_load_test"]]
    return {
        "releases": trials[0]["releases"],
        "links_per_release": trials[0]["links_per_release"],
        "loading_s": round(median(trial["loading_s"] for trial in trials), 2),
        "resident_mb_after_load_test": round(median(resident), 1) if resident else None,
        "list": {
            "requests_per_second": round(median(result["requests_per_second"] for result in results), 1),
            "p50_ms": round(median(result["p50_ms"] for result in results), 3),
            "p99_ms": round(median(result["p99_ms"] for result in results), 3),
            "errors": sum(result["errors"] for result in results),
        },
        "trials": list(trials),
    }
