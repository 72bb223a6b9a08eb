"""What the generators make: each ``generate`` option shows in the compiled data; provider values look real."""

from __future__ import annotations

import base64
import datetime as dt
import pathlib
import re
import typing as t

import pytest

from mockserver.scenarios import compile_scenario
from mockserver.scenarios.providers import ENVIRONMENTS, VersionWalk, seeded_faker, unique_versions

SMALL = pathlib.Path(__file__).with_name("files") / "small.yaml"
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
SEMVER = r"[0-9]+\.[0-9]+\.[0-9]+"


@pytest.fixture(scope="module")
def compiled() -> dict[str, t.Any]:
    return compile_scenario(str(SMALL), 3, NOW)["apis"]


def test_gitlab_options(compiled: dict[str, t.Any]) -> None:
    (project,) = compiled["gitlab"]["projects"]
    releases, tags = project["releases"], {tag["name"]: tag for tag in project["tags"]}
    assert len(releases) == 30
    assert sum(release["released_at"] > "2026-06-01T12:00:00" for release in releases) == 3  # upcoming: 0.1
    assert all(len(release["assets"]["links"]) == 2 for release in releases)  # links: 2
    assert len(project["milestones"]) == 2 and all(len(release["milestones"]) == 1 for release in releases)
    commits = {commit["id"] for commit in project["commits"]}  # commits: true, the tag's target
    assert all(tags[release["tag_name"]]["target"] in commits for release in releases)
    assert all(re.fullmatch(f"v{SEMVER}", release["tag_name"]) for release in releases)
    assert all(release["description"].startswith(f"## {release['tag_name']}\n\n- **") for release in releases)


def test_sentry_options(compiled: dict[str, t.Any]) -> None:
    (organization,) = compiled["sentry"]["organizations"]
    releases = organization["releases"]
    assert len(releases) == 20
    assert all(re.fullmatch(rf"p@{SEMVER}(\+(build\.[0-9]+|sha\.[0-9a-f]{{7}}))?", r["version"]) for r in releases)
    assert any("+" in release["version"] for release in releases)  # build: 0.5
    assert all(len(release["commits"]) == 1 and len(release["deploys"]) == 1 for release in releases)
    assert all(base64.b64decode(release["files"][0]["content"]) for release in releases)
    healthy = [release for release in releases if release.get("hasHealthData")]
    assert 0 < len(healthy) < 20 and organization["projects"][0]["hasHealthData"] is True


def test_chkk_options(compiled: dict[str, t.Any]) -> None:
    releases = compiled["chkk"]["releases"]
    assert len(releases) == 10
    assert all(re.fullmatch(r"20[0-9]{2}\.[0-9]{2}\.[0-9]+", release["version"]) for release in releases)  # calver
    assert any(release["published_on"] is None for release in releases)  # unpublished: 0.3
    assert all(release["release_series"] == release["version"].rsplit(".", 1)[0] for release in releases)


@pytest.mark.parametrize(
    ("style", "pattern"),
    [
        pytest.param("semver", SEMVER, id="semver"),
        pytest.param("calver", r"20[0-9]{2}\.[0-9]{2}\.[0-9]+", id="calver"),
        pytest.param("package", rf"web@{SEMVER}", id="package"),
    ],
)
def test_version_walks_rise_and_never_repeat(style: str, pattern: str) -> None:
    fake = seeded_faker(1)
    moments = [NOW + dt.timedelta(days=day) for day in range(300)]
    versions = [version for version, _ in unique_versions(VersionWalk(fake, style, "web"), moments, set())]
    assert len(set(versions)) == 300 and all(re.fullmatch(pattern, version) for version in versions)
    numbers = [tuple(int(part) for part in re.findall(r"[0-9]+", version)) for version in versions]
    assert numbers == sorted(numbers)


def test_providers_are_seeded() -> None:
    first, again, other = seeded_faker(5), seeded_faker(5), seeded_faker(6)
    fakes = (first, again, other)
    values = [(f.commit_sha(), f.environment(), f.changelog("v1", 2), f.build_metadata()) for f in fakes]
    assert values[0] == values[1] != values[2]
    sha, environment, changelog, _ = values[0]
    assert re.fullmatch("[0-9a-f]{40}", sha) and environment in ENVIRONMENTS
    assert changelog.startswith("## v1\n\n- **") and changelog.count("\n- ") == 2
