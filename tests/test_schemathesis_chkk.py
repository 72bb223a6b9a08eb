"""Schemathesis, every check and every phase, against the Chkk mock over HTTP."""

from __future__ import annotations

import pathlib
import subprocess
import sys

from mockserver import Settings, create_app
from mockserver.serving import BackgroundServer

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMATHESIS = pathlib.Path(sys.executable).with_name("schemathesis")
TOKEN = "chkk-all-projects-token-0001"  # sees every Project (fixtures/chkk/tokens.yaml)


def test_schemathesis_finds_no_failure_on_the_chkk_spec() -> None:
    with BackgroundServer(create_app(Settings(apis=("chkk",), validate_responses=True))) as server:
        completed = subprocess.run(
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(ROOT / "contracts" / "chkk.schemathesis.toml"),
                "run",
                str(ROOT / "specs" / "chkk.yaml"),
                "--url",
                f"{server.url}/chkk",
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--header",
                f"Authorization: Bearer {TOKEN}",
                "--max-examples",
                "50",
                "--workers",
                "1",
                "--seed",
                "20261122",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    report = completed.stdout + completed.stderr
    assert completed.returncode == 0, report
    assert "✅ Stateful" in report, report
    assert "2/2" in report, report
