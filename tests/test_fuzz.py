"""``make fuzz``'s accounting (``bench/fuzz.py``): every recorded request counted, every 5xx named."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import types

FUZZ_SCRIPT = pathlib.Path(__file__).resolve().parent.parent / "bench" / "fuzz.py"


def load_fuzz() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("bench_fuzz", FUZZ_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scenario(*statuses: int | None) -> dict:
    interactions = {
        f"case{index}": {
            "request": {"method": "GET", "uri": f"http://127.0.0.1:1/api/v4/x/{index}"},
            "response": None if status is None else {"status_code": status},
        }
        for index, status in enumerate(statuses)
    }
    return {"ScenarioFinished": {"phase": "fuzzing", "recorder": {"label": "GET /x/{i}", "interactions": interactions}}}


def test_tally_counts_every_recorded_request_and_names_each_server_error(tmp_path: pathlib.Path) -> None:
    report = tmp_path / "api.ndjson"
    events = [{"EngineStarted": {}}, scenario(200, 404, 500), scenario(None, 400), {"EngineFinished": {}}]
    report.write_text("".join(json.dumps(event) + "\n" for event in events))
    counted = load_fuzz().tally(report)
    assert counted.requests == 5
    assert dict(counted.statuses) == {200: 1, 404: 1, 500: 1, None: 1, 400: 1}
    assert counted.server_errors == [
        "GET http://127.0.0.1:1/api/v4/x/2 -> 500",
        "GET http://127.0.0.1:1/api/v4/x/0 -> no answer",
    ]
