"""The state machines pass on the mock over HTTP, catch one planted departure per API, and clean up after themselves."""

from __future__ import annotations

import typing as t
import urllib.parse

import httpx
import pytest

from contracts import statemachines
from contracts.failures import ContractFailure
from contracts.profiles import PROFILES
from contracts.session import Session
from mockserver import MockApp
from mockserver.serving import BackgroundServer

ASGIApp = t.Callable[[dict[str, t.Any], t.Any, t.Any], t.Awaitable[None]]

GITLAB_TOKEN = "glpat-maintainer-000000000001"
SENTRY_TOKEN = "sntrys-mock-admin-00000000000000001"
CHKK_TOKEN = "chkk-all-projects-token-0001"
TARGETS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "gitlab": ({"PRIVATE-TOKEN": GITLAB_TOKEN}, {"project": "24"}),
    "sentry": ({"Authorization": f"Bearer {SENTRY_TOKEN}"}, {"org": "my-org", "project": "my-project"}),
    "chkk": ({"Authorization": f"Bearer {CHKK_TOKEN}"}, {"project": "proj_a858f4d4-6e5b-4ab5-8d92-e9715b584ec1"}),
}
SEED = 20261122


def run(api: str, url: str, max_examples: int = 10) -> list[ContractFailure]:
    """``api``'s machine against the server at ``url`` (its root), through a session as a contract run makes one."""
    profile = PROFILES[api]
    _, sandbox = TARGETS[api]
    with Session(profile, url + profile.mount, profile.default_token, sandbox, read_only=False) as session:
        return statemachines.run(api, session, max_examples=max_examples, seed=SEED)


def delete_keeps_release(app: ASGIApp) -> ASGIApp:
    """GitLab: DELETE of a release answers 200 with the release, and deletes nothing."""

    async def mutant(scope: dict[str, t.Any], receive: t.Any, send: t.Any) -> None:
        parts = scope.get("path", "").split("/")
        release = len(parts) == 7 and parts[3:6:2] == ["projects", "releases"]
        if scope["type"] == "http" and scope["method"] == "DELETE" and release:
            scope = {**scope, "method": "GET"}
        await app(scope, receive, send)

    return mutant


def announcing_again_creates(app: ASGIApp) -> ASGIApp:
    """Sentry: announcing a known release again answers 201 instead of 208."""

    async def mutant(scope: dict[str, t.Any], receive: t.Any, send: t.Any) -> None:
        async def send_201(message: dict[str, t.Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] == 208:
                message = {**message, "status": 201}
            await send(message)

        await app(scope, receive, send_201)

    return mutant


def token_repeats_first_page(app: ASGIApp) -> ASGIApp:
    """Chkk: a continuation_token is ignored, so every page is the first one again."""

    async def mutant(scope: dict[str, t.Any], receive: t.Any, send: t.Any) -> None:
        if scope["type"] == "http":
            query = urllib.parse.parse_qsl(scope["query_string"].decode(), keep_blank_values=True)
            kept = [(key, value) for key, value in query if key != "continuation_token"]
            scope = {**scope, "query_string": urllib.parse.urlencode(kept).encode()}
        await app(scope, receive, send)

    return mutant


def leftovers(url: str) -> list[str]:
    """Releases, tags and Sentry releases the machines name with their ``contract-`` prefix that are still there."""
    gitlab = httpx.get(f"{url}/api/v4/projects/24/repository/tags", params={"search": "contract-", "per_page": 100})
    releases = httpx.get(f"{url}/api/v4/projects/24/releases", params={"per_page": 100})
    sentry = httpx.get(
        f"{url}/api/0/organizations/my-org/releases/",
        params={"query": "contract-"},
        headers={"Authorization": f"Bearer {SENTRY_TOKEN}"},
    )
    return (
        [tag["name"] for tag in gitlab.json()]
        + [release["tag_name"] for release in releases.json() if release["tag_name"].startswith("contract-")]
        + [release["version"] for release in sentry.json()]
    )


@pytest.mark.parametrize("api", ["gitlab", "sentry", "chkk"])
def test_machine_passes_on_the_mock_and_leaves_nothing(server: BackgroundServer, api: str) -> None:
    assert run(api, server.url, max_examples=15) == []
    assert leftovers(server.url) == []


@pytest.mark.parametrize(
    ("api", "plant", "check", "operation"),
    [
        pytest.param(
            "gitlab",
            delete_keeps_release,
            "deleted_release_answers_404",
            "GET /projects/{id}/releases/{tag_name}",
            id="gitlab-delete",
        ),
        pytest.param(
            "sentry",
            announcing_again_creates,
            "create_idempotent",
            "POST /organizations/{organization_id_or_slug}/releases/",
            id="sentry",
        ),
        pytest.param(
            "chkk",
            token_repeats_first_page,
            "pages_no_duplicates",
            "GET /projects/{project}/releases/",
            id="chkk-token",
        ),
    ],
)
def test_machine_catches_a_planted_departure(
    app: MockApp, api: str, plant: t.Callable[[ASGIApp], ASGIApp], check: str, operation: str
) -> None:
    with BackgroundServer(plant(app)) as mutant:
        failures = run(api, mutant.url)
        remaining = leftovers(mutant.url)
    caught = [failure for failure in failures if failure.check == check]
    assert caught, failures
    failure = caught[0]
    assert failure.operation == operation
    assert failure.request is not None
    assert failure.request.method in ("GET", "POST") and failure.request.url.startswith(mutant.url)
    assert "Steps (shrunk by Hypothesis):" in failure.message and "state.teardown()" in failure.message
    # The request carries the token, as sent; a report redacts it (runner), so the message must not.
    assert not any(
        token in failure.message for failure in failures for token in (GITLAB_TOKEN, SENTRY_TOKEN, CHKK_TOKEN)
    )
    # What the machine created is gone, although a check failed.
    assert remaining == []


def test_an_unreachable_server_is_a_failure_not_an_exception() -> None:
    failures = run("gitlab", "http://127.0.0.1:9", max_examples=1)
    assert [(failure.check, failure.operation) for failure in failures] == [("transport", "GET /projects/{id}")]


def test_an_unknown_api_is_refused() -> None:
    with Session(PROFILES["gitlab"], "http://127.0.0.1:9", "t", {}, read_only=False) as session:
        with pytest.raises(ValueError, match="unknown API 'bitbucket'"):
            statemachines.run("bitbucket", session, max_examples=1, seed=None)
