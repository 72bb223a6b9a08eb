"""The ``gitlab`` CLI of python-gitlab 8.6.0, run as a subprocess against the mock over real HTTP."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import typing as t

import httpx
import pytest

from mockserver.serving import BackgroundServer
from tests.conftest import EXPIRED, MAINTAINER

# The console script installed next to this interpreter, so the CLI runs on the same python-gitlab.
CLI = pathlib.Path(sys.executable).with_name("gitlab")

Run = t.Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(server: BackgroundServer, tmp_path: pathlib.Path) -> Run:
    """``cli(*args, token=...)`` runs ``gitlab -o json *args`` with a config file pointing at the mock."""

    def run(*args: str, token: str = MAINTAINER) -> subprocess.CompletedProcess[str]:
        config = tmp_path / f"python-gitlab-{token}.cfg"
        config.write_text(
            "[global]\ndefault = mock\nssl_verify = false\ntimeout = 10\n\n"
            f"[mock]\nurl = {server.url}\nprivate_token = {token}\napi_version = 4\n"
        )
        env = {**os.environ, "PYTHON_GITLAB_CFG": str(config)}
        return subprocess.run([str(CLI), "-o", "json", *args], env=env, capture_output=True, text=True, timeout=30)

    return run


@pytest.mark.parametrize("project_id", [pytest.param("24", id="numeric"), pytest.param("root/awesome-app", id="path")])
def test_release_list_prints_a_json_array(cli: Run, project_id: str) -> None:
    # The CLI authenticates with GET /user first; a missing or failing /user would exit 1 here.
    result = cli("project-release", "list", "--project-id", project_id)
    assert result.returncode == 0, result.stderr
    assert [release["tag_name"] for release in json.loads(result.stdout)] == ["v0.2", "v0.1"]


def test_release_get_with_slash_in_tag(cli: Run) -> None:
    result = cli("project-release", "get", "--project-id", "25", "--tag-name", "release/2.0")
    assert result.returncode == 0, result.stderr
    release = json.loads(result.stdout)
    assert (release["tag_name"], release["name"]) == ("release/2.0", "Secret app 2.0")


def test_release_create_then_list_includes_it(cli: Run) -> None:
    created = cli(
        "project-release",
        "create",
        "--project-id",
        "24",
        "--tag-name",
        "v9.9",
        "--ref",
        "main",
        "--name",
        "CLI release",
    )
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["name"] == "CLI release"
    listed = cli("project-release", "list", "--project-id", "24")
    assert [release["tag_name"] for release in json.loads(listed.stdout)] == ["v9.9", "v0.2", "v0.1"]


def test_release_link_list(cli: Run) -> None:
    result = cli("project-release-link", "list", "--project-id", "24", "--tag-name", "v0.2")
    assert result.returncode == 0, result.stderr
    assert [link["name"] for link in json.loads(result.stdout)] == ["awesome-v0.2.msi", "awesome-v0.2.dmg"]


def test_release_delete_prints_nothing_and_removes_the_release(cli: Run, gitlab: httpx.Client) -> None:
    result = cli("project-release", "delete", "--project-id", "24", "--tag-name", "v0.2")
    assert (result.returncode, result.stdout) == (0, "")
    assert gitlab.get("/projects/24/releases/v0.2").status_code == 404


@pytest.mark.parametrize(
    ("args", "token", "message"),
    [
        pytest.param(
            ["project-release", "create", "--project-id", "24", "--tag-name", "v0.1"],
            MAINTAINER,
            "Impossible to create object (409: Release already exists)",
            id="409-existing-release",
        ),
        pytest.param(
            ["project-release", "list", "--project-id", "24"],
            EXPIRED,
            "401: 401 Unauthorized",
            id="401-expired-token-at-login",
        ),
        pytest.param(
            # The CLI sends --assets as a JSON *string*; GitLab rejects it cleanly rather than parsing it.
            [
                "project-release",
                "create",
                "--project-id",
                "24",
                "--tag-name",
                "v8.0",
                "--ref",
                "main",
                "--assets",
                '{"links": [{"name": "bin", "url": "https://example.com/bin"}]}',
            ],
            MAINTAINER,
            "Impossible to create object (400: assets is invalid)",
            id="400-assets-as-string",
        ),
    ],
)
def test_errors_exit_1_with_the_server_message(
    cli: Run, gitlab: httpx.Client, args: list[str], token: str, message: str
) -> None:
    result = cli(*args, token=token)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == message
    # Nothing was created on the way: no v8.0 tag or release, v0.1 unchanged.
    assert gitlab.get("/projects/24/repository/tags/v8.0").status_code == 404
    assert [release["tag_name"] for release in gitlab.get("/projects/24/releases").json()] == ["v0.2", "v0.1"]
