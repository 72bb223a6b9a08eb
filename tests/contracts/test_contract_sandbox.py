"""Write mode stays in the sandbox and removes what it created, also when a check fails on the way."""

from __future__ import annotations

import typing as t

import httpx
import pytest

from contracts import runner
from contracts.failures import ContractFailure
from contracts.profiles import PROFILES
from contracts.report import Results
from contracts.session import Session
from tests.contracts.conftest import TOKENS, ASGIApp, served
from tests.contracts.test_statemachines import announcing_again_creates


def update_ignored(app: ASGIApp) -> ASGIApp:
    """GitLab: PUT on a release answers 200 with the release, and changes nothing."""

    async def mutant(scope: dict[str, t.Any], receive: t.Any, send: t.Any) -> None:
        parts = scope.get("path", "").split("/")
        if scope["type"] == "http" and scope["method"] == "PUT" and parts[3:6:2] == ["projects", "releases"]:
            scope = {**scope, "method": "GET"}
        await app(scope, receive, send)

    return mutant


def contents(url: str) -> set[str]:
    gitlab = httpx.Client(base_url=f"{url}/api/v4/projects/24", headers={"PRIVATE-TOKEN": TOKENS["gitlab"]})
    sentry = httpx.Client(base_url=f"{url}/api/0", headers={"Authorization": f"Bearer {TOKENS['sentry']}"})
    with gitlab, sentry:
        releases = gitlab.get("/releases", params={"per_page": 100}).json()
        tags = gitlab.get("/repository/tags", params={"per_page": 100}).json()
        versions = sentry.get("/organizations/my-org/releases/").json()
        other_org = sentry.get("/organizations/other-org/releases/").json()
    return (
        {f"release {item['tag_name']}" for item in releases}
        | {f"tag {item['name']}" for item in tags}
        | {f"version {item['version']}" for item in versions}
        | {f"other-org {item['version']}" for item in other_org}
    )


@pytest.mark.parametrize(
    ("api", "mutant", "failing"),
    [
        pytest.param("gitlab", update_ignored, "update_is_visible", id="gitlab-update-ignored"),
        pytest.param(
            "sentry", announcing_again_creates, "sentry_create_is_idempotent", id="sentry-create-not-idempotent"
        ),
    ],
)
def test_a_failing_check_still_leaves_the_sandbox_as_it_found_it(
    api: str, mutant: t.Callable[[ASGIApp], ASGIApp], failing: str
) -> None:
    results = Results()
    with served(mutant) as url:
        before = contents(url)
        runner.run(runner.RunOptions(apis=(api,), base_url=url, parts=("semantic",)), results.handle)
        after = contents(url)
    failures = results.apis[api].failures
    assert failing in {failure.check for failure, _ in failures}, failures
    assert after == before


def test_the_checks_and_state_machines_follow_the_mounts() -> None:
    """Each API mounted elsewhere (as ``release-mock serve --mount`` does) and named so by ``--mount``."""
    mounts = {"gitlab": "/gl/api/v4", "sentry": "/sentry-api/0", "chkk": "/v2"}
    results = Results()
    with served(mounts=mounts) as url:
        options = runner.RunOptions(
            apis=tuple(mounts), base_url=url, mounts=mounts, parts=("semantic", "statemachine"), max_examples=3, seed=1
        )
        runner.run(options, results.handle)
    for api in mounts:
        result = results.apis[api]
        assert result.failures == [], (api, result.failures)
        assert result.started.base_url == url + mounts[api]
        assert ("(state machine)", "statemachine") in result.counts, api


@pytest.mark.parametrize(
    ("api", "path"),
    [
        pytest.param("gitlab", "/projects/24/releases/v0.1", id="gitlab-docs-example-in-the-sandbox"),
        pytest.param("gitlab", "/projects/26/releases/v2.0.0", id="gitlab-another-project"),
        pytest.param("gitlab", "/projects/24", id="gitlab-the-sandbox-itself"),
        pytest.param("sentry", "/organizations/my-org/releases/control%40abc123/", id="sentry-another-project"),
        pytest.param("sentry", "/organizations/other-org/releases/other%401.0.0/", id="sentry-another-org"),
        pytest.param("chkk", "/projects/proj_a858f4d4-6e5b-4ab5-8d92-e9715b584ec1/releases/1.5.12/", id="chkk"),
    ],
)
def test_a_check_cannot_delete_what_the_run_did_not_create(api: str, path: str) -> None:
    profile = PROFILES[api]
    with (
        served() as url,
        Session(profile, url + profile.mount, profile.default_token, profile.sandbox, read_only=False) as session,
    ):
        before = session.get(path).status_code
        with pytest.raises(ContractFailure) as refused:
            session.delete(path)
        assert refused.value.check == "sandbox_guard"
        assert session.get(path).status_code == before
    assert sum(session.guard.refused.values()) == 1


def test_a_check_may_delete_what_the_run_created() -> None:
    profile = PROFILES["sentry"]
    with (
        served() as url,
        Session(profile, url + profile.mount, profile.default_token, profile.sandbox, read_only=False) as session,
    ):
        created = session.post(
            "/organizations/my-org/releases/", json={"version": "contract-x", "projects": ["my-project"]}
        )
        assert created.status_code == 201
        assert session.delete("/organizations/my-org/releases/contract-x/").status_code == 204
        with pytest.raises(ContractFailure, match="reach beyond the sandbox"):
            session.post("/organizations/my-org/releases/", json={"version": "contract-y", "projects": ["sentry"]})
    assert not any("contract-x" in reason for _, reason in session.guard.refused)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param(
            "POST", "/projects/my-org/my-project/releases/", {"version": "control@abc123"}, id="link-a-release-not-ours"
        ),
        pytest.param("PUT", "/projects/my-org/my-project/releases/frontend@1.0.0/", {"ref": "x"}, id="update"),
        pytest.param("DELETE", "/projects/my-org/my-project/releases/frontend@1.0.0/", None, id="delete"),
        pytest.param("POST", "/projects/my-org/sentry/releases/", {"version": "contract-z"}, id="another-project"),
    ],
)
def test_project_scoped_writes_keep_to_what_the_run_created(method: str, path: str, body: t.Any) -> None:
    profile = PROFILES["sentry"]
    with (
        served() as url,
        Session(profile, url + profile.mount, profile.default_token, profile.sandbox, read_only=False) as session,
    ):
        with pytest.raises(ContractFailure) as refused:
            session.request(method, path, json=body)
        assert refused.value.check == "sandbox_guard"
        # What the run creates through the project's endpoint is its own, under either path.
        assert session.post("/projects/my-org/my-project/releases/", json={"version": "contract-p"}).status_code == 201
        assert session.put("/projects/my-org/my-project/releases/contract-p/", json={"ref": "r"}).status_code == 200
        assert session.delete("/organizations/my-org/releases/contract-p/").status_code == 204


def test_a_release_named_in_the_query_must_be_the_runs() -> None:
    profile = PROFILES["sentry"]
    maps = "/projects/my-org/my-project/files/source-maps/"
    with (
        served() as url,
        Session(profile, url + profile.mount, profile.default_token, profile.sandbox, read_only=False) as session,
    ):
        with pytest.raises(ContractFailure) as refused:
            session.delete(maps, params={"name": "frontend@1.0.0"})
        assert "frontend@1.0.0" in refused.value.message
        assert session.post("/projects/my-org/my-project/releases/", json={"version": "contract-q"}).status_code == 201
        assert session.delete(maps, params={"name": "contract-q"}).status_code == 204
        assert session.delete(maps).status_code == 404, "no name: nothing is named, nothing goes"
        session.cleanup("DELETE", "/organizations/my-org/releases/contract-q/")


def test_a_tag_named_by_a_json_number_is_followed_by_its_text() -> None:
    """GitLab names a tag sent as ``1e16`` "1.0e+16": the guard probes and owns that name, not Python's."""
    profile = PROFILES["gitlab"]
    with (
        served() as url,
        Session(profile, url + profile.mount, profile.default_token, profile.sandbox, read_only=False) as session,
    ):
        outside = httpx.post(
            f"{url}/api/v4/projects/24/repository/tags",
            json={"tag_name": "7", "ref": "main"},
            headers={"PRIVATE-TOKEN": TOKENS["gitlab"]},
        )
        assert outside.status_code == 201
        with pytest.raises(ContractFailure, match="exists and this run did not create it"):
            session.post("/projects/24/repository/tags", json={"tag_name": 7, "ref": "main"})
        created = session.post("/projects/24/repository/tags", json={"tag_name": 1e16, "ref": "main"})
        assert (created.status_code, created.json()["name"]) == (201, "1.0e+16")
        assert session.delete("/projects/24/repository/tags/1.0e+16").status_code == 204
