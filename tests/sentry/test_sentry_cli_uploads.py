"""sentry-cli 3.8 against the mock over real HTTP: ``info``, and ``sourcemaps upload`` through chunks and assemble."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess

import httpx
import pytest

from mockserver import MockApp
from mockserver.serving import BackgroundServer
from tests.sentry.conftest import RELEASES
from tests.sentry.test_sentry_bundle_lifecycle import slow_assembly
from tests.sentry.test_sentry_cli import CLI, Run, cli  # noqa: F401 (the fixture, shared)

ORG = "/api/0/organizations/my-org"
CHUNKS = f"{ORG}/chunk-upload/"
ASSEMBLE = f"{ORG}/artifactbundle/assemble/"


@pytest.fixture
def dist(tmp_path: pathlib.Path) -> pathlib.Path:
    """A built app: a minified script that names its source map, and the map."""
    folder = tmp_path / "work" / "dist"
    folder.mkdir(parents=True)
    (folder / "app.js").write_text("function a(){return 1}\n//# sourceMappingURL=app.js.map\n")
    (folder / "app.js.map").write_text(
        '{"version":3,"file":"app.js","sources":["src/app.ts"],"names":[],"mappings":"AAAA"}'
    )
    return folder


def test_info_prints_the_server_the_defaults_and_the_token(cli: Run, server: BackgroundServer) -> None:  # noqa: F811
    result = cli("info")
    assert result.code == 0, result.err
    assert result.out == (
        f"Sentry Server: {server.url}\n"
        "Default Organization: my-org\n"
        "Default Project: my-project\n"
        "\n"
        "Authentication Info:\n"
        "  Method: Auth Token\n"
        "  User: raj@raspberries\n"
        "  Scopes:\n"
        "    - project:releases\n"
        "    - project:read\n"
        "    - org:read\n"
    )
    assert [(call.method, call.path, call.status) for call in result.calls] == [("GET", "/api/0/", 200)]


def test_sourcemaps_upload_goes_through_chunks_and_assemble(
    cli: Run,  # noqa: F811
    dist: pathlib.Path,
    sentry: httpx.Client,
) -> None:
    assert cli("releases", "new", "1.0.0").code == 0
    uploaded = cli("sourcemaps", "upload", "--release", "1.0.0", str(dist), cwd=dist.parent)
    assert uploaded.code == 0, uploaded.err
    assert [(call.method, call.path, call.status) for call in uploaded.calls] == [
        ("GET", CHUNKS, 200),
        ("POST", ASSEMBLE, 200),  # every chunk is missing
        ("POST", CHUNKS, 200),
        ("POST", ASSEMBLE, 200),  # created: assembled, the outcome kept for the next call
    ]
    asked = uploaded.calls[1].body
    assert (asked["projects"], asked["version"], len(asked["chunks"])) == (["my-project"], "1.0.0", 1)
    bundle_id = re.search(r"> Bundle ID: (\S+)", uploaded.out)
    assert bundle_id is not None, uploaded.out
    assert "> File upload complete (processing pending on server)" in uploaded.out
    assert "~/app.js (sourcemap at app.js.map)" in uploaded.out

    # Where Sentry shows a bundle: counted in the release's meta, listed among the project's bundles.
    meta = sentry.get("/organizations/my-org/releases/1.0.0/meta/").json()
    assert (meta["releaseFileCount"], meta["isArtifactBundle"]) == (2, True)
    [listed] = sentry.get("/projects/my-org/my-project/files/artifact-bundles/", params={"query": "1.0.0"}).json()
    assert (listed["bundleId"], listed["fileCount"]) == (bundle_id.group(1), 2)
    assert listed["associations"] == [{"release": "1.0.0", "dist": None}]
    assert sentry.get("/organizations/my-org/releases/1.0.0/files/").json() == []
    files = sentry.get(f"/projects/my-org/my-project/artifact-bundles/{bundle_id.group(1)}/files/").json()["files"]
    assert [(file["filePath"], file["fileType"], file["sourcemap"]) for file in files] == [
        ("~/app.js", 2, "app.js.map"),
        ("~/app.js.map", 3, None),
    ]

    again = cli("sourcemaps", "upload", "--release", "1.0.0", "--wait", str(dist), cwd=dist.parent)
    assert again.code == 0, again.err
    assert "> Nothing to upload, all files are on the server" in again.out
    assert "> File processing complete" in again.out
    # Nothing is missing, nothing is uploaded; --wait asks once more and reads ok.
    assert [(call.method, call.path, call.status) for call in again.calls] == [
        ("GET", CHUNKS, 200),
        ("POST", ASSEMBLE, 200),
        ("POST", ASSEMBLE, 200),
    ]


def test_sourcemaps_upload_wait_polls_while_the_bundle_is_assembling(
    cli: Run,  # noqa: F811
    dist: pathlib.Path,
    sentry: httpx.Client,
    app: MockApp,
    tmp_path: pathlib.Path,
) -> None:
    """With an assembly time, ``--wait`` asks again each second until the answer is no longer pending."""
    slow_assembly(app, tmp_path, 1.5)
    assert cli("releases", "new", "1.0.0").code == 0
    uploaded = cli("sourcemaps", "upload", "--release", "1.0.0", "--wait", str(dist), cwd=dist.parent)
    assert uploaded.code == 0, uploaded.err
    assert "> File processing complete" in uploaded.out
    calls = [(call.method, call.path) for call in uploaded.calls]
    # Missing chunks, then created, then at least one assembling before ok: 1.5 s at one poll a second.
    assert calls[:3] == [("GET", CHUNKS), ("POST", ASSEMBLE), ("POST", CHUNKS)]
    assert calls[3:] == [("POST", ASSEMBLE)] * len(calls[3:]) and len(calls[3:]) >= 3
    meta = sentry.get("/organizations/my-org/releases/1.0.0/meta/").json()
    assert (meta["releaseFileCount"], meta["isArtifactBundle"]) == (2, True)


def test_info_with_a_token_the_server_refuses_exits_1(cli: Run, sentry: httpx.Client) -> None:  # noqa: F811
    result = cli("info", "--auth-token", "sntrys-not-a-token-000000000000")
    assert result.code == 1
    assert [(call.path, call.status) for call in result.calls] == [("/api/0/", 401)]


def test_a_sentryclirc_alone_points_the_cli_at_the_mock(
    server: BackgroundServer, tmp_path: pathlib.Path, dist: pathlib.Path, sentry: httpx.Client
) -> None:
    """The configuration the README gives, in a ``.sentryclirc`` of the working directory, and no variables."""
    work = dist.parent
    (work / ".sentryclirc").write_text(
        f"[defaults]\nurl = {server.url}\norg = my-org\nproject = my-project\n\n[auth]\ntoken = {RELEASES}\n"
    )
    home = tmp_path / "rc-home"
    home.mkdir()
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(home), "SENTRY_DISABLE_UPDATE_CHECK": "true"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(CLI), *args], env=env, cwd=work, capture_output=True, text=True, timeout=30)

    info = run("info")
    assert info.returncode == 0, info.stderr
    assert f"Sentry Server: {server.url}\n" in info.stdout and "    - project:releases\n" in info.stdout
    assert run("releases", "new", "2.0.0").returncode == 0
    uploaded = run("sourcemaps", "upload", "--release", "2.0.0", "--wait", "dist")
    assert uploaded.returncode == 0, uploaded.stderr
    meta = sentry.get("/organizations/my-org/releases/2.0.0/meta/").json()
    assert (meta["releaseFileCount"], meta["isArtifactBundle"]) == (2, True)
