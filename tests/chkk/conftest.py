"""Chkk's clients and tokens, and the check that an error is an ``ErrorModel`` sent as problem+json."""

from __future__ import annotations

import typing as t

import httpx
import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mockserver.serving import BackgroundServer
from mockserver.settings import PROJECT_ROOT
from mockserver.validation import FORMAT_CHECKER

ALL_PROJECTS = "chkk-all-projects-token-0001"
SECOND_ONLY = "chkk-second-project-token-0001"
REVOKED = "chkk-revoked-token-0001"

ISTIO = "proj_a858f4d4-6e5b-4ab5-8d92-e9715b584ec1"
CERT_MANAGER = "proj_c42014e7-baf5-4ec6-a502-858f98dca7c8"
EMPTY = "proj_5d1e9a7b-3c4f-4e2a-9b8d-7f6e5a4b3c2d"
UNKNOWN = "proj_00000000-0000-4000-8000-000000000000"

ODD_VERSION = "2.0.0-rc.1+build.7 @nightly ü"
"""A fixture release whose version holds "+", "@", spaces and non-ASCII."""

ISTIO_NEWEST_FIRST = [
    ODD_VERSION,
    "1.6.1+eks.1",
    "1.6.1",
    "1.6.0",
    "1.5.13",
    "1.5.12",
    "1.5.11",
    "1.5.10",
]

with open(PROJECT_ROOT / "specs" / "chkk.yaml", encoding="utf-8") as _handle:
    SPEC = yaml.load(_handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
_REGISTRY = Registry().with_resource("urn:chkk", Resource.from_contents(SPEC, default_specification=DRAFT202012))


def schema_problems(value: t.Any, schema: str) -> list[str]:
    """Where ``value`` breaks ``#/components/schemas/<schema>`` of specs/chkk.yaml."""
    validator = Draft202012Validator(
        {"$ref": f"urn:chkk#/components/schemas/{schema}"}, registry=_REGISTRY, format_checker=FORMAT_CHECKER
    )
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(value)]


def assert_problem(response: httpx.Response, status: int, **fields: t.Any) -> dict[str, t.Any]:
    """A Chkk error: the status, problem+json, a valid ``ErrorModel`` carrying ``fields``; returns the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert schema_problems(body, "ErrorModel") == []
    assert (body["status"], body["type"]) == (status, "about:blank")
    assert body["title"] and body["detail"]
    assert {key: body.get(key) for key in fields} == fields
    return t.cast(dict, body)


def client(server: BackgroundServer, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=f"{server.url}/chkk", headers=headers, timeout=10)


@pytest.fixture
def chkk(server: BackgroundServer) -> t.Iterator[httpx.Client]:
    """On Chkk's mount point, with the token that sees every Project."""
    with client(server, ALL_PROJECTS) as http:
        yield http


@pytest.fixture
def scoped(server: BackgroundServer) -> t.Iterator[httpx.Client]:
    """With the token that sees only cert-manager."""
    with client(server, SECOND_ONLY) as http:
        yield http


@pytest.fixture
def no_token(server: BackgroundServer) -> t.Iterator[httpx.Client]:
    with client(server, None) as http:
        yield http
