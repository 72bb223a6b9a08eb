"""The benchmark's machinery (``bench/``): what it loads, records, replays, parses and prints. Nothing here is timed."""

from __future__ import annotations

import asyncio
import base64
import json
import pathlib
import typing as t

import httpx
import pytest

from bench import apps, load, measure, record, report, scenario_load, tools
from bench.bare_app import create_bare_app, load_recording, save_recording
from mockserver.serving import BackgroundServer
from tests.conftest import MAINTAINER

WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:40000
  2 threads and 20 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.71ms    1.90ms  30.12ms   87.10%
    Req/Sec     1.50k   120.33     1.80k    70.00%
  Latency Distribution
     50%  650.00us
     75%    7.20ms
     90%    8.10ms
     99%    1.25s
  8952 requests in 3.00s, 10.23MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   2983.41
Transfer/sec:      3.41MB
"""


def test_mock_is_filled_up_to_the_wanted_number_of_releases() -> None:
    app = apps.build_mock_app(30, links_per_release=2)
    releases, links = app.store.state("gitlab").table("releases"), app.store.state("gitlab").table("links")
    assert releases.count("released_at", (24,)) == 30  # the two fixture releases and bench-0001 to bench-0028
    assert releases.get(24, "bench-0028") is not None and releases.get(24, "bench-0029") is None
    assert releases.first("released_at", (24,), descending=True)["tag_name"] == "bench-0028"
    assert links.count("release", (24, "bench-0028")) == 2


def test_bare_app_and_wiremock_stubs_replay_the_mocks_bytes(tmp_path: pathlib.Path) -> None:
    with BackgroundServer(apps.build_mock_app(45)) as mock:
        recorded, list_targets, get_targets = asyncio.run(record.record_responses(mock.port))
        assert len(list_targets) == 3 and len(get_targets) == 45
        recording_file = tmp_path / "recording.json"
        save_recording(recording_file, recorded)
        replayed = load_recording(recording_file)
        assert replayed == recorded
        stubs = {stub["request"]["url"]: stub["response"] for stub in record.wiremock_stubs(recorded)["mappings"]}
        with BackgroundServer(create_bare_app(replayed)) as bare, httpx.Client(timeout=10) as client:
            for target in (list_targets[1], get_targets[0], get_targets[-1]):
                from_mock = client.get(mock.url + target, headers={"PRIVATE-TOKEN": MAINTAINER})
                from_bare = client.get(bare.url + target)
                assert from_bare.status_code == from_mock.status_code == 200
                assert from_bare.content == from_mock.content
                assert base64.b64decode(stubs[target]["base64Body"]) == from_mock.content
                for header in record.REPLAYED_HEADERS:
                    assert from_bare.headers.get(header) == from_mock.headers.get(header)
                    assert stubs[target]["headers"].get(header) == from_mock.headers.get(header)
            assert client.get(bare.url + "/api/v4/projects/24/releases/unknown").status_code == 404


def test_prism_is_asked_for_the_same_operations_at_the_specs_paths() -> None:
    targets = record.Targets(get=["/api/v4/projects/24/releases/v1"], list=["/api/v4/projects/24/releases?page=2"])
    assert record.without_mount(targets) == record.Targets(
        get=["/projects/24/releases/v1"], list=["/projects/24/releases?page=2"]
    )


def test_wrk_output_is_parsed_with_units_and_errors() -> None:
    result = load.parse_wrk_output(WRK_OUTPUT)
    assert result == load.LoadResult(requests=8952, requests_per_second=2983.41, p50_ms=0.65, p99_ms=1250.0, errors=7)


def test_wrk_output_without_errors_counts_none() -> None:
    lines = [line for line in WRK_OUTPUT.splitlines() if "errors" not in line and "Non-2xx" not in line]
    assert load.parse_wrk_output("\n".join(lines)).errors == 0


def test_unexpected_wrk_output_is_an_error_not_a_zero() -> None:
    try:
        load.parse_wrk_output("unable to connect to 127.0.0.1:1 Connection refused")
    except ValueError as error:
        assert "unexpected wrk output" in str(error)
    else:
        raise AssertionError("no error")


def test_wrk_script_cycles_through_every_target_with_the_headers() -> None:
    script = load.wrk_script(["/a?x=1&y=2", "/b%2Fc"], {"PRIVATE-TOKEN": "secret"})
    assert 'wrk.headers["PRIVATE-TOKEN"] = "secret"' in script
    assert '"/a?x=1&y=2",\n"/b%2Fc"' in script
    assert load.wrk_seconds(0.4) == 1 and load.wrk_seconds(3.0) == 3


def trial(rps: float, p50: float, p99: float, errors: int = 0) -> dict[str, t.Any]:
    return load.LoadResult(100, rps, p50, p99, errors)._asdict()


def test_rounds_are_summarized_by_medians_and_ratios_are_medians_of_each_rounds_ratio() -> None:
    rounds = {
        "mock": [
            {"cold_start_s": cold, "get": trial(rps, p50, 10), "list": trial(rps / 2, p50 * 2, 20, errors=1)}
            for cold, rps, p50 in ((2.0, 1000, 1.0), (9.0, 3000, 5.0), (2.5, 2000, 2.0))
        ],
        "bare": [
            {"cold_start_s": 1.0, "get": trial(rps, 0.1, 1), "list": trial(rps, 0.1, 1)} for rps in (8000, 10000, 9000)
        ],
    }
    summaries = {name: measure.summarize(trials) for name, trials in rounds.items()}
    mock = summaries["mock"]
    assert mock["cold_start_s"] == 2.5
    assert mock["get"]["requests_per_second"] == 2000 and mock["get"]["p50_ms"] == 2.0
    assert mock["get"]["requests_per_second_by_round"] == [1000, 3000, 2000]
    assert mock["list"]["requests_per_second"] == 1000 and mock["list"]["errors"] == 3
    # Rounds: get 1000/8000, 3000/10000, 2000/9000; list 500/8000, 1500/10000, 1000/9000 (each round's own).
    assert measure.ratios(summaries) == {"bare": {"get": round(2000 / 9000, 3), "list": round(1000 / 9000, 3)}}
    # The machine slows down in the second round, for both servers alike: each round's own ratio
    # (3, 4, 1: median 3) sees through it, where the ratio of the medians (2000 / 1000) would not.
    drifting = {
        name: {"get": {"requests_per_second_by_round": by_round}, "list": {"requests_per_second_by_round": []}}
        for name, by_round in (("mock", [3000, 1000, 2000]), ("prism", [1000, 250, 2000]))
    }
    assert measure.ratios(drifting) == {"prism": {"get": 3.0}}


def test_warm_up_goes_on_while_the_rate_climbs() -> None:
    rates = iter([100.0, 300.0, 900.0, 950.0, 5000.0, 5100.0, 4000.0, 9.0])
    seen: list[float] = []

    def fake_load(port: int, targets: t.Sequence[str], settings: load.LoadSettings) -> load.LoadResult:
        seen.append(settings.seconds)
        return load.LoadResult(1, next(rates), 1.0, 1.0, 0)

    # 950 is no new high (within 10% of 900), 5000 is; 5100 and 4000 are not: steady after the seventh step.
    assert measure.warm_up(fake_load, 1, ["/"], load.LoadSettings(seconds=1.0)) == 7
    assert seen == [1.0] * 7
    assert measure.warm_up(lambda *_: load.LoadResult(1, 1.0, 1.0, 1.0, 0), 1, ["/"], load.LoadSettings(), 9) == 3
    climbing = iter(range(1, 100))
    assert (
        measure.warm_up(lambda *_: load.LoadResult(1, 2.0 ** next(climbing), 1, 1, 0), 1, ["/"], load.LoadSettings())
        == 15
    )


def test_store_sizes_are_summarized_by_medians() -> None:
    trials = [
        {
            "releases": 100_000,
            "links_per_release": 2,
            "loading_s": loading,
            "resident_mb_after_load_test": resident,
            "list": trial(rps, p50, 30, errors=1),
        }
        for loading, resident, rps, p50 in ((6.0, 470.0, 400, 40.0), (9.0, 480.0, 500, 30.0), (7.0, 475.0, 450, 35.0))
    ]
    summary = measure.summarize_scale(trials)
    assert (summary["releases"], summary["loading_s"], summary["resident_mb_after_load_test"]) == (100_000, 7.0, 475.0)
    assert summary["list"] == {"requests_per_second": 450, "p50_ms": 35.0, "p99_ms": 30, "errors": 3}


def test_list_targets_cover_every_page() -> None:
    assert measure.list_targets(41) == [f"/api/v4/projects/24/releases?per_page=20&page={page}" for page in (1, 2, 3)]


def sample_results() -> dict[str, t.Any]:
    figures = {"requests_per_second": 1234.5, "p50_ms": 1.5, "p99_ms": 9.25, "errors": 0}
    summary = {"cold_start_s": 1.8, "get": figures, "list": {**figures, "errors": 2}}
    return {
        "load_generator": "wrk 4.1.0",
        "settings": {"releases": 1000, "rounds": 3, "seconds": 3.0, "threads": 2, "connections": 20},
        "servers": {"mock": summary, "prism": summary, "bare": summary},
        "ratios": {"prism": {"get": 0.5, "list": 0.25}, "bare": {"get": 0.125, "list": 0.0625}},
        "scale": [
            {
                "releases": 100_000,
                "links_per_release": 2,
                "loading_s": 6.1,
                "resident_mb_after_load_test": 480.4,
                "list": load.LoadResult(10, 900.0, 20.5, 40.0, 0)._asdict(),
            }
        ],
        "scenarios": [
            {"scenario": "many-releases", "seconds": 0.52, "releases": 10023, "resident_mb": 92, "peak_mb": 98}
        ],
        "skipped": {"wiremock": "WireMock skipped (--skip wiremock)"},
        "machine": {"cpus": 2, "load_average_1min": {"start": 0.5, "end": 1.5}},
        "wall_seconds": 150.0,
    }


def test_table_has_a_row_per_server_and_endpoint_with_ratios_and_notes() -> None:
    table = report.render(sample_results())
    rows = [line.split() for line in table.splitlines()]
    assert ["mock", "get", "1,234", "1.50", "9.25", "1.80", "s"] in rows  # 1234.5 rounds to even
    assert ["prism", "get", "1,234", "1.50", "9.25", "0.500", "1.80", "s"] in rows
    assert ["list", "1,234", "1.50", "9.25", "0.062", "(2", "errors)"] in rows
    assert "100,000 releases, 2 links each: p50 20.50 ms, 900 req/s; loaded in 6.1 s; resident 480 MB" in table
    assert "many-releases:  10,023 releases in 0.52 s; resident 92 MB (peak 98 MB)" in table
    assert "skipped: WireMock skipped (--skip wiremock)" in table
    assert "answers the spec's examples" in table
    assert "load average 0.5 -> 1.5" in table


def test_results_are_plain_json() -> None:
    assert json.loads(json.dumps(sample_results())) == sample_results()


def test_prism_and_wiremock_are_skipped_with_a_reason_where_node_or_java_is_missing(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tools, "NODE_DIR", tmp_path / ".node")
    monkeypatch.setattr(tools.shutil, "which", lambda name: None)
    assert tools.ensure_prism() == tools.Tool(None, "Prism skipped: node/npm are not installed")
    java, jar = tools.ensure_wiremock()
    assert java.path is None and "WireMock skipped: java is not installed" in java.why_not
    assert not (tmp_path / ".node").exists()  # nothing was installed


def test_a_scenario_is_loaded_and_weighed_in_a_process_of_its_own() -> None:
    figures = scenario_load.measure(generate=50)
    assert (figures["scenario"], figures["releases"]) == ("generated", 50)
    assert 0 < figures["seconds"] and 0 < figures["resident_mb"] <= figures["peak_mb"]
