"""Swagger UI pages and the ``/`` index over plain HTTP: what is served where, for every mount, in JSON and HTML."""

from __future__ import annotations

import contextlib
import html.parser
import typing as t

import httpx
import pytest

from mockserver import MockApp, Settings, create_app
from mockserver.serving import BackgroundServer

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@contextlib.contextmanager
def serve(settings: Settings) -> t.Iterator[tuple[httpx.Client, MockApp]]:
    app = create_app(settings)
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        yield client, app


class LinkCollector(html.parser.HTMLParser):
    """The ``href`` and ``src`` URLs of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(value for name, value in attrs if name in ("href", "src") and value)


def links_of(page: str) -> list[str]:
    collector = LinkCollector()
    collector.feed(page)
    return collector.urls


def expected_index(app: MockApp) -> list[dict[str, str]]:
    return sorted(
        (
            {
                "name": plugin.name,
                "title": spec.raw["info"]["title"],
                "mount": mount,
                "spec": f"{mount}/openapi.json",
                "ui": f"{mount}/ui/",
            }
            for mount, (plugin, spec) in app.mounts.items()
        ),
        key=lambda entry: entry["name"],
    )


@pytest.mark.parametrize(
    "accept",
    [
        pytest.param(None, id="no-accept"),
        pytest.param("*/*", id="anything"),
        pytest.param("application/json", id="json"),
        pytest.param("text/html;q=0.5, application/json", id="json-preferred"),
    ],
)
def test_index_is_json_for_api_clients(http: httpx.Client, app: MockApp, accept: str | None) -> None:
    index = http.get("/", headers={"Accept": accept} if accept else {})
    assert index.status_code == 200
    assert index.headers["content-type"] == "application/json"
    assert index.headers["vary"] == "Accept"
    admin = {
        "name": "admin",
        "title": "release-mock admin API",
        "mount": "/__admin",
        "spec": "/__admin/openapi.json",
        "ui": "/__admin/ui/",
    }
    assert index.json() == {"apis": expected_index(app), "admin": admin}
    assert [entry["name"] for entry in index.json()["apis"]] == ["chkk", "gitlab", "sentry"]


@pytest.mark.parametrize("accept", [pytest.param(BROWSER_ACCEPT, id="browser"), pytest.param("text/html", id="html")])
def test_index_is_html_for_a_browser(http: httpx.Client, app: MockApp, accept: str) -> None:
    index = http.get("/", headers={"Accept": accept})
    assert index.status_code == 200
    assert index.headers["content-type"].startswith("text/html")
    links = links_of(index.text)
    for entry in expected_index(app):
        assert entry["title"] in index.text
        assert {entry["ui"], entry["spec"]} <= set(links)
    # Every link it shows answers.
    assert all(http.get(link).status_code == 200 for link in links)


def test_head_on_the_index_answers_without_a_body(http: httpx.Client) -> None:
    head = http.head("/")
    assert (head.status_code, head.headers["content-type"], head.content) == (200, "application/json", b"")


@pytest.mark.parametrize("path", ["/nope", "/ui/", "/openapi.json", "/api", "/index.html"])
def test_unknown_paths_outside_every_mount_stay_404(http: httpx.Client, path: str) -> None:
    missing = http.get(path)
    assert (missing.status_code, missing.json()) == (404, {"error": "404 Not Found"})


def test_index_follows_custom_mounts() -> None:
    with serve(Settings(apis=("gitlab", "chkk"), mounts={"gitlab": "/gl"})) as (client, app):
        apis = client.get("/").json()["apis"]
        assert [(entry["name"], entry["mount"], entry["ui"], entry["spec"]) for entry in apis] == [
            ("chkk", "/chkk", "/chkk/ui/", "/chkk/openapi.json"),
            ("gitlab", "/gl", "/gl/ui/", "/gl/openapi.json"),
        ]
        assert apis == expected_index(app)


def test_an_api_mounted_at_the_root_owns_it_and_there_is_no_index() -> None:
    with serve(Settings(mounts={"gitlab": "/"})) as (client, _app):
        root = client.get("/", headers={"Accept": BROWSER_ACCEPT})
        # GitLab's own answer for a path it does not have, not the index.
        assert (root.status_code, root.json()) == (404, {"error": "404 Not Found"})
        assert client.get("/projects/24/releases").status_code == 200
        assert client.get("/ui/").headers["content-type"].startswith("text/html")
        # Connexion's relative server URL for the root: "Try it out" sends to the page's host.
        assert client.get("/openapi.json").json()["servers"] == [{"url": ""}]
        # The other APIs keep their mounts and their UIs.
        assert client.get("/chkk/ui/").status_code == 200


@pytest.mark.parametrize("mount", ["/api/v4", "/api/0", "/chkk"])
def test_ui_page_loads_swagger_ui_from_the_package_and_the_spec_beside_it(http: httpx.Client, mount: str) -> None:
    ui = http.get(f"{mount}/ui/")
    assert ui.status_code == 200
    assert ui.headers["content-type"].startswith("text/html")
    assert '"../openapi.json"' in ui.text
    assert http.get(f"{mount}/ui/index.html").text == ui.text
    # Every file the page loads is served from this mount, none from another host.
    urls = links_of(ui.text)
    assert {"swagger-ui-bundle.js", "swagger-ui.css"} <= set(urls)
    for url in urls:
        assert "//" not in url
        asset = http.get(f"{mount}/ui/{url}")
        assert asset.status_code == 200, url
    assert http.get(f"{mount}/ui/swagger-ui-bundle.js").headers["content-type"].startswith("text/javascript")


def test_ui_without_the_slash_redirects_to_it(http: httpx.Client) -> None:
    redirect = http.get("/api/v4/ui")
    assert (redirect.status_code, redirect.headers["location"]) == (307, "/api/v4/ui/")


@pytest.mark.parametrize("name", ["swagger-editor-bundle.js", "swagger-initializer.js", "nope.js"])
def test_only_the_files_the_page_needs_are_served(http: httpx.Client, name: str) -> None:
    missing = http.get(f"/api/v4/ui/{name}")
    assert (missing.status_code, missing.json()) == (404, {"error": "404 Not Found"})


def test_ui_follows_a_custom_mount() -> None:
    with serve(Settings(apis=("gitlab",), mounts={"gitlab": "/gl"})) as (client, _app):
        assert client.get("/gl/ui").headers["location"] == "/gl/ui/"
        assert client.get("/gl/ui/swagger-ui-bundle.js").status_code == 200
        assert client.get("/gl/openapi.json").json()["servers"] == [{"url": "/gl"}]
        assert client.get("/api/v4/ui/").status_code == 404
