"""Chkk as a drop-in API: discovered by name, mounted at /chkk or wherever settings say, UI and spec served."""

from __future__ import annotations

import httpx

from mockserver import Settings, create_app
from mockserver.plugin import discover_plugins
from mockserver.serving import BackgroundServer
from tests.chkk.conftest import ALL_PROJECTS, ISTIO, assert_problem


def test_discovered_with_its_default_mount() -> None:
    (chkk,) = discover_plugins(["chkk"])
    assert (chkk.default_mount, chkk.spec_file) == ("/chkk", "chkk.yaml")
    assert sorted(chkk.handlers) == ["getProjectRelease", "listProjectReleases"]


def test_mount_point_comes_from_settings() -> None:
    app = create_app(Settings(apis=("chkk",), mounts={"chkk": "/v2"}, validate_responses=True))
    assert sorted(app.mounts) == ["/v2"]
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url) as http:
        auth = {"Authorization": f"Bearer {ALL_PROJECTS}"}
        assert http.get(f"/v2/projects/{ISTIO}/releases/1.5.12/", headers=auth).status_code == 200
        assert_problem(http.get(f"/v2/projects/{ISTIO}/releases/9.9.9/", headers=auth), 404)
        assert http.get(f"/chkk/projects/{ISTIO}/releases/1.5.12/", headers=auth).status_code == 404
        served = http.get("/v2/openapi.json").json()
        assert (served["openapi"], served["servers"]) == ("3.1.0", [{"url": "/v2"}])


def test_swagger_ui_and_spec_are_served(http: httpx.Client) -> None:
    # The UI page is titled after the document it renders (rendering itself: tests/test_ui_browser.py).
    assert "<title>Chkk API v2" in http.get("/chkk/ui/").text
    assert http.get("/chkk/openapi.json").json()["info"]["title"].startswith("Chkk API")
