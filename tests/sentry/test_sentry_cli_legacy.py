"""sentry-cli 2.x against the mock over real HTTP: the legacy source map upload and ``releases files``.

sentry-cli 2.x uploads source maps file by file, through the project's release endpoints, when
the server offers no chunk upload (``GET .../chunk-upload/`` answers 404, as Sentry servers before
chunked uploads did; a server that offers it gets artifact bundles instead). So the CLI talks to
the session's mock through a second listener on the same app that answers 404 there, as such a
server would, whatever the mock itself offers. The 2.x binary is not a test dependency (3.x is): the first run installs
the pinned wheel with pip into a cache folder (``$RELEASE_MOCK_CLIENT_CACHE``, else
``~/.cache/release-mock/clients``). Where it cannot be installed the tests skip, saying why; with
``CI=true`` they fail instead, since a missing client there is a broken setup.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import typing as t

import httpx
import pytest

from mockserver import MockApp
from mockserver.serving import BackgroundServer
from tests.sentry.conftest import RELEASES
from tests.sentry.test_sentry_cli import Result, Run, rows

VERSION = "2.58.6"
"""The 2.x release the tests pin: its ``sourcemaps upload`` falls back to the legacy path."""

PROJECT_RELEASES = "/api/0/projects/my-org/my-project/releases/"
CHUNK_UPLOAD = "/api/0/organizations/my-org/chunk-upload/"
APP_JS = b"function add(a,b){return a+b}\n//# sourceMappingURL=app.js.map\n"
APP_MAP = b'{"version":3,"file":"app.js","sources":["add.js"],"names":[],"mappings":"AAAA"}'


def client_cache() -> pathlib.Path:
    configured = os.environ.get("RELEASE_MOCK_CLIENT_CACHE")
    if configured:
        return pathlib.Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(base) / "release-mock" / "clients"


def install_sentry_cli(cache: pathlib.Path) -> pathlib.Path:
    """The cached binary, installed first where it is missing (into a temporary folder, then moved into place)."""
    target = cache / f"sentry-cli-{VERSION}"
    binary = target / "bin" / "sentry-cli"
    if binary.exists():
        return binary
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as staging:
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", staging]
        done = subprocess.run([*command, f"sentry-cli=={VERSION}"], capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"pip could not install sentry-cli {VERSION}: {done.stderr.strip()[-500:]}")
        if not binary.exists():  # another process may have finished first
            shutil.move(staging, target)
            pathlib.Path(staging).mkdir()  # for TemporaryDirectory's own clean-up
    return binary


@pytest.fixture(scope="session")
def sentry_cli_2() -> pathlib.Path:
    try:
        return install_sentry_cli(client_cache())
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as problem:
        message = f"sentry-cli {VERSION} is not available: {problem}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def without_chunk_upload(app: t.Any) -> t.Any:
    """The app, with ``.../chunk-upload/`` answering Sentry's 404 (as a server without chunked uploads)."""

    async def wrapped(scope: dict[str, t.Any], receive: t.Any, send: t.Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/chunk-upload/"):
            body = json.dumps({"detail": "The requested resource does not exist"}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 404, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return wrapped


@pytest.fixture(scope="module")
def legacy_server(app: MockApp) -> t.Iterator[BackgroundServer]:
    """The session's mock (same state) on a port of its own, without chunk upload."""
    with BackgroundServer(without_chunk_upload(app)) as running:
        yield running


@pytest.fixture
def cli2(sentry_cli_2: pathlib.Path, legacy_server: BackgroundServer, tmp_path: pathlib.Path) -> Run:
    """``cli2(*args, cwd=...)``: sentry-cli 2.x with a clean HOME and only our variables."""
    home = tmp_path / "home"
    home.mkdir()

    def run(*args: str, cwd: pathlib.Path = tmp_path) -> Result:
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(home),
            "SENTRY_URL": legacy_server.url,
            "SENTRY_AUTH_TOKEN": RELEASES,
            "SENTRY_ORG": "my-org",
            "SENTRY_PROJECT": "my-project",
            "SENTRY_LOG_LEVEL": "debug",
            "SENTRY_DISABLE_UPDATE_CHECK": "true",
            "SENTRY_LOAD_DOTENV": "0",
        }
        done = subprocess.run(
            [str(sentry_cli_2), *args], env=env, cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=30
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def dist(tmp_path: pathlib.Path) -> pathlib.Path:
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "app.js").write_bytes(APP_JS)
    (folder / "app.js.map").write_bytes(APP_MAP)
    return folder


def requests(result: Result) -> list[tuple[str, str, int | None]]:
    return [(call.method, call.path, call.status) for call in result.calls]


def files_of(sentry: httpx.Client, version: str) -> list[dict]:
    response = sentry.get(f"/organizations/my-org/releases/{version}/files/")
    assert response.status_code == 200, response.text
    return response.json()


def test_sourcemaps_upload_takes_the_legacy_path(cli2: Run, sentry: httpx.Client, dist: pathlib.Path) -> None:
    result = cli2("sourcemaps", "upload", "--release", "web@1.0.0", str(dist))
    assert result.code == 0, result.err
    files = f"{PROJECT_RELEASES}web@1.0.0/files/"
    # The last two, the uploads, run in parallel: their log lines may interleave, so their
    # statuses are read back from the stored files instead.
    assert requests(result)[:4] == [
        ("GET", CHUNK_UPLOAD, 404),
        ("POST", PROJECT_RELEASES, 201),
        ("POST", PROJECT_RELEASES, 208),
        ("GET", f"{files}?cursor=", 200),
    ]
    assert [(call.method, call.path) for call in result.calls[4:]] == [("POST", files), ("POST", files)]
    assert result.calls[1].body == {"version": "web@1.0.0", "projects": ["my-project"]}
    assert "> Upload type: single file/legacy upload" in result.out
    stored = {file["name"]: file for file in files_of(sentry, "web@1.0.0")}
    assert sorted(stored) == ["~/app.js", "~/app.js.map"]
    assert stored["~/app.js"]["headers"]["Sourcemap"] == "app.js.map"
    content = sentry.get(f"{files.removeprefix('/api/0')}{stored['~/app.js.map']['id']}/", params={"download": "1"})
    assert content.content == APP_MAP
    release = sentry.get("/organizations/my-org/releases/web@1.0.0/").json()
    assert [project["slug"] for project in release["projects"]] == ["my-project"]


def test_uploading_again_replaces_the_files(cli2: Run, sentry: httpx.Client, dist: pathlib.Path) -> None:
    assert cli2("sourcemaps", "upload", "--release", "web@1.0.0", str(dist)).code == 0
    first = {file["name"]: file["id"] for file in files_of(sentry, "web@1.0.0")}
    (dist / "app.js").write_bytes(APP_JS.replace(b"a+b", b"b+a"))
    again = cli2("sourcemaps", "upload", "--release", "web@1.0.0", str(dist))
    assert again.code == 0, again.err
    # The CLI lists what the release has, deletes each file it uploads anew, then uploads it. The
    # uploads run in parallel, so their log lines interleave: only the request lines are compared.
    deletes = sorted(call.path for call in again.calls if call.method == "DELETE")
    files = f"{PROJECT_RELEASES}web@1.0.0/files/"
    assert deletes == sorted(f"{files}{file_id}/" for file_id in first.values())
    now = {file["name"]: file for file in files_of(sentry, "web@1.0.0")}
    assert sorted(now) == sorted(first) and not set(file["id"] for file in now.values()) & set(first.values())


def test_sourcemaps_upload_with_a_dist(cli2: Run, sentry: httpx.Client, dist: pathlib.Path) -> None:
    result = cli2("sourcemaps", "upload", "--release", "web@2.0.0", "--dist", "42", str(dist))
    assert result.code == 0, result.err
    assert {file["dist"] for file in files_of(sentry, "web@2.0.0")} == {"42"}


def test_releases_files_list_upload_delete(cli2: Run, sentry: httpx.Client, tmp_path: pathlib.Path) -> None:
    (tmp_path / "notes.txt").write_bytes(b"hello")
    uploaded = cli2("releases", "files", "frontend@1.0.0", "upload", "notes.txt", "~/notes.txt")
    assert uploaded.code == 0, uploaded.err
    assert ("POST", f"{PROJECT_RELEASES}frontend@1.0.0/files/", 201) in requests(uploaded)
    [file] = files_of(sentry, "frontend@1.0.0")
    assert (file["name"], file["size"]) == ("~/notes.txt", 5)

    listed = cli2("releases", "files", "frontend@1.0.0", "list")
    assert listed.code == 0, listed.err
    assert requests(listed) == [("GET", f"{PROJECT_RELEASES}frontend@1.0.0/files/?cursor=", 200)]
    assert [row[0] for row in rows(listed.out)] == ["~/notes.txt"]

    deleted = cli2("releases", "files", "frontend@1.0.0", "delete", "~/notes.txt")
    assert deleted.code == 0, deleted.err
    assert ("DELETE", f"{PROJECT_RELEASES}frontend@1.0.0/files/{file['id']}/", 204) in requests(deleted)
    assert files_of(sentry, "frontend@1.0.0") == []


def test_releases_files_of_a_release_of_another_project_fail(cli2: Run) -> None:
    # control@abc123 belongs to project "sentry", not to the configured my-project.
    listed = cli2("releases", "files", "control@abc123", "list")
    assert listed.code == 1
    assert requests(listed) == [("GET", f"{PROJECT_RELEASES}control@abc123/files/?cursor=", 404)]


def test_releases_files_delete_all(cli2: Run, sentry: httpx.Client, dist: pathlib.Path) -> None:
    assert cli2("sourcemaps", "upload", "--release", "web@1.0.0", str(dist)).code == 0
    deleted = cli2("releases", "files", "web@1.0.0", "delete", "--all")
    assert deleted.code == 0, deleted.err
    assert requests(deleted) == [("DELETE", "/api/0/projects/my-org/my-project/files/source-maps/?name=web@1.0.0", 204)]
    assert files_of(sentry, "web@1.0.0") == []


def test_projects_list(cli2: Run) -> None:
    listed = cli2("projects", "list")
    assert listed.code == 0, listed.err
    assert requests(listed) == [("GET", "/api/0/organizations/my-org/projects/?cursor=", 200)]
    assert [row[1] for row in rows(listed.out)] == ["sentry", "mobile", "my-project"], "the CLI sorts by name"
