"""``release-mock seed --via api``: the mock, served over HTTP, stands in for a real GitLab and Sentry."""

from __future__ import annotations

import io
import pathlib
import re
import typing as t

import httpx
import pytest

from mockserver import MockApp, Settings, cli, create_app, seeding
from mockserver.seeding import Progress
from mockserver.serving import BackgroundServer

MAINTAINER = "glpat-maintainer-000000000001"
SENTRY_ADMIN = "sntrys-mock-admin-00000000000000001"
SCENARIO = """
description: A few releases to seed on project 24 and my-org
base: default
gitlab:
  projects:
    - id: 24
      tags:
        - {name: seed/1.0, target: 079e90101242458910cccd35eab0e211dfc359c0, created_at: -3d}
      releases:
        - tag_name: seed/1.0
          name: Seeded one
          description: From a scenario.
          released_at: -2d
          author: mia
          assets:
            links:
              - {id: 901, name: linux, url: "https://example.com/seed/linux.tgz", link_type: package}
              - {id: 902, name: mac, url: "https://example.com/seed/mac.tgz"}
      generate: {count: 3, tag_prefix: "seed-gen/v", links: 1, released_at: {from: -30d, to: now}, author: mia}
sentry:
  organizations:
    - slug: my-org
      releases:
        - version: seeded@1.0.0
          projects: [my-project]
          dateReleased: -1d
          commits:
            - {id: 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567, repository: my-org/my-repo, message: Seeded commit}
          deploys:
            - {id: 991, environment: production, name: first}
            - {id: 992, environment: staging}
chkk:
  projects: []
"""


@pytest.fixture
def scenario(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "seedable.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def seed(server: BackgroundServer, scenario: pathlib.Path, *extra: str) -> int:
    return cli.main(["seed", "--scenario", str(scenario), "--base-url", server.url, "--via", "api", *extra])


def created(output: str, api: str) -> str:
    match = re.search(rf"^  {api}: created (.*?);", output, re.MULTILINE)
    assert match, output
    return match[1]


def test_a_first_run_creates_the_scenario_and_a_second_creates_nothing(
    server: BackgroundServer, scenario: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert seed(server, scenario) == 0
    first = capsys.readouterr().out
    assert created(first, "gitlab") == "5 links, 4 releases, 4 tags"
    assert created(first, "sentry") == "1 commits, 2 deploys, 1 releases"
    assert "Chkk's API is read-only" in first
    assert "  17 created" in first

    assert seed(server, scenario) == 0
    second = capsys.readouterr().out
    assert created(second, "gitlab") == "0 links, 0 releases, 0 tags"
    assert created(second, "sentry") == "0 commits, 0 deploys, 0 releases"
    assert "  0 created" in second


def test_the_server_then_holds_what_the_scenario_says(
    server: BackgroundServer, scenario: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert seed(server, scenario) == 0
    with httpx.Client(base_url=server.url, timeout=10) as client:
        gitlab = client.get(
            "/api/v4/projects/24/releases", params={"per_page": 100}, headers={"PRIVATE-TOKEN": MAINTAINER}
        ).json()
        tags = {release["tag_name"] for release in gitlab}
        assert "seed/1.0" in tags
        assert len({tag for tag in tags if tag.startswith("seed-gen/v")}) == 3
        (seeded,) = [release for release in gitlab if release["tag_name"] == "seed/1.0"]
        assert seeded["name"] == "Seeded one"
        assert sorted(link["name"] for link in seeded["assets"]["links"]) == ["linux", "mac"]
        sentry = {"Authorization": f"Bearer {SENTRY_ADMIN}"}
        release = client.get("/api/0/organizations/my-org/releases/seeded%401.0.0/", headers=sentry).json()
        assert [project["slug"] for project in release["projects"]] == ["my-project"]
        deploys = client.get("/api/0/organizations/my-org/releases/seeded%401.0.0/deploys/", headers=sentry).json()
        assert sorted(deploy["environment"] for deploy in deploys) == ["production", "staging"]
        commits = client.get("/api/0/organizations/my-org/releases/seeded%401.0.0/commits/", headers=sentry).json()
        assert [commit["id"] for commit in commits] == ["0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"]


def test_what_is_there_is_read_page_after_page(
    server: BackgroundServer,
    scenario: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Deploys come one to a page: a second run that read only the first page would create the second again.
    monkeypatch.setattr(seeding, "PAGE_SIZE", 1)
    assert seed(server, scenario, "--api", "sentry") == 0
    assert created(capsys.readouterr().out, "sentry") == "1 commits, 2 deploys, 1 releases"
    assert seed(server, scenario, "--api", "sentry") == 0
    assert created(capsys.readouterr().out, "sentry") == "0 commits, 0 deploys, 0 releases"


def test_an_unknown_api_is_a_usage_error(scenario: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["seed", "--scenario", str(scenario), "--base-url", "http://127.0.0.1:9", "--api", "jira"]
    assert cli.main(arguments) == 2
    assert "no API named jira" in capsys.readouterr().err


def test_only_the_apis_asked_for(
    server: BackgroundServer, scenario: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert seed(server, scenario, "--api", "sentry") == 0
    output = capsys.readouterr().out
    assert "gitlab:" not in output
    assert created(output, "sentry") == "1 commits, 2 deploys, 1 releases"


def test_a_wrong_token_fails_and_says_why(
    server: BackgroundServer, scenario: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert seed(server, scenario, "--api", "gitlab", "--token", "gitlab=glpat-nobody-0000000000000") == 1
    output = capsys.readouterr().out
    assert "failed: gitlab project root/awesome-app: not on the server (401)" in output


def test_a_bad_scenario_is_a_usage_error_and_changes_nothing(
    app: MockApp, server: BackgroundServer, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCENARIO.replace("name: Seeded one", "name: [not, a, string]"), encoding="utf-8")
    before = app.export_state()
    assert seed(server, bad) == 2
    assert "bad scenario" in capsys.readouterr().err
    assert app.export_state() == before


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_counts_on_a_terminal_and_stays_quiet_elsewhere() -> None:
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        progress = Progress(2, stream)
        progress.step()
        progress.step()
        progress.close()
    assert terminal.getvalue() == "\rseeding: 1/2\rseeding: 2/2\n"
    assert pipe.getvalue() == ""


def test_by_default_a_mock_is_seeded_through_its_admin_api(
    app: MockApp, server: BackgroundServer, scenario: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app.journal.clear()
    assert cli.main(["seed", "--scenario", str(scenario), "--base-url", server.url]) == 0
    assert "through " + server.url + "'s admin API" in capsys.readouterr().out
    # The journal leaves the admin API out: the public APIs were not called at all.
    assert app.journal.entries() == []
    with httpx.Client(base_url=server.url, timeout=10) as client:
        releases = client.get(
            "/api/v4/projects/24/releases", params={"per_page": 100}, headers={"PRIVATE-TOKEN": MAINTAINER}
        ).json()
    tags = {release["tag_name"] for release in releases}
    assert "seed/1.0" in tags
    assert len({tag for tag in tags if tag.startswith("seed-gen/v")}) == 3


class PublicOnly:
    """The mock as a real GitLab or Sentry looks: its public APIs, and no ``/__admin``."""

    def __init__(self, app: MockApp) -> None:
        self.app = app

    async def __call__(self, scope: t.Any, receive: t.Any, send: t.Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/__admin"):
            await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"Not Found"})
            return
        await self.app(scope, receive, send)


@pytest.fixture
def real_server(app: MockApp) -> t.Iterator[BackgroundServer]:
    with BackgroundServer(PublicOnly(app)) as running:
        yield running


def test_a_server_without_the_admin_api_is_seeded_through_the_public_apis(
    real_server: BackgroundServer, scenario: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["seed", "--scenario", str(scenario), "--base-url", real_server.url, "--api", "sentry"]) == 0
    output = capsys.readouterr().out
    assert "through " + real_server.url + "'s public APIs" in output
    assert created(output, "sentry") == "1 commits, 2 deploys, 1 releases"


def test_via_admin_against_a_server_without_it_says_so(
    real_server: BackgroundServer, scenario: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["seed", "--scenario", str(scenario), "--base-url", real_server.url, "--via", "admin"])
    assert code == 1
    assert "has no admin API (/__admin/state is a 404): use --via api" in capsys.readouterr().err


@pytest.fixture(scope="module")
def guarded_server() -> t.Iterator[BackgroundServer]:
    """A mock whose admin API wants a token."""
    with BackgroundServer(create_app(Settings(admin_token="admin-secret"))) as running:
        yield running


def test_the_admin_token_is_sent_and_a_refusal_changes_nothing(
    guarded_server: BackgroundServer,
    scenario: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RELEASE_MOCK_ADMIN_TOKEN", raising=False)
    arguments = ["seed", "--scenario", str(scenario), "--base-url", guarded_server.url]
    releases = guarded_server.url + "/api/v4/projects/24/releases/seed%2F1.0"
    headers = {"PRIVATE-TOKEN": MAINTAINER}
    # Without the token: the admin API is there (a 401, not a 404), and refuses.
    assert cli.main(arguments) == 1
    assert "the admin API did not load the scenario" in capsys.readouterr().err
    assert httpx.get(releases, headers=headers).status_code == 404
    assert cli.main([*arguments, "--admin-token", "admin-secret"]) == 0
    assert "admin API" in capsys.readouterr().out
    assert httpx.get(releases, headers=headers).status_code == 200
