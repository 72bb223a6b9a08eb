"""Bad input to the Sentry mock: always Sentry's own JSON error shape, never a 500, nothing changed."""

from __future__ import annotations

import httpx
import pytest

ORG = "/organizations/my-org/releases/"
JSON = {"Content-Type": "application/json"}


def snapshot(sentry: httpx.Client) -> list:
    return sorted(
        (release["version"], release["status"], release["commitCount"], release["deployCount"])
        for status in ("open", "archived")
        for release in sentry.get(ORG, params={"status": status}).json()
    )


@pytest.mark.parametrize(
    ("method", "path", "request_args", "status", "keys"),
    [
        pytest.param("POST", ORG, {"content": b"{bad", "headers": JSON}, 400, {"detail"}, id="malformed-json"),
        pytest.param("POST", ORG, {"content": b"\xff\xfe", "headers": JSON}, 400, {"detail"}, id="not-utf8"),
        pytest.param("POST", ORG, {"json": [1, 2]}, 400, None, id="body-is-a-list"),
        pytest.param(
            "POST", ORG, {"json": {"version": 5, "projects": []}}, 400, {"version"}, id="version-not-a-string"
        ),
        pytest.param(
            "POST", ORG, {"json": {"version": "v", "projects": "x"}}, 400, {"projects"}, id="projects-not-a-list"
        ),
        pytest.param(
            "POST", ORG, {"json": {"version": "v", "projects": [], "status": "gone"}}, 400, {"status"}, id="bad-status"
        ),
        pytest.param(
            "POST",
            ORG,
            {"content": b"version=1", "headers": {"Content-Type": "text/plain"}},
            415,
            {"detail"},
            id="text-plain",
        ),
        pytest.param(
            "POST",
            ORG,
            {"content": b"[" + b" " * (1024 * 1024) + b"]", "headers": JSON},
            413,
            {"detail"},
            id="oversized",
        ),
        pytest.param(
            "PUT", ORG + "frontend@1.0.0/", {"json": {"dateReleased": "soon"}}, 400, {"dateReleased"}, id="bad-date"
        ),
        pytest.param("POST", ORG + "frontend@1.0.0/deploys/", {"json": {}}, 400, {"environment"}, id="deploy-no-env"),
        pytest.param("PATCH", ORG + "frontend@1.0.0/", {}, 405, {"detail"}, id="method-not-allowed"),
        pytest.param("GET", "/organizations/my-org/nothing/", {}, 404, {"detail"}, id="unknown-route"),
    ],
)
def test_rejections_keep_sentrys_shape_and_change_nothing(
    sentry: httpx.Client, method: str, path: str, request_args: dict, status: int, keys: set | None
) -> None:
    before = snapshot(sentry)
    response = sentry.request(method, path, **request_args)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert isinstance(body, dict) and "Traceback" not in response.text
    if keys is not None:
        assert set(body) == keys
    if status == 405:
        # Django REST framework's order, OPTIONS included: every endpoint answers it.
        assert response.headers["allow"] == "GET, PUT, DELETE, HEAD, OPTIONS"
        assert body == {"detail": f'Method "{method}" not allowed.'}
    assert snapshot(sentry) == before


OVER_DIGIT_LIMIT = "9" * 4400
"""More digits than Python's int() reads (4,300): it used to escape as a 500."""


@pytest.mark.parametrize(
    "template",
    [
        pytest.param("/organizations/{id}/releases/", id="organization"),
        pytest.param("/organizations/{id}/repos/", id="organization-repositories"),
        pytest.param("/projects/{id}/my-project/releases/", id="organization-of-a-project"),
        pytest.param("/projects/my-org/{id}/releases/", id="project"),
        pytest.param(ORG + "?project={id}", id="list-releases-project-filter"),
        pytest.param(ORG + "control@abc123/?project={id}", id="get-release-project"),
        pytest.param(ORG + "control@abc123/files/{id}/", id="release-file"),
    ],
)
def test_an_id_past_the_digit_limit_is_an_unknown_id(sentry: httpx.Client, template: str) -> None:
    unknown = sentry.get(template.format(id="987654321"))
    huge = sentry.get(template.format(id=OVER_DIGIT_LIMIT))
    assert 400 <= unknown.status_code < 500
    assert (huge.status_code, huge.json()) == (unknown.status_code, unknown.json())
