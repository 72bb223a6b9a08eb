"""The benchmark's machinery (``bench/``): what it loads, records and replays. Nothing here is timed."""

from __future__ import annotations

import asyncio
import importlib.util
import pathlib
import types

import httpx

from mockserver.serving import BackgroundServer
from tests.conftest import MAINTAINER

BENCH_SCRIPT = pathlib.Path(__file__).resolve().parent.parent / "bench" / "run.py"


def load_bench() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", BENCH_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = load_bench()


def test_mock_is_filled_up_to_the_wanted_number_of_releases() -> None:
    app = bench.build_mock_app(30)
    releases = app.store.state("gitlab").projects[24].releases
    assert len(releases) == 30  # the two fixture releases and bench-0001 to bench-0028
    assert "bench-0028" in releases and "bench-0029" not in releases
    assert releases.first("released_at", descending=True)["tag_name"] == "bench-0028"


def test_bare_app_replays_the_mocks_bytes(tmp_path: pathlib.Path) -> None:
    with BackgroundServer(bench.build_mock_app(45)) as mock:
        recorded, list_targets, get_targets = asyncio.run(bench.record_responses(mock.port))
        assert len(list_targets) == 3 and len(get_targets) == 45
        recording_file = tmp_path / "recording.json"
        bench.save_recording(recording_file, recorded)
        replayed = bench.load_recording(recording_file)
        assert replayed == recorded
        with BackgroundServer(bench.create_bare_app(replayed)) as bare, httpx.Client(timeout=10) as client:
            for target in (list_targets[1], get_targets[0], get_targets[-1]):
                from_mock = client.get(mock.url + target, headers={"PRIVATE-TOKEN": MAINTAINER})
                from_bare = client.get(bare.url + target)
                assert from_bare.status_code == from_mock.status_code == 200
                assert from_bare.content == from_mock.content
                for header in bench.REPLAYED_HEADERS:
                    assert from_bare.headers.get(header) == from_mock.headers.get(header)
            assert client.get(bare.url + "/api/v4/projects/24/releases/unknown").status_code == 404
