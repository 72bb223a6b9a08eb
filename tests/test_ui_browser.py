"""Swagger UI and the ``/`` index in a real headless Chromium (Debian's ``/usr/bin/chromium``), driven by Playwright."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import typing as t

import pytest

from mockserver import MockApp, Settings, create_app
from mockserver.openapi31 import HTTP_METHODS
from mockserver.plugin import discover_plugins
from mockserver.serving import BackgroundServer

if t.TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = pathlib.Path("/usr/bin/chromium")
# Without the background-networking switches Chromium phones home at start, and on a closed
# network those refused connections stall it; the rest keep a headless run quiet and quick.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHKK_TOKEN = "chkk-all-projects-token-0001"
ISTIO = "proj_a858f4d4-6e5b-4ab5-8d92-e9715b584ec1"
API_NAMES = [plugin.name for plugin in discover_plugins()]


def missing_browser() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the Python package playwright (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} (Debian package chromium; `make test` installs it when run as root)"
    return None


@pytest.fixture(scope="module")
def browser() -> t.Iterator[Browser]:
    missing = missing_browser()
    if missing:
        # CI (CI=true) runs `make test`, which installs Chromium: a missing browser there is a broken
        # setup to fix, and must fail rather than let the UI go untested behind a skip.
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser tests need {missing}", pytrace=False)
        pytest.skip(f"the browser tests need {missing}")
    from playwright.sync_api import sync_playwright

    # Playwright's own browser download is never used: it drives the system's Chromium.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> t.Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


@pytest.fixture(scope="module")
def custom_mount() -> t.Iterator[tuple[BackgroundServer, MockApp]]:
    app = create_app(Settings(mounts={"gitlab": "/gl"}))
    with BackgroundServer(app) as running:
        yield running, app


@pytest.fixture(scope="module")
def root_mount() -> t.Iterator[tuple[BackgroundServer, MockApp]]:
    app = create_app(Settings(apis=("gitlab",), mounts={"gitlab": "/"}))
    with BackgroundServer(app) as running:
        yield running, app


def mount_of(app: MockApp, name: str) -> str:
    return next(mount for mount, (plugin, _spec) in app.mounts.items() if plugin.name == name)


def spec_operations(app: MockApp, mount: str) -> set[tuple[str, str]]:
    paths = app.mounts[mount][1].raw["paths"]
    return {(method.upper(), path) for path, item in paths.items() for method in item if method in HTTP_METHODS}


def open_ui(page: Page, url: str) -> None:
    page.goto(url)
    # Either the operations render, or Swagger UI says why it cannot (as Swagger UI 4 did for 3.1).
    page.wait_for_selector(".opblock, .version-pragma")
    assert "Unable to render" not in page.inner_text("body")


def shown_operations(page: Page) -> set[tuple[str, str]]:
    shown = page.eval_on_selector_all(
        ".opblock",
        """blocks => blocks.map(block => [
            block.querySelector('.opblock-summary-method').textContent,
            block.querySelector('.opblock-summary-path').getAttribute('data-path'),
        ])""",
    )
    return {(method, path) for method, path in shown}


def execute(page: Page, operation_id: str, parameters: dict[str, str]) -> tuple[str, str, str]:
    """Expand an operation, "Try it out", fill its parameters, "Execute": the request URL, status and body shown."""
    block = page.locator(f".opblock[id$='-{operation_id}']")
    block.locator(".opblock-summary").click()
    block.locator("button.try-out__btn").click()
    for name, value in parameters.items():
        block.locator(f"tr[data-param-name='{name}'] input").fill(value)
    block.locator("button.execute").click()
    live = block.locator(".live-responses-table")
    status = live.locator("tbody .response-col_status").inner_text()
    body = live.locator(".response-col_description pre.microlight").first.inner_text()
    request_url = block.locator(".request-url pre").inner_text()
    return request_url, status.strip(), body


@pytest.mark.parametrize("api", API_NAMES)
def test_ui_lists_every_operation_of_the_spec(page: Page, server: BackgroundServer, app: MockApp, api: str) -> None:
    mount = mount_of(app, api)
    open_ui(page, f"{server.url}{mount}/ui/")
    expected = spec_operations(app, mount)
    page.wait_for_function("count => document.querySelectorAll('.opblock').length >= count", arg=len(expected))
    assert shown_operations(page) == expected
    # The Swagger UI that reads OpenAPI 3.1 is 5.x; Connexion's bundle (4.x) could not.
    assert page.evaluate("window.versions.swaggerUI.version").startswith("5.")


def test_ui_under_a_custom_mount_lists_every_operation(
    page: Page, custom_mount: tuple[BackgroundServer, MockApp]
) -> None:
    server, app = custom_mount
    open_ui(page, f"{server.url}/gl/ui")  # without the slash: redirected to /gl/ui/
    assert page.url == f"{server.url}/gl/ui/"
    expected = spec_operations(app, "/gl")
    page.wait_for_function("count => document.querySelectorAll('.opblock').length >= count", arg=len(expected))
    assert shown_operations(page) == expected


@pytest.mark.parametrize(
    ("serving", "mount"),
    [
        pytest.param("server", "/api/v4", id="default-mount"),
        pytest.param("custom_mount", "/gl", id="custom-mount"),
        pytest.param("root_mount", "", id="root-mount"),
    ],
)
def test_try_it_out_reaches_the_mock_at_its_mount(
    page: Page, request: pytest.FixtureRequest, serving: str, mount: str
) -> None:
    running = request.getfixturevalue(serving)
    base = (running if isinstance(running, BackgroundServer) else running[0]).url
    open_ui(page, f"{base}{mount}/ui/")
    request_url, status, body = execute(page, "listReleases", {"id": "24"})
    # Swagger UI adds the query parameters' defaults (page, per_page, order_by, sort).
    assert request_url.split("?")[0] == f"{base}{mount}/projects/24/releases"
    assert status == "200"
    assert '"tag_name": "v0.2"' in body


def test_try_it_out_sends_the_token_given_to_authorize(page: Page, server: BackgroundServer) -> None:
    open_ui(page, f"{server.url}/chkk/ui/")
    page.locator("button.authorize").first.click()
    dialog = page.locator(".auth-container").filter(has_text="bearerAuth")
    dialog.locator("input").fill(CHKK_TOKEN)
    dialog.locator("button[type=submit]").click()
    page.locator("button.btn-done").click()
    request_url, status, body = execute(page, "getProjectRelease", {"project": ISTIO, "release": "1.5.12"})
    assert request_url == f"{server.url}/chkk/projects/{ISTIO}/releases/1.5.12/"
    assert status == "200"
    assert '"version": "1.5.12"' in body


def test_index_page_links_every_api(page: Page, server: BackgroundServer, app: MockApp) -> None:
    page.goto(f"{server.url}/")
    for mount, (plugin, spec) in app.mounts.items():
        row = page.locator("tr").filter(has_text=plugin.name)
        assert spec.raw["info"]["title"] in row.inner_text()
        assert row.get_by_role("link", name="Swagger UI").get_attribute("href") == f"{mount}/ui/"
        assert row.get_by_role("link", name="openapi.json").get_attribute("href") == f"{mount}/openapi.json"
    page.locator("tr").filter(has_text="gitlab").get_by_role("link", name="Swagger UI").click()
    page.wait_for_selector(".opblock")
    assert page.url == f"{server.url}/api/v4/ui/"
