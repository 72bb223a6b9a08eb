"""Reports: curl commands that replay a request without its token, JUnit that parses, Link headers that parse."""

from __future__ import annotations

import pathlib
import shlex
import subprocess
import xml.etree.ElementTree as ET

import pytest

from contracts.events import ApiFinished, ApiStarted, CheckFailed, CheckPassed, Finished, OperationTested
from contracts.failures import ContractFailure, RequestRecord
from contracts.links import MalformedLink, parse_links
from contracts.report import Results, write_junit

TOKEN = "glpat-secret-0000000000000001"
SECRETS = {TOKEN: "$GITLAB_TOKEN"}


def leaky_failure() -> ContractFailure:
    request = RequestRecord(
        "POST",
        f"http://mock/api/v4/projects/24/releases?private_token={TOKEN}&q=it's",
        (("PRIVATE-TOKEN", TOKEN), ("Content-Type", "application/json"), ("Host", "mock")),
        f'{{"name": "it\'s $HOME", "echo": "{TOKEN}"}}'.encode(),
    )
    return ContractFailure("update_is_visible", "POST /projects/{id}/releases", f"answered {TOKEN}", request)


def test_redaction_replaces_the_token_everywhere() -> None:
    failure = leaky_failure().redacted(SECRETS)
    assert failure.request is not None
    text = repr(failure.request) + failure.message
    assert TOKEN not in text and text.count("$GITLAB_TOKEN") == 4


def test_curl_replays_the_request_with_the_token_from_the_environment(tmp_path: pathlib.Path) -> None:
    failure = leaky_failure().redacted(SECRETS)
    assert failure.request is not None
    command = failure.request.as_curl(["$GITLAB_TOKEN"])
    assert shlex.split(command)[:5] == ["curl", "-sS", "-i", "-X", "POST"]
    # What the shell hands curl: the token expanded from the environment, everything else literal.
    printed = subprocess.run(
        ["bash", "-c", "printf '%s\\n' " + command.removeprefix("curl ")],
        env={"GITLAB_TOKEN": "from-env", "HOME": "/nowhere"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert printed == [
        "-sS",
        "-i",
        "-X",
        "POST",
        "-H",
        "PRIVATE-TOKEN: from-env",
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        '{"name": "it\'s $HOME", "echo": "from-env"}',
        "http://mock/api/v4/projects/24/releases?private_token=from-env&q=it's",
    ]


def test_junit_holds_one_testcase_per_operation_and_check_and_parses_with_control_characters(
    tmp_path: pathlib.Path,
) -> None:
    results = Results()
    started = ApiStarted("gitlab", "http://mock/api/v4", ("GET /user", "GET /projects/{id}"), False, {}, 1, ())
    failure = ContractFailure("not_a_server_error", "GET /user", "bad byte \x00 and \x1b in the answer")
    for event in (
        started,
        OperationTested("gitlab", "GET /user", "schemathesis"),
        CheckPassed("gitlab", "GET /user", "not_a_server_error", "schemathesis"),
        CheckPassed("gitlab", "GET /user", "not_a_server_error", "schemathesis"),
        CheckPassed("gitlab", "GET /projects/{id}", "auth_is_required", "semantic"),
        CheckFailed("gitlab", failure, "schemathesis"),
        ApiFinished("gitlab", 1.5),
        Finished(1.5),
    ):
        results.handle(event)
    path = tmp_path / "reports" / "junit.xml"
    write_junit(results, path)
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("2", "1")
    cases = {(case.get("classname"), case.get("name")): case for case in suite.iter("testcase")}
    assert set(cases) == {("gitlab.GET /user", "not_a_server_error"), ("gitlab.GET /projects/{id}", "auth_is_required")}
    failed = cases[("gitlab.GET /user", "not_a_server_error")].find("failure")
    assert failed is not None and "bad byte \ufffd and \ufffd" in (failed.get("message") or "")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(
            '<https://x/r?page=2&per_page=1>; rel="next", <https://x/r?page=1&per_page=1>; rel="first"',
            {"next": ("2", {"rel": "next"}), "first": ("1", {"rel": "first"})},
            id="gitlab",
        ),
        pytest.param(
            '<https://x/r/?&cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", '
            '<https://x/r/?&cursor=0:1:0>; rel="next"; results="true"; cursor="0:1:0"',
            {
                "previous": (None, {"rel": "previous", "results": "false", "cursor": "0:0:1"}),
                "next": (None, {"rel": "next", "results": "true", "cursor": "0:1:0"}),
            },
            id="sentry",
        ),
        pytest.param("", {}, id="empty"),
    ],
)
def test_link_headers_parse(header: str, expected: dict[str, tuple[str | None, dict[str, str]]]) -> None:
    links = parse_links(header)
    assert {rel: (link.query.get("page"), link.params) for rel, link in links.items()} == expected


@pytest.mark.parametrize("header", ["garbage", '<a>; rel="next", <b>; rel="next"'])
def test_malformed_link_headers_are_refused(header: str) -> None:
    with pytest.raises(MalformedLink):
        parse_links(header)
