"""Schemathesis, every check and every phase (stateful included), against each API of the mock over HTTP."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from mockserver import Settings, create_app
from mockserver.serving import BackgroundServer

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMATHESIS = pathlib.Path(sys.executable).with_name("schemathesis")


@pytest.mark.parametrize(
    ("api", "mount", "header", "operations"),
    [
        pytest.param("gitlab", "/api/v4", "PRIVATE-TOKEN: glpat-maintainer-000000000001", 35, id="gitlab"),
        pytest.param("sentry", "/api/0", "Authorization: Bearer sntrys-mock-admin-00000000000000001", 35, id="sentry"),
        pytest.param("chkk", "/chkk", "Authorization: Bearer chkk-all-projects-token-0001", 2, id="chkk"),
    ],
)
def test_schemathesis_finds_no_failure(api: str, mount: str, header: str, operations: int) -> None:
    # A server of its own per API: the runs create and delete releases freely.
    with BackgroundServer(create_app(Settings(apis=(api,), validate_responses=True))) as server:
        completed = subprocess.run(
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(ROOT / "contracts" / f"{api}.schemathesis.toml"),
                "run",
                str(ROOT / "specs" / f"{api}.yaml"),
                "--url",
                f"{server.url}{mount}",
                # Every check is on by default; "--checks all" would also override the settings
                # files where they switch one off for an operation.
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--header",
                header,
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
    assert f"{operations}/{operations}" in report, report
