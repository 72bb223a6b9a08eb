"""``release-mock contract`` in process through ``main(argv)``: against the mock, over HTTP, read-only, and failing."""

from __future__ import annotations

import contextlib
import io
import pathlib
import re
import typing as t
import xml.etree.ElementTree as ET

import httpx
import pytest

from contracts.cli import main
from mockserver.cli import main as release_mock
from tests.contracts.conftest import SEED, TOKENS, ASGIApp, served
from tests.contracts.world import differences, world

OPERATIONS = {"gitlab": 35, "sentry": 35, "chkk": 2}
Run = tuple[int, str, pathlib.Path]
"""Exit status, stdout and JUnit file of one run."""


def verdicts(out: str) -> dict[str, tuple[str, str]]:
    """Per API: its operations exercised ("21/21") and its failure count, from the summary lines."""
    found = re.findall(r"^(\w+): (\d+/\d+) operations exercised, \d+ checks passed, (\d+) failed", out, re.MULTILINE)
    return {api: (exercised, failed) for api, exercised, failed in found}


def _run(argv: list[str]) -> tuple[int, str]:
    """Exit status and stdout of ``release-mock contract <argv>``, in process."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(argv)
    return code, buffer.getvalue()


@pytest.fixture(scope="module")
def in_process(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """``release-mock contract all`` in process (a fixed seed), run once for the module.

    Three examples per operation and phase, not the default ten: every operation, check and part
    still runs, and the depth of the default run is for ``release-mock contract`` itself, outside
    the test suite's time budget.
    """
    junit = tmp_path_factory.mktemp("contract") / "contract.xml"
    code, out = _run(["all", "--seed", SEED, "--max-examples", "3", "--junit", str(junit)])
    return code, out, junit


def test_contract_all_passes_on_the_mock_and_exercises_every_operation(in_process: Run) -> None:
    code, out, _ = in_process
    assert code == 0, out
    assert verdicts(out) == {api: (f"{n}/{n}", "0") for api, n in OPERATIONS.items()}, out
    assert "contract passed: 0 failures" in out


def test_the_junit_file_has_a_testcase_per_operation_and_check(in_process: Run) -> None:
    _, _, junit = in_process
    root = ET.parse(junit).getroot()
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == set(OPERATIONS)
    for api, suite in suites.items():
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "0")) == len(cases) and suite.get("failures") == "0"
        assert not suite.findall("testcase/failure")
        pairs = {(case.get("classname"), case.get("name")) for case in cases}
        assert len(pairs) == len(cases), "one testcase per (operation, check)"
        checks = {name for _, name in pairs}
        assert {"response_schema_conformance", "pagination_headers_consistency", "auth_is_required"} <= checks
        operations = {classname for classname, _ in pairs if classname and classname.count(" ") == 1}
        assert len(operations) >= OPERATIONS[api]


def test_tokens_never_appear_in_the_reports(in_process: Run) -> None:
    _, out, junit = in_process
    reports = out + junit.read_text(encoding="utf-8")
    for token in TOKENS.values():
        assert token not in reports


def test_the_same_result_against_the_mock_served_over_http_and_nothing_outside_the_sandbox_changes(
    in_process: Run,
) -> None:
    with served() as url:
        before, whole_before = _sandbox(url), world(url)
        code, out = _run(["all", "--base-url", url, "--seed", SEED, "--max-examples", "3"])
        after, whole_after = _sandbox(url), world(url)
    assert code == in_process[0] == 0, out
    assert verdicts(out) == verdicts(in_process[1])
    # Write mode deleted whatever it created: only what was there before may remain.
    assert after <= before, after - before
    # And it wrote to nothing it had not created: not the docs' example releases in the sandbox
    # project, not another project, organization or Chkk project (each resource compared as read).
    assert differences(whole_before, whole_after) == []
    assert "generated writes outside the sandbox were not sent" in out


def _sandbox(url: str) -> set[str]:
    """GitLab project 24's releases and tags and Sentry my-org's releases, as seen over HTTP."""
    gitlab = {"PRIVATE-TOKEN": TOKENS["gitlab"]}
    sentry = {"Authorization": f"Bearer {TOKENS['sentry']}"}
    found: set[str] = set()
    for path, key in (("/api/v4/projects/24/releases", "tag_name"), ("/api/v4/projects/24/repository/tags", "name")):
        items = httpx.get(url + path, params={"per_page": 100}, headers=gitlab).json()
        found |= {f"gitlab {path} {item[key]}" for item in items}
    for status in ("open", "archived"):
        path = "/api/0/organizations/my-org/releases/"
        items = httpx.get(url + path, params={"status": status}, headers=sentry).json()
        found |= {f"sentry {item['version']}" for item in items}
    return found


def recording(methods: list[str]) -> t.Callable[[ASGIApp], ASGIApp]:
    def wrap(app: ASGIApp) -> ASGIApp:
        async def recorder(scope: dict[str, t.Any], receive: t.Any, send: t.Any) -> None:
            if scope["type"] == "http":
                methods.append(scope["method"])
            await app(scope, receive, send)

        return recorder

    return wrap


def test_read_only_sends_only_get_and_head() -> None:
    methods: list[str] = []
    with served(recording(methods)) as url:
        code, out = _run(["all", "--read-only", "--base-url", url, "--seed", SEED, "--max-examples", "3"])
    assert code == 0, out
    assert len(methods) > 1000 and set(methods) <= {"GET", "HEAD"}, set(methods)
    assert "skipped update_is_visible: writes; skipped in read-only mode" in out
    # Read-only still reaches every reading operation: GitLab's 21 reads, Sentry's 18; Chkk only reads.
    assert verdicts(out) == {"gitlab": ("21/35", "0"), "sentry": ("18/35", "0"), "chkk": ("2/2", "0")}, out


def problem_as_plain_json(app: ASGIApp) -> ASGIApp:
    """Chkk's errors as application/json instead of application/problem+json."""

    async def mutant(scope: dict[str, t.Any], receive: t.Any, send: t.Any) -> None:
        async def send_plain(message: dict[str, t.Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, b"application/json" if value == b"application/problem+json" else value)
                    for name, value in message["headers"]
                ]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_plain)

    return mutant


def test_failures_name_the_check_and_replay_with_curl_without_the_token(tmp_path: pathlib.Path) -> None:
    junit = tmp_path / "chkk.xml"
    # A token of one's own is a secret (the mock's default ones are public, and reports show them).
    token, project = "chkk-second-project-token-0001", "proj_c42014e7-baf5-4ec6-a502-858f98dca7c8"
    argv = ["chkk", "--token", token, "--project", project, "--max-examples", "2", "--junit", str(junit)]
    with served(problem_as_plain_json) as url:
        code, out = _run([*argv, "--base-url", url])
    assert code == 1
    assert "FAILED error_bodies_have_the_api_shape on GET /projects/{project}/releases/{release}/ (semantic)" in out
    assert "FAILED content_type_conformance on GET /projects/{project}/releases/ (schemathesis)" in out
    assert """reproduce: curl -sS -i -X GET -H 'Authorization: Bearer '"$CHKK_TOKEN" """ in out
    assert "before replaying a curl command below: export CHKK_TOKEN=<the token given to --token>" in out
    xml = junit.read_text(encoding="utf-8")
    assert ET.fromstring(xml).find("testsuite/testcase/failure") is not None
    assert token not in out + xml and "$CHKK_TOKEN" in xml


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["all", "--token", "t"], "--token needs a single API", id="token-with-all"),
        pytest.param(["all", "--project", "24"], "run one API at a time", id="sandbox-with-all"),
        pytest.param(["gitlab", "--org", "my-org"], "--org is for Sentry", id="org-without-sentry"),
        pytest.param(["chkk", "--mount", "nope=/x"], "--mount expects API=PATH", id="bad-mount"),
    ],
)
def test_contradictory_options_exit_2_before_any_request(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err


def test_part_runs_only_the_parts_named() -> None:
    code, out = _run(["chkk", "--part", "semantic", "--seed", SEED])
    assert code == 0, out
    checks = {line.split()[0] for line in out.splitlines() if line.startswith("  ") and line.split()[0].islower()}
    assert {"pagination_headers_consistency", "auth_is_required"} <= checks
    # Neither Schemathesis' checks nor the state machine ran.
    assert not checks & {"response_schema_conformance", "not_a_server_error", "statemachine"}, out


def test_release_mock_contract_is_the_same_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert release_mock(["contract", "chkk", "--max-examples", "1", "--seed", SEED]) == 0
    assert "chkk: 2/2 operations exercised" in capsys.readouterr().out
