"""GitLab's documented curl commands for uploads and generic packages, run as written against the mock.

Each command is the documentation's text with only its placeholders filled in: the host
``https://gitlab.example.com`` becomes the mock's URL, ``<...token>`` a fixture token, and the
project id 5 of the uploads example project 24. The commands run in a shell, in a folder that
holds the files they name.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess

import httpx
import pytest

from mockserver.serving import BackgroundServer
from tests.conftest import DEVELOPER

UPLOAD = """curl --request POST --header "PRIVATE-TOKEN: <your_access_token>" \\
     --form "file=@dk.png" "https://gitlab.example.com/api/v4/projects/5/uploads"
"""
PUBLISH = """curl --location --header "PRIVATE-TOKEN: <personal_access_token>" \\
     --upload-file path/to/file.txt \\
     "https://gitlab.example.com/api/v4/projects/24/packages/generic/my_package/0.0.1/file.txt"
"""
PUBLISH_HIDDEN = """curl --location --header "PRIVATE-TOKEN: <personal_access_token>" \\
     --upload-file path/to/file.txt \\
     "https://gitlab.example.com/api/v4/projects/24/packages/generic/my_package/0.0.1/file.txt?status=hidden"
"""
PUBLISH_SELECT = """curl --location --user "<username>:<personal_access_token>" \\
     --upload-file path/to/file.txt \\
     "https://gitlab.example.com/api/v4/projects/24/packages/generic/my_package/0.0.1/file.txt?select=package_file"
"""
DOWNLOAD = """curl --location --header "PRIVATE-TOKEN: <personal_access_token>" \\
     "https://gitlab.example.com/api/v4/projects/24/packages/generic/my_package/0.0.1/file.txt" \\
     --output file.txt
"""

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


@pytest.fixture
def run(server: BackgroundServer, tmp_path: pathlib.Path):  # type: ignore[no-untyped-def]
    (tmp_path / "path" / "to").mkdir(parents=True)
    (tmp_path / "path" / "to" / "file.txt").write_bytes(b"package contents\n")
    (tmp_path / "dk.png").write_bytes(b"\x89PNG\r\n\x1a\n")

    def run(command: str) -> str:
        filled = (
            command.replace("https://gitlab.example.com", server.url)
            .replace("/projects/5/", "/projects/24/")
            .replace("<your_access_token>", DEVELOPER)
            .replace("<personal_access_token>", DEVELOPER)
            .replace("<username>", "dev")
        )
        done = subprocess.run(
            ["bash", "-c", filled],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run.folder = tmp_path  # type: ignore[attr-defined]
    return run


def test_the_upload_example(run, server: BackgroundServer) -> None:  # type: ignore[no-untyped-def]
    body = json.loads(run(UPLOAD))
    assert body["alt"] == "dk"
    assert body["markdown"] == f"![dk]({body['url']})"
    assert body["full_path"] == f"/-/project/24{body['url']}"
    assert httpx.get(server.url + body["full_path"]).content == b"\x89PNG\r\n\x1a\n"


def test_the_generic_package_examples(run) -> None:  # type: ignore[no-untyped-def]
    assert json.loads(run(PUBLISH)) == {"message": "201 Created"}
    assert json.loads(run(PUBLISH_HIDDEN)) == {"message": "201 Created"}
    package_file = json.loads(run(PUBLISH_SELECT))
    assert (package_file["file_name"], package_file["size"]) == ("file.txt", 17)
    (run.folder / "file.txt").unlink(missing_ok=True)
    assert run(DOWNLOAD) == ""
    assert (run.folder / "file.txt").read_bytes() == b"package contents\n"
