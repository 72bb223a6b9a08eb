"""The bench's printed table, rendered from the results that ``bench/run.py`` also writes to ``bench/results.json``."""

from __future__ import annotations

import typing as t

SERVER_NOTES = {
    "mock": "release-mock (Connexion + uvicorn), production settings",
    "prism": "Prism 5 mock mode on specs/gitlab.yaml; it answers the spec's examples, not our data "
    "(get: one example release for every tag; list: the example page of 2 releases, not 20)",
    "wiremock": "WireMock standalone, static stubs of the mock's recorded bytes",
    "bare": "bare Starlette on uvicorn replaying the mock's recorded bytes (the floor)",
}


def _number(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def render(results: t.Mapping[str, t.Any]) -> str:
    settings = results["settings"]
    lines = [
        f"release-mock bench: {settings['releases']:,} releases in project 24; load by {results['load_generator']} "
        f"({settings['connections']} connections, {settings['seconds']:g} s a trial); "
        f"{settings['rounds']} rounds, medians; each server alone while measured, warmed until steady",
    ]
    header = (
        f"{'server':<9} {'endpoint':<9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'mock/server':>12} {'cold start':>11}"
    )
    lines += [header, "-" * len(header)]
    ratios = results["ratios"]
    for name, summary in results["servers"].items():
        for position, endpoint in enumerate(("get", "list")):
            row = summary[endpoint]
            ratio = "" if name == "mock" else _number(ratios.get(name, {}).get(endpoint), 3)
            cold = f"{summary['cold_start_s']:.2f} s" if position == 0 and name in ("mock", "prism") else ""
            errors = f"  ({row['errors']} errors)" if row["errors"] else ""
            lines.append(
                f"{name if position == 0 else '':<9} {endpoint:<9} {_number(row['requests_per_second']):>9} "
                f"{row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} {ratio:>12} {cold:>11}{errors}"
            )
    scale = results.get("scale") or []
    if scale:
        lines.append("")
        lines.append(
            f"list by store size (each alone, every page rendered from the rows, {settings['rounds']} rounds, medians):"
        )
        for figures in scale:
            memory = _number(figures["resident_mb_after_load_test"], 0)
            lines.append(
                f"  {figures['releases']:>9,} releases, {figures['links_per_release']} links each: "
                f"p50 {figures['list']['p50_ms']:.2f} ms, {_number(figures['list']['requests_per_second'])} req/s; "
                f"loaded in {figures['loading_s']:.1f} s; resident {memory} MB"
            )
    scenarios = results.get("scenarios") or []
    if scenarios:
        lines.append("")
        lines.append("scenarios by MockApp.load_scenario (compile, check, build, install), each in its own process:")
        for figures in scenarios:
            lines.append(
                f"  {figures['scenario']:>13}: {figures['releases']:>7,} releases in {figures['seconds']:.2f} s; "
                f"resident {figures['resident_mb']:,} MB (peak {figures['peak_mb']:,} MB)"
            )
    lines.append("")
    lines.append("notes:")
    for name in results["servers"]:
        lines.append(f"  {name:<9} {SERVER_NOTES.get(name, name)}")
    lines.append(
        "  get: GET /api/v4/projects/24/releases/<tag> over every tag; list: ?per_page=20&page=<p> over every page"
    )
    lines.append("  mock/server: the median of the rounds' ratios (a round measures every server, one after another)")
    lines.append("  cold start: process start to the first 200 (the mock: from each of its three APIs)")
    for name, reason in results.get("skipped", {}).items():
        lines.append(f"  {'load' if name == 'wrk' else 'skipped'}: {reason}")
    machine = results["machine"]
    load = machine["load_average_1min"]
    lines.append(
        f"  {machine['cpus']} CPUs, load average {load['start']} -> {load['end']}, "
        f"wall time {results['wall_seconds']:.0f} s; all figures in bench/results.json"
    )
    return "\n".join(lines)
