"""The pytest plugin, as a user's test files meet it: fixtures, the marker, the options, the README's example."""

from __future__ import annotations

import re
import shutil

import pytest

from mockserver.settings import PROJECT_ROOT

MAINTAINER = "glpat-maintainer-000000000001"
SENTRY_ADMIN = "sntrys-mock-admin-00000000000000001"
CHKK = "chkk-all-projects-token-0001"
README_EXAMPLE = re.compile(r"<!-- pytest-plugin-example -->\n```python\n(.*?)```", re.DOTALL)


def run(pytester: pytest.Pytester, source: str, *options: str) -> pytest.RunResult:
    pytester.makepyfile(test_user=source)
    return pytester.runpytest("-p", "no:cacheprovider", "--strict-markers", *options)


def test_release_mock_gives_a_client_per_api_at_its_mount(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        f'''
        def test_clients(release_mock):
            assert str(release_mock.gitlab.base_url) == release_mock.url + "/api/v4/"
            gitlab = release_mock.gitlab.get("/projects/24", headers={{"PRIVATE-TOKEN": "{MAINTAINER}"}})
            assert gitlab.json()["path"] == "awesome-app"
            sentry = release_mock.sentry.get(
                "/organizations/my-org/releases/", headers={{"Authorization": "Bearer {SENTRY_ADMIN}"}}
            )
            assert "control@abc123" in [release["version"] for release in sentry.json()]
            chkk = release_mock.chkk.get(
                "/projects/proj_a858f4d4-6e5b-4ab5-8d92-e9715b584ec1/releases/",
                headers={{"Authorization": "Bearer {CHKK}"}},
            )
            assert chkk.status_code == 200
            assert release_mock.app.mounts
        ''',
    )
    result.assert_outcomes(passed=1)


def test_each_test_starts_from_the_fixtures_and_real_time(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        f'''
        import datetime as dt

        HEADERS = {{"PRIVATE-TOKEN": "{MAINTAINER}"}}

        def test_writes(release_mock):
            release_mock.clock.freeze(dt.datetime(2031, 5, 1, tzinfo=dt.UTC))
            created = release_mock.gitlab.post(
                "/projects/24/releases", json={{"tag_name": "v7.7.7", "ref": "main"}}, headers=HEADERS
            )
            assert created.status_code == 201
            assert created.json()["released_at"].startswith("2031-05-01")

        def test_sees_nothing_of_them(release_mock_server):
            import httpx
            response = httpx.get(release_mock_server.url + "/api/v4/projects/24/releases/v7.7.7", headers=HEADERS)
            assert response.status_code == 404
            assert not release_mock_server.clock.frozen
        ''',
        "-p",
        "no:randomly",
    )
    result.assert_outcomes(passed=2)


def test_release_mock_server_loads_resets_and_steers_the_clock(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        f'''
        import datetime as dt
        import httpx

        def releases(server):
            response = httpx.get(
                server.url_of("gitlab") + "/projects/24/releases", headers={{"PRIVATE-TOKEN": "{MAINTAINER}"}}
            )
            return [release["tag_name"] for release in response.json()]

        def test_server(release_mock_server):
            assert release_mock_server.url.startswith("http://127.0.0.1:")
            release_mock_server.load("upcoming-and-historical", seed=2)
            assert "v9.0.0-next" in releases(release_mock_server)
            release_mock_server.reset()
            assert "v9.0.0-next" not in releases(release_mock_server)
            start = release_mock_server.clock.freeze(dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
            assert release_mock_server.clock.advance(60) == start + dt.timedelta(seconds=60)
            release_mock_server.clock.set(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
            assert release_mock_server.clock.now().year == 2020
        ''',
    )
    result.assert_outcomes(passed=1)


def test_the_marker_chooses_the_scenario_and_seed(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        f'''
        import pytest

        def chkk_versions(release_mock):
            response = release_mock.chkk.get(
                "/projects/proj_c42014e7-baf5-4ec6-a502-858f98dca7c8/releases/",
                params={{"page_size": 100}},
                headers={{"Authorization": "Bearer {CHKK}"}},
            )
            return sorted(release["version"] for release in response.json()["data"])

        @pytest.mark.release_mock(scenario="upcoming-and-historical", seed=1)
        def test_seed_one(release_mock):
            pytest.shared = chkk_versions(release_mock)
            assert release_mock.gitlab.get(
                "/projects/24/releases/v9.0.0-next", headers={{"PRIVATE-TOKEN": "{MAINTAINER}"}}
            ).json()["upcoming_release"] is True

        @pytest.mark.release_mock(scenario="upcoming-and-historical", seed=1)
        def test_seed_one_again(release_mock):
            assert chkk_versions(release_mock) == pytest.shared

        @pytest.mark.release_mock(scenario="upcoming-and-historical", seed=2)
        def test_another_seed(release_mock):
            assert chkk_versions(release_mock) != pytest.shared

        @pytest.mark.release_mock("empty")
        def test_positional(release_mock):
            response = release_mock.gitlab.get("/projects/24", headers={{"PRIVATE-TOKEN": "{MAINTAINER}"}})
            assert response.status_code in (401, 404)
        ''',
        "-p",
        "no:randomly",
    )
    result.assert_outcomes(passed=4)


def test_a_marker_with_unknown_arguments_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.release_mock(scenario="empty", sed=3)
        def test_typo(release_mock):
            pass
        """,
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*release_mock takes scenario= and seed=, not ?'sed'?"])


def test_the_options_choose_apis_and_mounts(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest

        def test_mounts(release_mock):
            assert str(release_mock.gitlab.base_url).endswith("/gl/")
            with pytest.raises(AttributeError, match="no API named 'sentry'"):
                release_mock.sentry
        """,
        "--release-mock-api",
        "gitlab",
        "--release-mock-mount",
        "gitlab=/gl",
    )
    result.assert_outcomes(passed=1)


def test_the_fixtures_option_chooses_the_world(pytester: pytest.Pytester) -> None:
    fixtures = pytester.path / "my-fixtures"
    shutil.copytree(PROJECT_ROOT / "fixtures", fixtures)
    projects = fixtures / "gitlab" / "projects.yaml"
    projects.write_text(projects.read_text(encoding="utf-8").replace("name: awesome-app", "name: my-app"), "utf-8")
    result = run(
        pytester,
        f"""
        def test_world(release_mock):
            project = release_mock.gitlab.get("/projects/24", headers={{"PRIVATE-TOKEN": "{MAINTAINER}"}}).json()
            assert project["name"] == "my-app"
        """,
        "--release-mock-fixtures",
        str(fixtures),
    )
    result.assert_outcomes(passed=1)


def test_a_module_marker_applies_to_every_test_and_both_fixtures_share_one_state(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        f"""
        import pytest

        pytestmark = pytest.mark.release_mock(scenario="empty")

        def test_both(release_mock, release_mock_server):
            assert release_mock.app is release_mock_server.app
            headers = {{"PRIVATE-TOKEN": "glpat-admin-0000000000000001"}}
            body = {{"tag_name": "v1", "ref": "0123456789abcdef0123456789abcdef01234567"}}
            created = release_mock.gitlab.post("/projects/1/releases", json=body, headers=headers)
            assert created.status_code == 201, created.text
            import httpx
            seen = httpx.get(release_mock_server.url_of("gitlab") + "/projects/1/releases", headers=headers).json()
            assert [release["tag_name"] for release in seen] == ["v1"]

        def test_again(release_mock):
            response = release_mock.gitlab.get("/projects/24", headers={{"PRIVATE-TOKEN": "{MAINTAINER}"}})
            assert response.status_code in (401, 404)
        """,
        "-p",
        "no:randomly",
    )
    result.assert_outcomes(passed=2)


def test_a_bad_mount_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = run(pytester, "def test_it(release_mock): pass", "--release-mock-mount", "gitlab")
    result.stdout.fnmatch_lines(["*--release-mock-mount: expected API=PATH*"])
    assert result.ret != 0


def test_requests_reads_the_journal_of_the_test(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        f"""
        def test_journal(release_mock):
            release_mock.gitlab.get("/projects/24", headers={{"PRIVATE-TOKEN": "{MAINTAINER}"}})
            release_mock.gitlab.get("/projects/999", headers={{"PRIVATE-TOKEN": "{MAINTAINER}"}})
            (entry,) = release_mock.requests(api="gitlab", status=404)
            assert entry["request"]["path"] == "/api/v4/projects/999"
            assert entry["request"]["headers"]["private-token"] != "{MAINTAINER}"
            assert [e["request"]["path"] for e in release_mock.requests(limit=2)] == [
                "/api/v4/projects/999", "/api/v4/projects/24"
            ]

        def test_journal_is_empty_again(release_mock_server):
            assert release_mock_server.requests() == []
        """,
        "-p",
        "no:randomly",
    )
    result.assert_outcomes(passed=2)


def test_the_readme_example_runs_as_written(pytester: pytest.Pytester) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = README_EXAMPLE.findall(readme)
    result = run(pytester, example, "-p", "no:randomly")
    result.assert_outcomes(passed=3)
