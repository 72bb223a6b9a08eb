"""The organization's release list as Sentry filters it: search syntax in ``query``, project filters, deploy list."""

from __future__ import annotations

import httpx
import pytest

from mockserver import MockApp
from mockserver.serving import BackgroundServer
from tests.sentry.conftest import ADMIN, SCOPED, client

ORG = "/organizations/my-org/releases/"
# my-org's open releases, newest first, as the fixtures hold them.
ALL = ["mobile@3.1.0", "my-app@2.0.0+build.7", "frontend@1.0.0", "backend@abc123", "control@abc123"]


def versions(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [release["version"] for release in response.json()]


@pytest.fixture
def more(sentry: httpx.Client) -> None:
    """Releases with builds, pre-releases and a package-less semantic version, for the semver keys."""
    for version in ("app@1.2.0-beta.1+41", "app@1.2.0+42", "app@1.10.0+build7", "2.0.0"):
        assert sentry.post(ORG, json={"version": version, "projects": ["my-project"]}).status_code == 201


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("ABC", ["backend@abc123", "control@abc123"], id="word-any-case"),
        pytest.param("my-app@2.0.0 (build.7)", ["my-app@2.0.0+build.7"], id="name-and-build-in-parentheses"),
        pytest.param("frontend 1.0", [], id="the-whole-query-is-the-text"),
        pytest.param("release:frontend@1.0.0", ["frontend@1.0.0"], id="release-exact"),
        pytest.param("release:Frontend@1.0.0", [], id="release-exact-case-counts"),
        pytest.param("release:*abc123", ["backend@abc123", "control@abc123"], id="release-suffix"),
        pytest.param("release:m*", ["mobile@3.1.0", "my-app@2.0.0+build.7"], id="release-prefix"),
        pytest.param("release:*app*", ["my-app@2.0.0+build.7"], id="release-infix"),
        pytest.param("release:m*0", [], id="release-inner-wildcard-is-a-pattern"),
        pytest.param("!release:mobile@3.1.0", ALL[1:], id="release-not"),
        pytest.param("!release:m*", ["mobile@3.1.0", "my-app@2.0.0+build.7"], id="negation-ignored-with-wildcard"),
        pytest.param("release:[frontend@1.0.0, mobile@3.1.0]", ["mobile@3.1.0", "frontend@1.0.0"], id="release-in"),
        pytest.param("!release:[frontend@1.0.0, mobile@3.1.0]", ALL[1:2] + ALL[3:], id="release-not-in"),
        pytest.param('release:"frontend@1.0.0"', ["frontend@1.0.0"], id="quoted"),
        pytest.param("release:latest", ["mobile@3.1.0", "my-app@2.0.0+build.7", "backend@abc123"], id="latest"),
        pytest.param("finalized:true", ["frontend@1.0.0"], id="finalized"),
        pytest.param("finalized:false", ALL[:1] + ALL[1:2] + ALL[3:], id="not-finalized"),
        pytest.param("finalized:maybe", ALL, id="finalized-other-value-ignored"),
        pytest.param("release.package:mobile", ["mobile@3.1.0"], id="package"),
        pytest.param("release.version:>=2.0.0", ["mobile@3.1.0", "my-app@2.0.0+build.7"], id="semver-compare"),
        pytest.param("release.version:frontend@1.*", ["frontend@1.0.0"], id="semver-package-wildcard"),
        pytest.param("release.version:3.1.0 release:mobile*", ["mobile@3.1.0"], id="two-filters"),
        pytest.param("release.created:-24h", ALL, id="created-accepted"),
    ],
)
def test_query(sentry: httpx.Client, query: str, expected: list[str]) -> None:
    assert versions(sentry.get(ORG, params={"query": query})) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(
            "release.version:<1.2.0", ["app@1.2.0-beta.1+41", "frontend@1.0.0"], id="pre-release-below-release"
        ),
        pytest.param("release.version:app@1.2.0", ["app@1.2.0+42"], id="exact-ignores-build"),
        pytest.param(
            "release.version:1.*",
            ["app@1.10.0+build7", "app@1.2.0+42", "app@1.2.0-beta.1+41", "frontend@1.0.0"],
            id="major",
        ),
        pytest.param("!release.version:1.*", ["2.0.0", *ALL[:2], *ALL[3:]], id="not-major"),
        pytest.param("release.build:>41", ["app@1.2.0+42"], id="build-number"),
        pytest.param("release.build:bui*", ["app@1.10.0+build7", "my-app@2.0.0+build.7"], id="build-code-prefix"),
        pytest.param("release.package:app", ["app@1.10.0+build7", "app@1.2.0+42", "app@1.2.0-beta.1+41"], id="pkg"),
    ],
)
def test_semantic_version_keys(sentry: httpx.Client, more: None, query: str, expected: list[str]) -> None:
    assert versions(sentry.get(ORG, params={"query": query})) == expected


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        pytest.param({"query": "colour:blue"}, "Invalid key for this search: colour", id="unknown-key"),
        pytest.param({"query": "!version:1"}, "Invalid key for this search: version", id="unknown-negated-key"),
        pytest.param(
            {"query": "release:a OR release:b"},
            'Boolean statements containing "OR" or "AND" are not supported in this search',
            id="boolean",
        ),
        pytest.param(
            {"query": "release.version:1.a"},
            'Invalid format of semantic version. For searching non-semver releases, use "release:" instead.',
            id="bad-semver",
        ),
        pytest.param(
            {"query": "release.version:[1.0.0, 2.0.0]"},
            "Invalid operation 'IN' for semantic version filter.",
            id="semver-in",
        ),
        pytest.param(
            {"query": "release.stage:adopted"},
            "Choose a single environment to filter by release stage.",
            id="stage-without-environment",
        ),
        pytest.param(
            {"query": "release.stage:gone", "environment": "production"},
            "Unsupported release.stage value.",
            id="stage-unknown",
        ),
    ],
)
def test_a_query_sentry_refuses_is_400(sentry: httpx.Client, params: dict, detail: str) -> None:
    response = sentry.get(ORG, params=params)
    assert (response.status_code, response.json()) == (400, {"detail": detail})


def test_release_stage_in_one_environment(sentry: httpx.Client) -> None:
    assert sentry.post(f"{ORG}frontend@1.0.0/deploys/", json={"environment": "production"}).status_code == 201
    low = {"query": "release.stage:low_adoption", "environment": "production"}
    assert versions(sentry.get(ORG, params=low)) == ["frontend@1.0.0"]
    adopted = {"query": "release.stage:adopted", "environment": "production"}
    assert versions(sentry.get(ORG, params=adopted)) == [], "no sessions reach the mock: nothing is adopted"
    not_adopted = {"query": "!release.stage:[adopted, replaced]", "environment": "production"}
    assert versions(sentry.get(ORG, params=not_adopted)) == ["frontend@1.0.0"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"project": ["-1", "2"]}, ALL, id="minus-one-among-ids-is-every-project"),
        pytest.param({"projectSlug": "$all"}, ALL, id="all-slugs"),
        pytest.param({"projectSlug": "mobile"}, ["mobile@3.1.0"], id="by-slug"),
        pytest.param({"projectSlug": "mobile", "project": "2"}, ["mobile@3.1.0"], id="slug-decides"),
    ],
)
def test_project_filters(sentry: httpx.Client, params: dict, expected: list[str]) -> None:
    assert versions(sentry.get(ORG, params=params)) == expected


@pytest.mark.parametrize(
    ("token", "params", "status"),
    [
        pytest.param(SCOPED, {"projectSlug": "sentry"}, 403, id="hidden-slug"),
        pytest.param(SCOPED, {"projectSlug": "nope"}, 403, id="unknown-slug"),
        pytest.param(SCOPED, {"project": ["-1", "1"]}, 200, id="minus-one-skips-the-check"),
    ],
)
def test_project_filter_refusals(as_token, token: str, params: dict, status: int) -> None:
    response = as_token(token).get(ORG, params=params)
    assert response.status_code == status, response.text
    if status == 200:
        assert versions(response) == ["my-app@2.0.0+build.7", "frontend@1.0.0"]


DEPLOYS = f"{ORG}frontend@1.0.0/deploys/"


def test_deploy_list_keeps_the_last_deploy_per_environment(sentry: httpx.Client) -> None:
    def deploy(environment: str, finished: str) -> str:
        created = sentry.post(DEPLOYS, json={"environment": environment, "dateFinished": finished})
        assert created.status_code == 201, created.text
        return created.json()["id"]

    deploy("production", "2024-06-01T10:00:00Z")
    staging = deploy("staging", "2024-06-01T11:00:00Z")
    production = deploy("production", "2024-06-01T09:00:00Z")  # recorded last: it replaces the first
    listed = sentry.get(DEPLOYS)
    assert [item["id"] for item in listed.json()] == [staging, production]
    assert set(listed.json()[0]) == {"id", "environment", "dateStarted", "dateFinished", "name", "url"}
    assert "x-hits" not in listed.headers
    assert 'rel="next"; results="false"; cursor="100:1:0"' in listed.headers["link"]
    first = sentry.get(DEPLOYS, params={"per_page": 1})
    assert [item["id"] for item in first.json()] == [staging]
    assert 'rel="next"; results="true"; cursor="1:1:0"' in first.headers["link"]
    second = sentry.get(DEPLOYS, params={"per_page": 1, "cursor": "1:1:0"})
    assert [item["id"] for item in second.json()] == [production]
    # The release still counts every deploy.
    assert sentry.get(f"{ORG}frontend@1.0.0/").json()["deployCount"] == 3


def test_deploy_list_counts_the_callers_projects(sentry: httpx.Client, as_token) -> None:
    sentry.post(ORG, json={"version": "frontend@1.0.0", "projects": ["sentry"]})
    only_sentry = sentry.post(DEPLOYS, json={"environment": "qa", "projects": ["sentry"]}).json()
    assert [item["id"] for item in sentry.get(DEPLOYS).json()] == [only_sentry["id"]]
    assert sentry.get(DEPLOYS, params={"project": "2"}).json() == []
    assert as_token(SCOPED).get(DEPLOYS).json() == [], "the scoped token sees my-project only"
    bad = sentry.get(DEPLOYS, params={"project": "my-project"})
    assert (bad.status_code, bad.json()) == (400, {"detail": "Invalid project parameter. Values must be numbers."})


def test_release_stage_reads_the_adoption_of_the_health_scenario(app: MockApp, server: BackgroundServer) -> None:
    """sentry-health seeds mobile@3.2.0 adopted and mobile@3.1.0 replaced, in project mobile."""
    app.load_scenario("sentry-health", seed=4)
    with client(server, ADMIN) as admin:
        for version in ("mobile@3.2.0", "mobile@3.1.0"):
            path = f"{ORG}{version}/deploys/"
            assert admin.post(path, json={"environment": "production"}).status_code == 201

        def listed(query: str) -> list[str]:
            response = admin.get(ORG, params={"query": query, "environment": "production", "per_page": 100})
            return [version for version in versions(response) if version in ("mobile@3.2.0", "mobile@3.1.0")]

        assert listed("release.stage:adopted") == ["mobile@3.2.0"]
        assert listed("release.stage:replaced") == ["mobile@3.1.0"]
        assert listed("!release.stage:adopted") == ["mobile@3.1.0"]
        assert listed("release.stage:[adopted, replaced]") == ["mobile@3.2.0", "mobile@3.1.0"]
