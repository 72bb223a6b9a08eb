"""release-it (npm) publishing a GitLab release against the mock over real HTTP, from a temporary git repository.

The repository's ``origin`` is a local bare repository at ``<tmp>/root/awesome-app.git``: release-it
pushes its commit and tag there, and reads the GitLab project from the remote's last two path
segments (``root/awesome-app``, the fixture project 24), while ``gitlab.origin`` sends its API calls
to the mock. release-it comes from the npm registry into the user's cache
(``~/.cache/release-mock/clients/``) the first time; without node or npm the tests skip, and
fail when ``CI=true``, where ``make test`` installs them.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import typing as t

import httpx
import pytest

from mockserver.serving import BackgroundServer
from mockserver.spec_cache import user_cache_dir
from tests.conftest import ADMIN

VERSION = "20.2.1"
PACKAGE = f"release-it@{VERSION}"
RELEASE = "/projects/24/releases/v1.0.0"
ASSETS = {"dist/awesome-app-linux.tar.gz": b"\x1f\x8b tarball bytes", "dist/screenshot.png": b"\x89PNG bytes"}


def release_it_install() -> pathlib.Path | str:
    """The release-it executable, installed into the cache when missing; or what is missing to get it."""
    cache = os.environ.get("RELEASE_MOCK_CLIENTS")
    folder = pathlib.Path(cache) if cache else (user_cache_dir() or pathlib.Path(".cache")) / "clients"
    folder = folder / f"release-it-{VERSION}"
    executable = folder / "node_modules" / ".bin" / "release-it"
    if executable.exists():
        return executable
    for tool in ("node", "npm", "git"):
        if shutil.which(tool) is None:
            return f"{tool} (Debian packages nodejs, npm and git; `make test` installs them when run as root)"
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--loglevel=error", PACKAGE],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0 or not executable.exists():
        return f"{PACKAGE} from the npm registry (npm install failed: {done.stderr.strip()[-500:]})"
    return executable


@pytest.fixture(scope="module")
def release_it() -> pathlib.Path:
    found = release_it_install()
    if isinstance(found, str):
        # CI (CI=true) runs `make test`, which installs node and npm: a missing client there is a
        # broken setup to fix, and must fail rather than let the client go untested behind a skip.
        if os.environ.get("CI") == "true":
            pytest.fail(f"the release-it tests need {found}", pytrace=False)
        pytest.skip(f"the release-it tests need {found}")
    return found


def git(cwd: pathlib.Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


@pytest.fixture
def project(tmp_path: pathlib.Path) -> pathlib.Path:
    """A clone of ``root/awesome-app`` at version 0.2.0, with ``origin`` a local bare repository."""
    origin = tmp_path / "remotes" / "root" / "awesome-app.git"
    origin.mkdir(parents=True)
    git(origin, "init", "--quiet", "--bare", "--initial-branch=main")
    work = tmp_path / "awesome-app"
    work.mkdir()
    git(work, "init", "--quiet", "--initial-branch=main")
    git(work, "config", "user.name", "Release Bot")
    git(work, "config", "user.email", "release-bot@example.com")
    git(work, "config", "commit.gpgsign", "false")
    (work / "package.json").write_text(json.dumps({"name": "awesome-app", "version": "0.2.0", "private": True}))
    for name, content in ASSETS.items():
        (work / name).parent.mkdir(exist_ok=True)
        (work / name).write_bytes(content)
    git(work, "add", ".")
    git(work, "commit", "--quiet", "-m", "Awesome app 0.2.0")
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "--quiet", "-u", "origin", "main")
    return work


# The README's `.release-it.json`, word for word: the tests serve the mock on another port.
README_CONFIG = """{
  "git": {"commitMessage": "Release ${version}", "tagName": "v${version}"},
  "npm": {"publish": false},
  "gitlab": {
    "release": true,
    "origin": "http://127.0.0.1:8080",
    "tokenRef": "GITLAB_TOKEN",
    "milestones": ["v1.0"],
    "assets": ["dist/*"]
  }
}
"""


def configure(work: pathlib.Path, server: BackgroundServer, **gitlab: t.Any) -> None:
    """The README's ``.release-it.json`` for the mock at ``server``, with ``gitlab`` options added."""
    config = json.loads(README_CONFIG.replace("http://127.0.0.1:8080", server.url))
    config["gitlab"].update(gitlab)
    (work / ".release-it.json").write_text(json.dumps(config, indent=2))
    git(work, "add", ".release-it.json")
    git(work, "commit", "--quiet", "-m", "Configure release-it")
    git(work, "push", "--quiet")


def run_release_it(release_it: pathlib.Path, work: pathlib.Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(work.parent),
        "GITLAB_TOKEN": ADMIN,
        "CI": "true",
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [str(release_it), "1.0.0", "--ci", "--verbose"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def released(
    gitlab: httpx.Client, server: BackgroundServer, work: pathlib.Path, done: subprocess.CompletedProcess[str]
) -> dict[str, t.Any]:
    """The release release-it made, read back through the API, after checking what git holds."""
    assert done.returncode == 0, done.stdout + done.stderr
    origin = work.parent / "remotes" / "root" / "awesome-app.git"
    assert git(origin, "tag", "--list").split() == ["v1.0.0"]
    response = gitlab.get(RELEASE)
    assert response.status_code == 200, response.text
    release = t.cast(dict[str, t.Any], response.json())
    assert release["name"] == "Release 1.0.0"
    assert [milestone["title"] for milestone in release["milestones"]] == ["v1.0"]
    assert gitlab.get("/projects/24/repository/tags/v1.0.0").status_code == 200
    return release


def downloads(server: BackgroundServer, release: dict[str, t.Any]) -> dict[str, bytes]:
    links = release["assets"]["links"]
    return {link["name"]: httpx.get(link["url"]).content for link in links}


def expected_downloads() -> dict[str, bytes]:
    return {pathlib.Path(name).name: content for name, content in ASSETS.items()}


@pytest.mark.parametrize("generic", [False, True], ids=["markdown-uploads", "generic-packages"])
def test_release_with_the_default_checks_milestones_and_assets(
    release_it: pathlib.Path, project: pathlib.Path, server: BackgroundServer, gitlab: httpx.Client, generic: bool
) -> None:
    """The default flow: sign-in and membership checks, the milestone looked up, then the assets."""
    configure(project, server, useGenericPackageRepositoryForAssets=generic)
    release = released(gitlab, server, project, run_release_it(release_it, project))
    served_from = "/api/v4/projects/root%2Fawesome-app/packages/generic/" if generic else "/root/awesome-app/uploads/"
    for link in release["assets"]["links"]:
        assert link["url"].startswith(server.url + served_from)
    assert downloads(server, release) == expected_downloads()


def test_release_with_uploads_linked_by_project_id(
    release_it: pathlib.Path, project: pathlib.Path, server: BackgroundServer, gitlab: httpx.Client
) -> None:
    """Checks skipped (no membership or milestone look-up); uploads linked by their ``full_path``."""
    configure(project, server, skipChecks=True, useIdsForUrls=True)
    release = released(gitlab, server, project, run_release_it(release_it, project))
    for link in release["assets"]["links"]:
        assert link["url"].startswith(f"{server.url}/-/project/24/uploads/")
    assert downloads(server, release) == expected_downloads()


def test_release_with_assets_as_generic_packages(
    release_it: pathlib.Path, project: pathlib.Path, server: BackgroundServer, gitlab: httpx.Client
) -> None:
    """Checks skipped; each asset published to the generic package ``release-it`` at the version released."""
    configure(project, server, skipChecks=True, useGenericPackageRepositoryForAssets=True)
    release = released(gitlab, server, project, run_release_it(release_it, project))
    base = f"{server.url}/api/v4/projects/root%2Fawesome-app/packages/generic/release-it/1.0.0"
    assert sorted(link["url"] for link in release["assets"]["links"]) == [
        f"{base}/awesome-app-linux.tar.gz",
        f"{base}/screenshot.png",
    ]
    assert downloads(server, release) == expected_downloads()
