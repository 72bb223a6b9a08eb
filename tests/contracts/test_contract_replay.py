"""The ``curl`` reproductions a report prints run in bash as printed and send the very request again.

Against a server that records what reaches it (quoting of odd URLs and bodies), and against mutant
servers: pasted into a shell without any token variable set, the mock's own (public) token makes
them work; a token of one's own stays ``"$CHKK_TOKEN"``, with the line that sets it printed once.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import typing as t

import pytest

from contracts.cli import main
from contracts.events import ApiStarted, CheckFailed, Event
from contracts.failures import ContractFailure, RequestRecord
from contracts.profiles import PROFILES
from contracts.replay import replayable
from contracts.tokens import choose_token
from mockserver.serving import BackgroundServer
from tests.contracts.conftest import SEED, TOKEN_VARIABLES
from tests.contracts.mutants import BY_ID
from tests.contracts.test_contract_preflight import CHKK_SECOND_PROJECT

CHKK = PROFILES["chkk"]
GITLAB = PROFILES["gitlab"]

Received = dict[str, t.Any]


def shell_env(**variables: str) -> dict[str, str]:
    """A new user's shell: no token variable set, only those given."""
    env = {key: value for key, value in os.environ.items() if key not in TOKEN_VARIABLES}
    return {**env, **variables}


def bash(command: str, **variables: str) -> str:
    done = subprocess.run(
        ["bash", "-c", command], env=shell_env(**variables), capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, (command, done.stderr)
    return done.stdout


def status_of(curl_output: str) -> int:
    """The status of ``curl -i``'s answer (its first line: ``HTTP/1.1 200 OK``)."""
    match = re.match(r"HTTP/[\d.]+ (\d{3})", curl_output)
    assert match, curl_output[:300]
    return int(match.group(1))


class Recorder:
    """An ASGI app that keeps each request exactly as it arrived and answers 200."""

    def __init__(self) -> None:
        self.received: list[Received] = []

    async def __call__(self, scope: dict[str, t.Any], receive: t.Any, send: t.Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        self.received.append(
            {
                "method": scope["method"],
                "target": scope["raw_path"] + (b"?" + scope["query_string"] if scope["query_string"] else b""),
                "headers": headers,
                "body": body,
            }
        )
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})


MULTIPART = (
    b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a b.bin"\r\n'
    b"Content-Type: application/octet-stream\r\n\r\n\x00\x01\xff'\"\\ $HOME `id`\r\n--xyz--\r\n"
)


@pytest.mark.parametrize(
    ("path", "headers", "body", "target"),
    [
        pytest.param(
            "/api/v4/projects/group%2Fname/releases/v1.0+build?q=a+b&name=ü ñ&ids[]=1&f={x}&t=$GITLAB_TOKEN",
            (("PRIVATE-TOKEN", "$GITLAB_TOKEN"),),
            None,
            b"/api/v4/projects/group%2Fname/releases/v1.0+build"
            b"?q=a+b&name=%C3%BC%20%C3%B1&ids[]=1&f=%7Bx%7D&t=from-the-shell",
            id="get-encoded-url",
        ),
        pytest.param(
            "/api/0/organizations/my-org/releases/it's/../x/",
            (("Authorization", "Bearer $GITLAB_TOKEN"), ("Content-Type", "application/json")),
            '{"version": "it\'s \\"quoted\\" $HOME `id` ü", "ref": "a\\nb", "token": "$GITLAB_TOKEN"}'.encode(),
            b"/api/0/organizations/my-org/releases/it's/../x/",
            id="post-json-with-quotes",
        ),
        pytest.param(
            "/api/0/organizations/my-org/releases/1.0/files/",
            (("Authorization", "Bearer $GITLAB_TOKEN"), ("Content-Type", "multipart/form-data; boundary=xyz")),
            MULTIPART,
            b"/api/0/organizations/my-org/releases/1.0/files/",
            id="multipart-with-binary",
        ),
        pytest.param(
            "/chkk/projects/p/releases/",
            (("X-Note", "tab\there, 'quoted' $HOME"),),
            b"\xff\xfe not utf-8\n",
            b"/chkk/projects/p/releases/",
            id="no-content-type-and-control-characters",
        ),
    ],
)
def test_a_printed_curl_sends_the_same_request_again(
    path: str, headers: tuple[tuple[str, str], ...], body: bytes | None, target: bytes
) -> None:
    recorder = Recorder()
    with BackgroundServer(recorder) as server:
        method = "GET" if body is None else "POST"
        record = RequestRecord(method, server.url + path, (("Host", "x"), *headers), body)
        output = bash(record.as_curl(["$GITLAB_TOKEN"]), GITLAB_TOKEN="from-the-shell")
    assert status_of(output) == 200
    (received,) = recorder.received
    assert (received["method"], received["target"]) == (method, target)
    assert received["body"] == (body or b"").replace(b"$GITLAB_TOKEN", b"from-the-shell")
    for name, value in headers:
        assert received["headers"][name.lower()] == value.replace("$GITLAB_TOKEN", "from-the-shell")
    assert received["headers"].get("content-type") == dict(headers).get("Content-Type")


def test_head_is_replayed_without_waiting_for_a_body() -> None:
    recorder = Recorder()
    with BackgroundServer(recorder) as server:
        output = bash(RequestRecord("HEAD", server.url + "/chkk/projects/p/releases/").as_curl())
    assert status_of(output) == 200 and recorder.received[0]["method"] == "HEAD"


def reproductions(out: str) -> list[str]:
    return [line.split("reproduce: ", 1)[1] for line in out.splitlines() if "reproduce: curl " in line]


def test_a_write_reproduction_with_the_mock_s_token_works_pasted_into_a_new_shell() -> None:
    """The GitLab mutant that answers 200 to a create: each printed POST, replayed, gets that 200 again."""
    with BackgroundServer(BY_ID["gitlab-create-answers-200"].build()) as server:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = main(["gitlab", "--base-url", server.url, "--max-examples", "1", "--seed", SEED])
        out = buffer.getvalue()
        assert code == 1, out
        commands = [command for command in reproductions(out) if " -X POST " in command]
        assert commands and all(GITLAB.default_token in command for command in commands), out
        assert "before replaying" not in out and "$GITLAB_TOKEN" not in out
        replayed = {status_of(bash(command)) for command in commands}
    # The departure itself (200 where 201 is due) is what the replays show; no 401 for a missing token.
    assert 200 in replayed and 401 not in replayed, replayed


def test_a_get_reproduction_with_a_token_of_one_s_own_prints_how_to_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "chkk-second-project-token-0001"
    monkeypatch.setenv("RELEASE_MOCK_CHKK_TOKEN", secret)
    with BackgroundServer(BY_ID["chkk-problem-as-plain-json"].build()) as server:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = main(["chkk", "--base-url", server.url, "--project", CHKK_SECOND_PROJECT, "--max-examples", "1"])
        out = buffer.getvalue()
        assert code == 1 and secret not in out, out
        setup = 'before replaying a curl command below: export CHKK_TOKEN="$RELEASE_MOCK_CHKK_TOKEN"'
        assert out.count(setup) == 1, out
        commands = [command for command in reproductions(out) if " -X GET " in command and "$CHKK_TOKEN" in command]
        assert commands, out
        export = setup.split(": ", 1)[1]
        for command in commands:
            # Without the line the token is missing; with it, the departure (a 404 as plain JSON) comes back.
            assert status_of(bash(command, RELEASE_MOCK_CHKK_TOKEN=secret)) == 401
            answer = bash(f"{export}; {command}", RELEASE_MOCK_CHKK_TOKEN=secret)
            assert status_of(answer) != 401, answer
        assert "content-type: application/json" in answer.lower()


def test_a_run_of_the_in_process_mock_says_how_to_serve_it_again() -> None:
    events: list[Event] = []
    emit = replayable({"chkk": choose_token(CHKK, environ={})}, events.append, in_process=True)
    emit(ApiStarted("chkk", "http://127.0.0.1:40123/chkk", (), False, {}, 1, ("$CHKK_TOKEN",)))
    request = RequestRecord("GET", "http://127.0.0.1:40123/chkk/x", (("Authorization", "Bearer $CHKK_TOKEN"),))
    emit(CheckFailed("chkk", ContractFailure("c", "GET /x", "m", request), "semantic"))
    started, failed = events
    assert isinstance(started, ApiStarted) and isinstance(failed, CheckFailed)
    assert started.placeholders == ()
    assert started.replay_setup == (
        "release-mock serve --api chkk --port 40123 &  # the run's in-process mock has stopped",
    )
    assert failed.failure.request is not None
    assert dict(failed.failure.request.headers)["Authorization"] == f"Bearer {CHKK.default_token}"
