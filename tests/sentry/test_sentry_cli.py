"""sentry-cli 3.8, run as a subprocess against the mock over real HTTP: what it prints, sends and leaves behind.

The CLI runs with ``SENTRY_LOG_LEVEL=debug``, whose log (on stderr) names every request line, its JSON
body and the status that came back; ``Result.calls`` reads them from there, so each test can say which
endpoints a command used as well as what it printed on stdout.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import pathlib
import re
import subprocess
import sys
import typing as t
from urllib.parse import quote

import httpx
import pytest

from mockserver.serving import BackgroundServer
from tests.sentry.conftest import RELEASES

# The binary the sentry-cli wheel installs next to this interpreter.
CLI = pathlib.Path(sys.executable).with_name("sentry-cli")

ORG_RELEASES = "/api/0/organizations/my-org/releases/"
REPOS = "/api/0/organizations/my-org/repos/?cursor="
PLUS = "my-app@2.0.0+build.7"  # a fixture release of my-project, created 2024-06-02T09:00:00Z
NOT_FOUND = "error: Release not found. Ensure that you configured the correct release, project, and organization."
FALLBACK = (
    "Could not determine any commits to be associated with a repo-based integration."
    " Proceeding to find commits from local git tree."
)

_REQUEST = re.compile(r"> (GET|POST|PUT|DELETE) (\S+) HTTP/1\.1$")
_STATUS = re.compile(r"< HTTP/1\.1 (\d{3})\b")
_BODY = re.compile(r"json body: (.*)$")


@dataclasses.dataclass(frozen=True)
class Call:
    method: str
    path: str
    status: int | None
    body: t.Any


@dataclasses.dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def calls(self) -> list[Call]:
        calls: list[Call] = []
        body: t.Any = None
        for line in self.err.splitlines():
            if sent := _BODY.search(line):
                body = json.loads(sent.group(1))
            elif request := _REQUEST.search(line):
                calls.append(Call(request.group(1), request.group(2), None, body))
                body = None
            elif (status := _STATUS.search(line)) and calls:
                calls[-1] = dataclasses.replace(calls[-1], status=int(status.group(1)))
        return calls

    @property
    def errors(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("error:")]


Run = t.Callable[..., Result]


@pytest.fixture
def cli(server: BackgroundServer, tmp_path: pathlib.Path) -> Run:
    """``cli(*args, project=..., cwd=...)`` runs sentry-cli with a clean HOME and only our variables."""
    home = tmp_path / "home"
    home.mkdir()
    workdir = tmp_path / "work"
    workdir.mkdir()

    def run(*args: str, project: str | None = "my-project", cwd: pathlib.Path = workdir) -> Result:
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(home),
            "SENTRY_URL": server.url,
            "SENTRY_AUTH_TOKEN": RELEASES,
            "SENTRY_ORG": "my-org",
            "SENTRY_LOG_LEVEL": "debug",
            "SENTRY_DISABLE_UPDATE_CHECK": "true",
            "SENTRY_LOAD_DOTENV": "0",
        }
        if project is not None:
            env["SENTRY_PROJECT"] = project
        done = subprocess.run(
            [str(CLI), *args], env=env, cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=15
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run


@dataclasses.dataclass
class GitRepo:
    """A throwaway repository; commits are by Ann at fixed times unless told otherwise."""

    path: pathlib.Path
    home: pathlib.Path

    def git(self, *args: str, when: str = "") -> str:
        env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(self.home), "GIT_CONFIG_NOSYSTEM": "1"}
        env |= {"GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.com"}
        env |= {"GIT_COMMITTER_NAME": "Ann", "GIT_COMMITTER_EMAIL": "ann@example.com"}
        if when:
            env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        done = subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def commit(self, message: str, file: str | None, when: str) -> str:
        if file is None:
            self.git("commit", "-q", "--allow-empty", "-m", message, when=when)
        else:
            (self.path / file).write_text(f"{file}\n")
            self.git("add", file)
            self.git("commit", "-q", "-m", message, when=when)
        return self.git("rev-parse", "HEAD")


MakeRepo = t.Callable[[str], tuple[GitRepo, list[str]]]


@pytest.fixture
def git_repo(tmp_path: pathlib.Path) -> MakeRepo:
    """``git_repo(remote)``: a repository with two commits and ``origin`` at ``remote``; shas newest first."""

    def make(remote: str) -> tuple[GitRepo, list[str]]:
        repo = GitRepo(tmp_path / "repo", tmp_path)
        repo.path.mkdir()
        repo.git("init", "-q", "-b", "main")
        first = repo.commit("init", None, "2024-07-01T12:00:00Z")
        second = repo.commit("Add f3", "f3", "2024-07-01T13:00:00Z")
        repo.git("remote", "add", "origin", remote)
        return repo, [second, first]

    return make


def table(header: t.Sequence[str], *rows: t.Sequence[str]) -> str:
    """The CLI's box table: left-aligned cells, one space of padding."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    rule = "+" + "+".join("-" * (width + 2) for width in widths) + "+"

    def line(cells: t.Sequence[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    return "\n".join([rule, line(header), rule, *map(line, rows), rule]) + "\n"


def rows(out: str) -> list[list[str]]:
    """The body cells of a printed table (header left out)."""
    lines = [line for line in out.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[1:]]


def shown(iso: str) -> str:
    """A release's ``dateCreated`` as the CLI prints it (chrono: fraction in 0, 3 or 6 digits, then ``UTC``)."""
    moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    micro = moment.microsecond
    fraction = "" if not micro else f".{micro // 1000:03d}" if micro % 1000 == 0 else f".{micro:06d}"
    return moment.strftime("%Y-%m-%d %H:%M:%S") + fraction + " UTC"


def path_of(version: str) -> str:
    return f"{ORG_RELEASES}{quote(version, safe='@')}/"


def release(sentry: httpx.Client, version: str) -> httpx.Response:
    return sentry.get(path_of(version).removeprefix("/api/0"))


def test_new_creates_then_reports_an_existing_release_the_same_way(cli: Run, sentry: httpx.Client) -> None:
    first = cli("releases", "new", "1.2.3")
    assert (first.code, first.out) == (0, "Created release 1.2.3\n"), first.err
    [call] = first.calls
    assert (call.method, call.path, call.status) == ("POST", ORG_RELEASES, 201)
    assert (call.body["version"], call.body["projects"]) == ("1.2.3", ["my-project"])
    assert call.body["dateStarted"].endswith("Z")

    again = cli("releases", "new", "1.2.3")
    assert (again.code, again.out) == (0, "Created release 1.2.3\n")
    assert [call.status for call in again.calls] == [208]

    stored = release(sentry, "1.2.3").json()
    assert [project["slug"] for project in stored["projects"]] == ["my-project"]
    assert stored["dateStarted"] is not None and stored["dateReleased"] is None
    info = cli("releases", "info", "1.2.3")
    assert info.code == 0
    assert info.out == table(["Version", "Date created"], ["1.2.3", shown(stored["dateCreated"])])
    assert [(call.method, call.path, call.status) for call in info.calls] == [("GET", path_of("1.2.3"), 200)]


@pytest.mark.parametrize(
    ("version", "encoded"),
    [
        pytest.param(PLUS, "my-app@2.0.0%2Bbuild.7", id="plus"),
        pytest.param("rel 1", "rel%201", id="space"),
    ],
)
def test_versions_with_plus_and_space_round_trip(cli: Run, sentry: httpx.Client, version: str, encoded: str) -> None:
    assert cli("releases", "new", version).out == f"Created release {version}\n"
    created = release(sentry, version).json()
    assert created["version"] == version
    info = cli("releases", "info", version)
    assert info.calls[0].path == f"{ORG_RELEASES}{encoded}/"
    assert info.out == table(["Version", "Date created"], [version, shown(created["dateCreated"])])
    if version == PLUS:  # %2B was read as "+": this is the fixture release, not a new "my-app@2.0.0 build.7"
        assert shown(created["dateCreated"]) == "2024-06-02 09:00:00 UTC"

    assert cli("releases", "finalize", version).out == f"Finalized release {version}\n"
    assert release(sentry, version).json()["dateReleased"] is not None
    assert version in cli("releases", "list", "--raw").out.splitlines()

    deleted = cli("releases", "delete", version)
    assert (deleted.code, deleted.out) == (0, f"Deleted release {version}!\n")
    assert [(call.method, call.path, call.status) for call in deleted.calls] == [
        ("DELETE", f"{ORG_RELEASES}{encoded}/", 204)
    ]
    assert release(sentry, version).status_code == 404
    assert cli("releases", "info", version).code == 1


@pytest.mark.parametrize(
    ("args", "errors"),
    [
        pytest.param(["releases", "info", "nope"], [], id="info-says-nothing"),
        pytest.param(["releases", "finalize", "nope"], [NOT_FOUND], id="finalize"),
        pytest.param(["deploys", "new", "--release", "nope", "-e", "production"], [NOT_FOUND], id="deploys-new"),
    ],
)
def test_unknown_release_exits_1(cli: Run, args: list[str], errors: list[str]) -> None:
    result = cli(*args)
    assert (result.code, result.out, result.errors) == (1, "", errors)
    assert [call.status for call in result.calls] == [404]


def test_list_with_a_project_uses_the_project_endpoint(cli: Run) -> None:
    cli("releases", "new", "1.2.3")
    listed = cli("releases", "list")
    assert listed.code == 0
    assert [(call.method, call.path, call.status) for call in listed.calls] == [
        ("GET", "/api/0/projects/my-org/my-project/releases/", 200)
    ]
    assert listed.out.splitlines()[1].split() == "| Released | Version | New Events | Last Event |".split()
    # my-project's open releases, newest first; legacy@0.9.0 is archived.
    printed = rows(listed.out)
    assert [row[1:] for row in printed] == [
        ["1.2.3", "0", "-"],
        [PLUS, "0", "-"],
        ["frontend@1.0.0", "0", "-"],
    ]
    assert [row[0] for row in printed[:2]] == ["(unreleased)", "(unreleased)"]
    assert re.fullmatch(r"\d+ hours ago", printed[2][0])
    raw = cli("releases", "list", "--raw", "--delimiter", ",")
    assert raw.out == f"1.2.3,{PLUS},frontend@1.0.0\n"


def test_list_without_a_project_uses_the_organization_endpoint(cli: Run) -> None:
    listed = cli("releases", "list", "--raw", project=None)
    assert listed.code == 0, listed.err
    assert [(call.method, call.path, call.status) for call in listed.calls] == [("GET", ORG_RELEASES, 200)]
    assert listed.out.splitlines() == [
        "mobile@3.1.0",
        PLUS,
        "frontend@1.0.0",
        "backend@abc123",
        "control@abc123",
    ]


def test_finalize_sets_date_released(cli: Run, sentry: httpx.Client) -> None:
    cli("releases", "new", "1.2.3")
    cli("releases", "new", "1.2.4")
    finalized = cli("releases", "finalize", "1.2.3")
    assert (finalized.code, finalized.out) == (0, "Finalized release 1.2.3\n")
    [call] = finalized.calls
    assert (call.method, call.path, call.status) == ("PUT", path_of("1.2.3"), 200)
    assert call.body["projects"] == ["my-project"] and call.body["dateReleased"].endswith("Z")
    released = dt.datetime.fromisoformat(release(sentry, "1.2.3").json()["dateReleased"].replace("Z", "+00:00"))
    assert abs(dt.datetime.now(dt.UTC) - released) < dt.timedelta(minutes=1)

    at = cli("releases", "finalize", "1.2.4", "--released", "1700000000")
    assert at.calls[0].body["dateReleased"] == "2023-11-14T22:13:20Z"
    assert release(sentry, "1.2.4").json()["dateReleased"] == "2023-11-14T22:13:20.000000Z"
    released_column = {row[1]: row[0] for row in rows(cli("releases", "list").out)}
    assert re.fullmatch(r"\d+ seconds? ago", released_column["1.2.3"])
    assert re.fullmatch(r"\d+ hours ago", released_column["1.2.4"])


def test_archive_and_restore_change_the_status(cli: Run, sentry: httpx.Client) -> None:
    archived = cli("releases", "archive", "frontend@1.0.0")
    assert (archived.code, archived.out) == (0, "Archived release frontend@1.0.0\n")
    [call] = archived.calls
    assert (call.method, call.path, call.status) == ("POST", ORG_RELEASES, 208)
    assert call.body == {"version": "frontend@1.0.0", "projects": [], "status": "archived"}
    assert release(sentry, "frontend@1.0.0").json()["status"] == "archived"
    assert "frontend@1.0.0" not in cli("releases", "list", "--raw").out.splitlines()

    restored = cli("releases", "restore", "frontend@1.0.0")
    assert (restored.code, restored.out) == (0, "Restored release frontend@1.0.0\n")
    assert restored.calls[0].body["status"] == "open"
    assert release(sentry, "frontend@1.0.0").json()["status"] == "open"
    assert "frontend@1.0.0" in cli("releases", "list", "--raw").out.splitlines()


def test_set_commits_auto_sends_a_ref_for_the_matching_repository(
    cli: Run, sentry: httpx.Client, git_repo: MakeRepo
) -> None:
    repo, shas = git_repo("https://github.com/my-org/my-repo.git")
    cli("releases", "new", "1.2.3")
    result = cli("releases", "set-commits", "1.2.3", "--auto", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.out == table(["Repository", "Revision"], ["my-org/my-repo", shas[0][:12]])
    assert [(call.method, call.path, call.status) for call in result.calls] == [
        ("GET", REPOS, 200),
        ("POST", ORG_RELEASES, 208),
        ("PUT", path_of("1.2.3"), 200),
    ]
    assert result.calls[1].body == {"version": "1.2.3", "projects": ["my-project"]}
    assert result.calls[2].body == {
        "refs": [{"repository": "my-org/my-repo", "commit": shas[0], "previousCommit": None}]
    }
    stored = release(sentry, "1.2.3").json()
    assert stored["commitCount"] == 1
    assert (stored["lastCommit"]["id"], stored["lastCommit"]["repository"]["name"]) == (shas[0], "my-org/my-repo")


def test_set_commits_auto_falls_back_to_local_commits(cli: Run, sentry: httpx.Client, git_repo: MakeRepo) -> None:
    repo, shas = git_repo("https://github.com/elsewhere/other.git")
    cli("releases", "new", "1.2.3")
    result = cli("releases", "set-commits", "1.2.3", "--auto", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        FALLBACK,
        "Could not find the previous commit. Creating a release with 20 commits.",
        "Success! Set commits for release 1.2.3",
    ]
    assert [(call.method, call.path, call.status) for call in result.calls] == [
        ("GET", REPOS, 200),
        ("POST", ORG_RELEASES, 208),
        ("GET", f"{path_of('1.2.3')}previous-with-commits/", 200),
        ("PUT", path_of("1.2.3"), 200),
    ]
    sent = result.calls[3].body["commits"]
    assert [(commit["id"], commit["repository"], commit["patch_set"]) for commit in sent] == [
        (shas[0], "origin", [{"path": "f3", "type": "A"}]),
        (shas[1], "origin", []),
    ]

    stored = release(sentry, "1.2.3").json()
    assert (stored["commitCount"], stored["lastCommit"]["id"]) == (2, shas[0])
    assert stored["authors"] == [{"name": "Ann", "email": "ann@example.com"}]
    commits = sentry.get(path_of("1.2.3").removeprefix("/api/0") + "commits/").json()
    assert [(commit["id"], commit["message"], commit["dateCreated"]) for commit in commits] == [
        (shas[0], "Add f3\n", "2024-07-01T13:00:00.000000Z"),
        (shas[1], "init\n", "2024-07-01T12:00:00.000000Z"),
    ]


def test_set_commits_local_sends_only_commits_since_the_previous_release(
    cli: Run, sentry: httpx.Client, git_repo: MakeRepo
) -> None:
    repo, shas = git_repo("https://github.com/elsewhere/other.git")
    cli("releases", "new", "1.2.3")
    first = cli("releases", "set-commits", "1.2.3", "--local", cwd=repo.path)
    assert first.out.splitlines()[-1] == "Success! Set commits for release 1.2.3", first.err
    head = repo.commit("Add f4", "f4", "2024-07-02T12:00:00Z")

    cli("releases", "new", "1.2.4")
    result = cli("releases", "set-commits", "1.2.4", "--local", cwd=repo.path)
    assert (result.code, result.out) == (0, "Success! Set commits for release 1.2.4\n"), result.err
    # previous-with-commits answers 1.2.3, whose last commit is where the new range starts.
    previous = f"{path_of('1.2.4')}previous-with-commits/"
    assert [(call.method, call.path) for call in result.calls][-2:] == [("GET", previous), ("PUT", path_of("1.2.4"))]
    assert sentry.get(previous.removeprefix("/api/0")).json()["version"] == "1.2.3"
    assert [commit["id"] for commit in result.calls[-1].body["commits"]] == [head]
    assert release(sentry, "1.2.4").json()["commitCount"] == 1
    assert release(sentry, "1.2.3").json()["lastCommit"]["id"] == shas[0]


def test_set_commits_with_a_range_then_clear(cli: Run, sentry: httpx.Client) -> None:
    ranged = cli("releases", "set-commits", PLUS, "--commit", "my-org/my-repo@abc123..def456")
    assert ranged.code == 0, ranged.err
    assert ranged.out == table(["Repository", "Revision"], ["my-org/my-repo", "abc123 -> def456"])
    assert ranged.calls[-1].body == {
        "refs": [{"repository": "my-org/my-repo", "commit": "def456", "previousCommit": "abc123"}]
    }
    assert release(sentry, PLUS).json()["commitCount"] == 2

    cleared = cli("releases", "set-commits", PLUS, "--clear")
    assert (cleared.code, cleared.out) == (0, "Clearing commits for release.\n"), cleared.err
    assert [(call.method, call.status, call.body) for call in cleared.calls[1:]] == [
        ("POST", 208, {"version": PLUS, "projects": ["my-project"]}),
        ("PUT", 200, {"refs": []}),
    ]
    stored = release(sentry, PLUS).json()
    assert (stored["commitCount"], stored["lastCommit"]) == (0, None)


def test_set_commits_with_an_unknown_repository_exits_1(cli: Run, sentry: httpx.Client) -> None:
    result = cli("releases", "set-commits", PLUS, "--commit", "nobody/none@abc123")
    assert (result.code, result.errors) == (1, ["error: Unknown repo 'nobody/none'"])
    assert [(call.method, call.path) for call in result.calls] == [("GET", REPOS)]


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["deploys", "new", "--release", PLUS, "-e", "production"], id="deploys-new"),
        pytest.param(["releases", "deploys", PLUS, "new", "-e", "production"], id="legacy-releases-deploys"),
    ],
)
def test_deploys_new_then_list(cli: Run, sentry: httpx.Client, command: list[str]) -> None:
    created = cli(*command)
    assert (created.code, created.out) == (0, "Created new deploy unnamed for 'production'\n"), created.err
    [call] = created.calls
    assert (call.method, call.path, call.status) == ("POST", f"{path_of(PLUS)}deploys/", 201)
    assert {key: value for key, value in call.body.items() if key != "dateFinished"} == {
        "environment": "production",
        "name": None,
        "url": None,
        "dateStarted": None,
    }
    stored = release(sentry, PLUS).json()
    assert (stored["deployCount"], stored["lastDeploy"]["environment"]) == (1, "production")

    named = cli("deploys", "new", "--release", PLUS, "-e", "staging", "-n", "second", "-t", "60")
    assert named.out == "Created new deploy second for 'staging'\n"
    listed = cli("deploys", "list", "--release", PLUS)
    assert listed.code == 0, listed.err
    assert listed.out.splitlines()[1].split() == "| Environment | Name | Finished |".split()
    assert [row[:2] for row in rows(listed.out)] == [["staging", "second"], ["production", "unnamed"]]
    assert all(re.fullmatch(r"\d+ seconds?", row[2]) for row in rows(listed.out))


def test_delete_of_an_unknown_version_does_nothing_and_exits_0(cli: Run) -> None:
    result = cli("releases", "delete", "nope")
    assert (result.code, result.out) == (0, "Did nothing. Release with this version (nope) does not exist.\n")
    assert [(call.method, call.path, call.status) for call in result.calls] == [("DELETE", path_of("nope"), 404)]


def test_projects_list_reads_the_organizations_project_list(cli: Run) -> None:
    listed = cli("projects", "list", project=None)
    assert listed.code == 0, listed.err
    assert [(call.method, call.path, call.status) for call in listed.calls] == [
        ("GET", "/api/0/organizations/my-org/projects/?cursor=", 200)
    ]
    assert listed.out == table(
        ["ID", "Slug", "Team", "Name"],
        ["1", "sentry", "-", "Backend"],
        ["3", "mobile", "-", "Mobile"],
        ["2", "my-project", "-", "My Project"],
    )
