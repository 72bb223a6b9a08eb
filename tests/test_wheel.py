"""The wheel works on its own: built, installed with the contract extra in a fresh virtualenv, run from elsewhere.

About a minute on a warm pip cache (the build, the install and two start-ups); ``-m 'not wheel'`` skips it.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tomllib
import typing as t

import httpx
import pytest
import yaml

from mockserver.settings import PROJECT_ROOT

pytestmark = pytest.mark.wheel

SOURCES = ("pyproject.toml", "setup.py", "README.md", "mockserver", "contracts", "specs", "fixtures")
"""What the build reads; copied, so that building writes nothing (build/, *.egg-info) into the checkout."""
CHKK_PROJECT = "proj_a858f4d4-6e5b-4ab5-8d92-e9715b584ec1"
SLOW = 300


def run(command: list[str | pathlib.Path], **options: t.Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=SLOW, **options)
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result


def environment() -> dict[str, str]:
    """This environment without what could make the checkout importable or change the mock's settings."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in ("PYTHONPATH", "HOST", "PORT") and not name.startswith("RELEASE_MOCK_")
    }


@pytest.fixture(scope="module")
def venv_bin(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[pathlib.Path]:
    """The ``bin`` folder of a fresh virtualenv holding the wheel and its contract extra, and nothing else of ours."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        if (PROJECT_ROOT / name).is_dir():
            shutil.copytree(PROJECT_ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(PROJECT_ROOT / name, source / name)
    try:
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", work / "dist", source])
        (wheel,) = (work / "dist").glob("release_mock-*.whl")
        # No pip inside: this process's pip installs into it (--python), which saves seconds.
        run([sys.executable, "-m", "venv", "--without-pip", work / "venv"])
        python = work / "venv" / "bin" / "python"
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                python,
                "install",
                "--quiet",
                "--no-compile",
                f"{wheel}[contract]",
            ]
        )
        yield work / "venv" / "bin"
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def elsewhere(tmp_path: pathlib.Path) -> pathlib.Path:
    """A working directory outside the checkout, with no specs/ or fixtures/ to stumble upon."""
    return tmp_path


def test_the_package_runs_from_the_virtualenv_not_the_checkout(venv_bin: pathlib.Path, elsewhere: pathlib.Path) -> None:
    code = "import mockserver.bundled as b, contracts.profiles as p; print(b.SPECS_DIR, b.FIXTURES_DIR, p.SPECS)"
    specs, fixtures, contract_specs = run(
        [venv_bin / "python", "-c", code], cwd=elsewhere, env=environment()
    ).stdout.split()
    site_packages = venv_bin.parent / "lib"
    assert pathlib.Path(specs).is_relative_to(site_packages), specs
    assert specs == contract_specs
    assert sorted(path.name for path in pathlib.Path(specs).iterdir()) == sorted(
        path.name for path in (PROJECT_ROOT / "specs").glob("*.yaml")
    )
    assert (pathlib.Path(fixtures) / "gitlab" / "projects.yaml").is_file()


def test_version(venv_bin: pathlib.Path, elsewhere: pathlib.Path) -> None:
    declared = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    version = run([venv_bin / "release-mock", "--version"], cwd=elsewhere, env=environment()).stdout
    assert version == f"release-mock {declared}\n"


def test_serve_answers_for_every_api_and_the_contract_passes(venv_bin: pathlib.Path, elsewhere: pathlib.Path) -> None:
    process = subprocess.Popen(
        [venv_bin / "release-mock", "serve", "--port", "0"],
        cwd=elsewhere,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        listening = process.stdout.readline()
        match = re.fullmatch(r"release-mock: listening on (http://127\.0\.0\.1:\d+)\n", listening)
        assert match, listening + (process.stderr.read() if process.poll() is not None and process.stderr else "")
        root = match[1]
        with httpx.Client(base_url=root, timeout=10) as client:
            gitlab = client.get(
                "/api/v4/projects/24/releases", headers={"PRIVATE-TOKEN": "glpat-maintainer-000000000001"}
            )
            assert gitlab.status_code == 200
            assert {release["tag_name"] for release in gitlab.json()} == fixture_tags(24)
            sentry = client.get(
                "/api/0/organizations/my-org/releases/",
                headers={"Authorization": "Bearer sntrys-mock-admin-00000000000000001"},
            )
            assert sentry.status_code == 200
            assert "control@abc123" in {release["version"] for release in sentry.json()}
            chkk = client.get(
                f"/chkk/projects/{CHKK_PROJECT}/releases/1.5.12/",
                headers={"Authorization": "Bearer chkk-all-projects-token-0001"},
            )
            assert (chkk.status_code, chkk.json()["version"]) == (200, "1.5.12")
            assert client.get("/api/v4/ui/").status_code == 200
        contract = subprocess.run(
            [venv_bin / "release-mock", "contract", "chkk", "--base-url", root, "--max-examples", "1", "--seed", "1"],
            cwd=elsewhere,
            env=environment(),
            capture_output=True,
            text=True,
            timeout=SLOW,
        )
        assert contract.returncode == 0, contract.stdout + contract.stderr
        assert "contract passed: 0 failures; operations exercised: chkk 2/2" in contract.stdout
    finally:
        process.terminate()
        process.communicate(timeout=20)


def fixture_tags(project_id: int) -> set[str]:
    projects = yaml.safe_load((PROJECT_ROOT / "fixtures" / "gitlab" / "projects.yaml").read_text(encoding="utf-8"))
    (project,) = [project for project in projects if project["id"] == project_id]
    return {release["tag_name"] for release in project["releases"]}


PLUGIN_TEST = f"""
import pytest

@pytest.mark.release_mock(scenario="empty")
def test_the_scenario_marker(release_mock):
    response = release_mock.gitlab.get("/projects/1", headers={{"PRIVATE-TOKEN": "glpat-admin-0000000000000001"}})
    assert response.json()["path"] == "empty-app"

def test_the_fixtures_again(release_mock_server):
    import httpx
    response = httpx.get(release_mock_server.url + "/chkk/projects/{CHKK_PROJECT}/releases/1.5.12/",
                         headers={{"Authorization": "Bearer chkk-all-projects-token-0001"}})
    assert response.json()["version"] == "1.5.12"
"""


def test_the_pytest_plugin_works_from_the_wheel(venv_bin: pathlib.Path, elsewhere: pathlib.Path) -> None:
    # pytest is no dependency of ours: the user's project brings it.
    run([sys.executable, "-m", "pip", "--python", venv_bin / "python", "install", "--quiet", "--no-compile", "pytest"])
    (elsewhere / "test_with_the_plugin.py").write_text(PLUGIN_TEST, encoding="utf-8")
    result = run(
        [venv_bin / "python", "-m", "pytest", "-q", "--strict-markers", "-p", "no:cacheprovider", "-p", "no:randomly"],
        cwd=elsewhere,
        env=environment(),
    )
    assert "2 passed" in result.stdout, result.stdout
