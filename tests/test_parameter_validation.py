"""Query, path and header parameters: checks compiled once per operation (``validation.ParameterCheck``, ``plans``)."""

from __future__ import annotations

import asyncio
import dataclasses

import httpx
import pytest

from mockserver import Settings, create_app, validation
from mockserver.apis.gitlab import PLUGIN as GITLAB
from mockserver.plans import compile_plans
from tests.conftest import MAINTAINER


def test_no_schema_is_compiled_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(Settings(apis=("gitlab",)))
    compiled: list[dict] = []
    compile_schema = validation.schema_validator
    monkeypatch.setattr(
        validation, "schema_validator", lambda schema: compiled.append(schema) or compile_schema(schema)
    )
    transport = httpx.ASGITransport(app=app)

    async def requests() -> list[int]:
        async with httpx.AsyncClient(transport=transport, base_url="http://mock/api/v4") as client:
            headers = {"PRIVATE-TOKEN": MAINTAINER}
            return [
                (await client.get("/projects/24/releases", params={"per_page": "2"}, headers=headers)).status_code,
                (await client.get("/projects/24/releases", params={"per_page": "0"}, headers=headers)).status_code,
                (await client.post("/projects/24/releases", json={"tag_name": [1]}, headers=headers)).status_code,
            ]

    assert asyncio.run(requests()) == [200, 400, 400]
    assert compiled == []


def test_each_parameter_is_checked_once_and_the_operations_own_overrides_the_paths() -> None:
    own = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    path_level = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    query = {"name": "page", "in": "query", "schema": {"type": "integer"}}
    document = {
        "paths": {
            "/things/{id}": {
                "parameters": [path_level],
                "get": {"operationId": "getThing", "parameters": [own, query], "responses": {}},
            }
        }
    }
    plugin = dataclasses.replace(GITLAB, handlers={}, checked_first={})
    plan = compile_plans(plugin, document, "/t", validate_responses=False)["getThing"]
    assert [check.schema for check in plan.checks] == [own["schema"], query["schema"]]
