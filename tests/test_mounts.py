"""Where ``create_app`` mounts each API: unknown names and mounts that would hide an API are refused, nesting works."""

from __future__ import annotations

import httpx
import pytest

from mockserver import Settings, create_app
from mockserver.serving import BackgroundServer
from mockserver.settings import MountClash, SettingsError, UnknownApi

GITLAB = {"PRIVATE-TOKEN": "glpat-maintainer-000000000001"}
SENTRY = {"Authorization": "Bearer sntrys-mock-admin-00000000000000001"}
CHKK = {"Authorization": "Bearer chkk-all-projects-token-0001"}
CHKK_PROJECT = "proj_a858f4d4-6e5b-4ab5-8d92-e9715b584ec1"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        pytest.param(Settings(apis=("gitlb",)), "no such API: gitlb; the APIs are chkk, gitlab, sentry", id="api"),
        pytest.param(
            Settings(mounts={"gitlb": "/x"}),
            "cannot mount gitlb=/x: no such API; the APIs are chkk, gitlab, sentry",
            id="mount",
        ),
    ],
)
def test_unknown_api_names_are_refused(settings: Settings, message: str) -> None:
    with pytest.raises(UnknownApi) as raised:
        create_app(settings)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("mounts", "message"),
    [
        pytest.param({"gitlab": "/api/0"}, "gitlab and sentry are both mounted at /api/0", id="same"),
        # Every /api/v4/projects/24/... request would reach Chkk: GitLab's project 24 would be gone.
        pytest.param(
            {"chkk": "/api/v4/projects/24"},
            "chkk mounted at /api/v4/projects/24 hides gitlab's /projects/{id}/milestones",
            id="inside-gitlab-routes",
        ),
        pytest.param(
            {"chkk": "/api/v4/ui"}, "chkk mounted at /api/v4/ui hides gitlab's /ui/{file:path}", id="over-the-ui"
        ),
        pytest.param(
            {"gitlab": "/", "chkk": "/projects"},
            "chkk mounted at /projects hides gitlab's /projects/{id}",
            id="at-root",
        ),
        pytest.param(
            {"chkk": "/api/0/organizations/my-org/releases"},
            "chkk mounted at /api/0/organizations/my-org/releases hides sentry's "
            "/organizations/{organization_id_or_slug}/releases/",
            id="trailing-slash-route",
        ),
        # A parameter that ends a route may hold slashes (GitLab's downloads/{direct_asset_path}).
        pytest.param(
            {"chkk": "/api/v4/projects/24/releases/v1/downloads/bin/linux"},
            "hides gitlab's /projects/{id}/releases/{tag_name}/downloads/{direct_asset_path:path}",
            id="inside-a-path-parameter",
        ),
    ],
)
def test_mounts_that_would_hide_an_api_are_refused(mounts: dict[str, str], message: str) -> None:
    with pytest.raises(MountClash, match=message.replace("{", r"\{").replace("}", r"\}")) as raised:
        create_app(Settings(mounts=mounts))
    assert isinstance(raised.value, SettingsError)


def test_nested_mounts_that_hide_nothing_all_answer() -> None:
    # Chkk at the root holds everything; GitLab at /api holds Sentry's /api/0: no route of one is under another.
    app = create_app(Settings(mounts={"chkk": "/", "gitlab": "/api"}))
    assert sorted(app.mounts) == ["", "/api", "/api/0"]
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        gitlab = client.get("/api/projects/24/releases", headers=GITLAB)
        assert [release["tag_name"] for release in gitlab.json()] == ["v0.2", "v0.1"]
        sentry = client.get("/api/0/organizations/my-org/releases/control@abc123/", headers=SENTRY)
        assert sentry.json()["version"] == "control@abc123"
        chkk = client.get(f"/projects/{CHKK_PROJECT}/releases/1.5.12/", headers=CHKK)
        assert chkk.json()["version"] == "1.5.12"
        # Each API's errors keep their own shape.
        assert client.get("/api/projects/24/releases/nope", headers=GITLAB).json() == {"message": "404 Not Found"}
        assert "detail" in client.get("/api/0/organizations/my-org/releases/nope/", headers=SENTRY).json()
