"""The pages for people, one layer entered only for their paths, answer as their three layers did."""

from __future__ import annotations

import typing as t

import httpx
import pytest

from mockserver import Settings, create_app
from mockserver.api_index import ApiIndexMiddleware
from mockserver.app import MIDDLEWARE
from mockserver.middleware import Middleware
from mockserver.pages import PagesMiddleware, may_be_page
from mockserver.serving import BackgroundServer
from mockserver.spec_document import SpecDocumentMiddleware
from mockserver.swagger_ui import SwaggerUIMiddleware

REQUESTS = [
    ("GET", "/"),
    ("HEAD", "/"),
    ("POST", "/"),
    ("GET", "/?format=json"),
    ("GET", "/api/v4/ui"),
    ("GET", "/api/v4/ui/"),
    ("GET", "/api/v4/ui/index.html"),
    ("HEAD", "/api/v4/ui/"),
    ("GET", "/api/v4/ui/swagger-ui.css"),
    ("GET", "/api/v4/ui/favicon-16x16.png"),
    ("GET", "/api/v4/ui/not-an-asset.js"),
    ("POST", "/api/v4/ui/"),
    ("GET", "/api/v4/openapi.json"),
    ("GET", "/api/v4/openapi.yaml"),
    ("GET", "/api/v4/openapi.json/"),
    ("GET", "/api/0/openapi.json"),
    ("GET", "/api/0/ui/"),
    ("GET", "/chkk/openapi.yaml"),
    ("GET", "/__admin/openapi.json"),
    ("GET", "/__admin/ui/"),
    ("GET", "/nothing"),
    ("GET", "/nothing/openapi.json"),
    ("GET", "/api/v4/projects/24/releases/v0.1"),
    ("GET", "/api/0/organizations/acme/releases/"),
]

PER_REQUEST = {"date", "x-request-id", "x-gitlab-meta", "x-runtime"}
"""Headers that differ from one answer to the next by design (GitLab's request ids and timing)."""


def _three_layers() -> tuple[Middleware, ...]:
    layers: list[Middleware] = []
    for record in MIDDLEWARE:
        if record.cls is PagesMiddleware:
            layers += [
                Middleware(SpecDocumentMiddleware),
                Middleware(SwaggerUIMiddleware),
                Middleware(ApiIndexMiddleware),
            ]
        else:
            layers.append(record)
    return tuple(layers)


def _answers(middleware: t.Sequence[Middleware]) -> list[tuple[t.Any, ...]]:
    app = create_app(Settings(), middleware=middleware)
    headers = {"PRIVATE-TOKEN": "glpat-maintainer-000000000001", "Host": "mock.test"}
    answers = []
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, headers=headers) as client:
        for method, path in REQUESTS:
            response = client.request(method, path)
            kept = sorted((name, value) for name, value in response.headers.items() if name not in PER_REQUEST)
            answers.append((method, path, response.status_code, kept, response.content))
    return answers


def test_the_pages_answer_as_their_three_layers_did() -> None:
    fused = _answers(MIDDLEWARE)
    assert [answer[:3] for answer in fused] == [answer[:3] for answer in _answers(_three_layers())]
    assert fused == _answers(_three_layers())
    # Not vacuous: pages, redirects and refusals all there.
    assert {answer[2] for answer in fused} >= {200, 307, 404}


@pytest.mark.parametrize(
    ("path", "root_path", "page"),
    [
        pytest.param("/", "", True, id="index"),
        pytest.param("", "", True, id="index-empty"),
        pytest.param("/prefix", "/prefix", True, id="index-below-a-root-path"),
        pytest.param("/prefix/", "/prefix", True, id="index-below-a-root-path-slash"),
        pytest.param("/prefix/api/v4/ui/", "/prefix", True, id="ui-below-a-root-path"),
        pytest.param("/api/v4/ui", "", True, id="ui-without-slash"),
        pytest.param("/api/v4/openapi.yaml/", "", True, id="document-with-slash"),
        pytest.param("/api/v4/projects/24/releases", "", False, id="api-call"),
        pytest.param("/prefix/api/v4/projects/24/releases", "/prefix", False, id="api-call-below-a-root-path"),
        pytest.param("/api/0/organizations/acme/releases/", "", False, id="api-call-ending-in-a-slash"),
    ],
)
def test_which_paths_may_be_pages(path: str, root_path: str, page: bool) -> None:
    assert may_be_page({"type": "http", "path": path, "root_path": root_path}) is page
