"""``pytest contracts --api ... --base-url ...``, run as a team would run it: a pytest process of its own."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

from tests.contracts.conftest import SEED, TOKEN_VARIABLES, TOKENS, served
from tests.contracts.test_contract_cli import problem_as_plain_json

ROOT = pathlib.Path(__file__).resolve().parents[2]


def pytest_contracts(*options: str) -> subprocess.CompletedProcess[str]:
    # From the project's root, as its README says: pytest reads pyproject.toml there (warnings are errors).
    env = {key: value for key, value in os.environ.items() if key not in TOKEN_VARIABLES}
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, "-m", "pytest", "contracts", "-p", "no:cacheprovider", "-rfs", *options]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_without_base_url_it_checks_the_in_process_mock_one_test_per_check() -> None:
    done = pytest_contracts("--api", "chkk", "--max-examples", "2", "--seed", SEED, "-v")
    assert done.returncode == 0, done.stdout + done.stderr
    checks = ["schemathesis", "pagination_headers_consistency", "list_order_honours_sort"]
    checks += ["error_bodies_have_the_api_shape", "auth_is_required", "answers_carry_the_services_headers"]
    checks += ["statemachine", "sandbox"]
    for check in checks:
        assert f"test_contract[chkk-{check}] PASSED" in done.stdout, done.stdout
    assert "chkk: 2/2 operations exercised" in done.stdout
    assert "8 passed" in done.stdout


def test_with_base_url_a_departure_fails_the_test_of_its_check() -> None:
    with served(problem_as_plain_json) as url:
        done = pytest_contracts("--api", "chkk", "--base-url", url, "--max-examples", "2", "--seed", SEED)
    assert done.returncode == 1, done.stdout + done.stderr
    failed = {line.split("[", 1)[1].split("]")[0] for line in done.stdout.splitlines() if line.startswith("FAILED")}
    assert failed == {"chkk-schemathesis", "chkk-error_bodies_have_the_api_shape"}, done.stdout
    # The mock's own token is public: printed as it is, the curl command works pasted into any shell.
    assert f"curl -sS -i -X GET -H 'Authorization: Bearer {TOKENS['chkk']}'" in done.stdout


def test_read_only_skips_the_write_checks() -> None:
    done = pytest_contracts("--api", "sentry", "--read-only", "--max-examples", "1", "--seed", SEED)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SKIPPED" in done.stdout and "writes; skipped in read-only mode" in done.stdout
    assert "sentry: 18/35 operations exercised" in done.stdout
