"""The pre-flight: a server that is not there, a token it rejects or a sandbox it lacks stops the run with exit 2.

Each case is one line on stderr naming the URL, the status and the token's source, and nothing
on stdout: no suite ran. Exit 1 stays for a contract that failed, 0 for one that passed.
"""

from __future__ import annotations

import contextlib
import io
import os
import pathlib
import socket
import subprocess
import sys
import time
import typing as t

import pytest

from contracts.cli import main
from contracts.preflight import SetupProblem, check_api
from contracts.profiles import PROFILES
from contracts.target import Target
from contracts.tokens import choose_token
from mockserver.cli import main as release_mock
from tests.contracts.conftest import SEED, TOKEN_VARIABLES, ASGIApp, served

GITLAB = PROFILES["gitlab"]

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHKK_SECOND_PROJECT = "proj_c42014e7-baf5-4ec6-a502-858f98dca7c8"
"""The one Project that the mock's ``chkk-second-project-token-0001`` sees."""


def _run(argv: list[str]) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``release-mock contract <argv>``, in process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = release_mock(["contract", *argv])
    return code, out.getvalue(), err.getvalue()


def _stopped(argv: list[str]) -> str:
    """The one line a run that could not start printed; asserts exit 2, nothing on stdout, and no time spent."""
    started = time.monotonic()
    code, out, err = _run(argv)
    assert (code, out) == (2, ""), (code, out, err)
    assert time.monotonic() - started < 5, "the suites must not have run"
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("release-mock contract: "), err
    return lines[0]


@pytest.fixture
def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def mock_url() -> t.Iterator[str]:
    """The mock over HTTP; the pre-flight only reads, so the tests of this module share it."""
    with served() as url:
        yield url


def test_an_unreachable_server_exits_2_at_once(free_port: int) -> None:
    line = _stopped(["all", "--base-url", f"http://127.0.0.1:{free_port}"])
    assert f"gitlab: cannot reach http://127.0.0.1:{free_port}/api/v4/user: connection refused" in line
    assert "--base-url" in line


def test_an_unknown_host_is_named_as_such() -> None:
    line = _stopped(["chkk", "--base-url", "http://no-such-host.invalid"])
    assert "cannot reach http://no-such-host.invalid/chkk/projects/" in line and "does not resolve" in line


def test_a_server_that_never_answers_is_given_up_on_after_the_timeout() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections (the kernel does), never answers
        root = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        token = choose_token(GITLAB, environ={})
        with pytest.raises(SetupProblem, match="no answer within the time allowed"):
            check_api(GITLAB, Target(root, root + "/api/v4"), token, GITLAB.sandbox, read_only=True, timeout=0.3)
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        pytest.param(
            ["gitlab", "--token", "glpat-expired-000000000000001"],
            {},
            ["GitLab rejected the token from --token", "/api/v4/user answered 401", "check the value given to --token"],
            id="gitlab-flag",
        ),
        pytest.param(
            ["sentry"],
            {"SENTRY_AUTH_TOKEN": "sntrys-mock-revoked-000000000000001"},
            ["Sentry rejected the token from $SENTRY_AUTH_TOKEN", "answered 401", '"detail":"Invalid token"'],
            id="sentry-variable",
        ),
        pytest.param(
            ["chkk"],
            {"RELEASE_MOCK_CHKK_TOKEN": "chkk-revoked-token-0001"},
            [
                "Chkk rejected the token from $RELEASE_MOCK_CHKK_TOKEN",
                "answered 401",
                "give another token with --token",
            ],
            id="chkk-variable",
        ),
        pytest.param(
            ["sentry", "--token", "sntrys-mock-other-org-00000000000001"],
            {},
            ["Sentry refused the token from --token access to organization my-org", "answered 403"],
            id="sentry-other-org",
        ),
        pytest.param(
            ["gitlab", "--token", "glpat-outsider-00000000000001"],
            {},
            ["may not write in the sandbox project 24: its access level there is none", "--read-only"],
            id="gitlab-cannot-write",
        ),
    ],
)
def test_a_rejected_token_exits_2_naming_where_it_came_from(
    argv: list[str], environ: dict[str, str], expected: list[str], mock_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    line = _stopped([*argv, "--base-url", mock_url])
    for part in expected:
        assert part in line, line


def test_a_real_token_in_the_shell_is_caught_against_the_in_process_mock_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-a-real-gitlab-token")
    line = _stopped(["gitlab"])
    assert "GitLab rejected the token from $GITLAB_TOKEN" in line, line
    assert "glpat-a-real-gitlab-token" not in line


@pytest.mark.parametrize(
    ("argv", "expected", "flag"),
    [
        pytest.param(["gitlab", "--project", "a/b"], "sandbox project a/b does not exist", "--project", id="gitlab"),
        pytest.param(["sentry", "--org", "nope"], "sandbox organization nope does not exist", "--org", id="sentry-org"),
        pytest.param(["sentry", "--project", "nope"], "sandbox project nope of organization my-org", "--project"),
        pytest.param(
            ["chkk", "--token", "chkk-second-project-token-0001"], "or the token from --token cannot see", "--project"
        ),
    ],
)
def test_a_missing_sandbox_exits_2_naming_the_flag(argv: list[str], expected: str, flag: str, mock_url: str) -> None:
    line = _stopped([*argv, "--base-url", mock_url])
    assert expected in line and "answered 404" in line and f"name one this token can see with {flag}" in line, line


def test_the_project_path_is_sent_percent_encoded(mock_url: str) -> None:
    line = _stopped(["gitlab", "--project", "group/nope", "--base-url", mock_url])
    assert "/api/v4/projects/group%2Fnope answered 404" in line, line


def html_everywhere(app: ASGIApp) -> ASGIApp:
    """A web site's HTML page for every path: what a --base-url that is not the API's server answers."""

    async def site(scope: dict[str, t.Any], receive: t.Any, send: t.Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": b"<!doctype html><title>Welcome</title>"})

    return site


def test_an_html_page_at_the_mount_is_not_the_api() -> None:
    with served(html_everywhere) as url:
        line = _stopped(["gitlab", "--base-url", url])
    assert f"no GitLab API at {url}/api/v4: GET {url}/api/v4/user answered 200 (text/html:" in line, line
    assert "--mount gitlab=PATH" in line


def test_a_404_in_another_api_s_shape_at_the_mount_is_not_the_api(mock_url: str) -> None:
    # The mock serves no Sentry at /elsewhere: its catch-all 404 is GitLab's {"error": ...}, not Sentry's.
    line = _stopped(["sentry", "--base-url", mock_url, "--mount", "sentry=/elsewhere"])
    assert f"no Sentry API at {mock_url}/elsewhere:" in line and "answered 404" in line, line


def test_a_base_url_that_is_not_http_is_a_usage_error() -> None:
    assert "--base-url expects an http:// or https:// URL" in _stopped(["chkk", "--base-url", "ftp://example.com"])


def test_a_good_run_with_a_token_of_its_own_passes_the_pre_flight_and_exits_0(mock_url: str) -> None:
    argv = ["chkk", "--base-url", mock_url, "--token", "chkk-second-project-token-0001"]
    code, out, err = _run([*argv, "--project", CHKK_SECOND_PROJECT, "--max-examples", "1", "--seed", SEED])
    assert code == 0, out + err
    assert "chkk: 2/2 operations exercised" in out


def test_pytest_contracts_stops_with_the_one_message_and_exit_2(free_port: int) -> None:
    env = {key: value for key, value in os.environ.items() if key not in TOKEN_VARIABLES}
    env["PYTHONPATH"] = str(ROOT)
    url = f"http://127.0.0.1:{free_port}"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "contracts",
        "-p",
        "no:cacheprovider",
        "--api",
        "chkk",
        "--base-url",
        url,
    ]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert (
        f"release-mock contract: chkk: cannot reach {url}/chkk/projects/" in output and "connection refused" in output
    )
    assert "FAILED" not in output and " passed" not in output


def test_bad_arguments_exit_2_too() -> None:
    with pytest.raises(SystemExit) as exited, contextlib.redirect_stderr(io.StringIO()):
        main(["nope"])
    assert exited.value.code == 2


@pytest.mark.parametrize(
    ("flag", "environ", "source"),
    [
        pytest.param("from-flag", {"GITLAB_TOKEN": "from-env"}, "--token", id="flag"),
        pytest.param(
            None, {"RELEASE_MOCK_GITLAB_TOKEN": "a", "GITLAB_TOKEN": "b"}, "$RELEASE_MOCK_GITLAB_TOKEN", id="first"
        ),
        pytest.param(None, {"RELEASE_MOCK_GITLAB_TOKEN": "", "GITLAB_TOKEN": "b"}, "$GITLAB_TOKEN", id="empty-skipped"),
        pytest.param(None, {}, "default", id="default"),
    ],
)
def test_the_token_source_named_is_that_of_the_token_the_run_uses(
    flag: str | None, environ: dict[str, str], source: str
) -> None:
    choice = choose_token(GITLAB, flag, environ)
    assert (choice.value, choice.source) == (GITLAB.token(flag, environ), source)
