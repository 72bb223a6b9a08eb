"""Schemathesis, every check and every phase (stateful included), against the GitLab mock over HTTP."""

from __future__ import annotations

import pathlib
import subprocess
import sys

from mockserver import Settings, create_app
from mockserver.serving import BackgroundServer
from tests.conftest import MAINTAINER

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMATHESIS = pathlib.Path(sys.executable).with_name("schemathesis")


def test_schemathesis_finds_no_failure_on_the_gitlab_spec() -> None:
    # A server of its own: the run creates and deletes releases freely.
    with BackgroundServer(create_app(Settings(validate_responses=True))) as server:
        completed = subprocess.run(
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(ROOT / "contracts" / "gitlab.schemathesis.toml"),
                "run",
                str(ROOT / "specs" / "gitlab.yaml"),
                "--url",
                f"{server.url}/api/v4",
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--header",
                f"PRIVATE-TOKEN: {MAINTAINER}",
                "--max-examples",
                "25",
                "--workers",
                "1",
                "--seed",
                "20261122",
            ],
            capture_output=True,
            text=True,
            timeout=540,
        )
    report = completed.stdout + completed.stderr
    assert completed.returncode == 0, report
    assert "✅ Stateful" in report, report
    assert "21/21" in report, report
