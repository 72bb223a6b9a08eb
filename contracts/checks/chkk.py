"""Chkk's semantic checks: the continuation-token envelope, newest-first order, problem+json errors, auth."""

from __future__ import annotations

import typing as t

import httpx
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ..operations import segment
from ..session import Session
from . import check
from ._shared import expect_media_type, first_disorder, probe_without_credentials, timestamp, unique_name
from ._wire import expect_head_is_get, expect_headers

API = "chkk"
MAX_PAGES = 20
PAGE_SIZE = 3


def _releases(session: Session) -> str:
    return f"/projects/{segment(session.sandbox['project'])}/releases/"


def _page(session: Session, response: httpx.Response) -> tuple[list[t.Any], str | None]:
    session.expect_status(response, 200)
    body = session.json_object(response)
    data, token = body.get("data"), body.get("continuation_token")
    if not isinstance(data, list):
        session.fail('a page is {"data": [...], "continuation_token": "..."}; data is not an array', response)
    if token is not None and (not isinstance(token, str) or not token):
        session.fail(
            f"continuation_token is {token!r}: absent on the last page, a non-empty string otherwise", response
        )
    return data, token


@check(API)
def pagination_headers_consistency(session: Session) -> None:
    """``continuation_token`` is there while releases follow and absent on the last page; pages add up to the list."""
    versions: list[t.Any] = []
    token: str | None = None
    for number in range(1, MAX_PAGES + 1):
        params: dict[str, t.Any] = {"page_size": PAGE_SIZE, **({"continuation_token": token} if token else {})}
        response = session.get(_releases(session), params=params)
        data, token = _page(session, response)
        if len(data) > PAGE_SIZE:
            session.fail(f"page {number} holds {len(data)} releases with page_size={PAGE_SIZE}", response)
        if number > 1 and not data:
            session.fail("the previous page had a continuation_token, but this page is empty", response)
        versions += [item.get("version") for item in data if isinstance(item, dict)]
        if token is None:
            break
    else:
        return  # longer than this walk goes: what was seen was consistent
    if len(set(versions)) != len(versions):
        session.fail(f"a release appears on two pages: {versions}")
    response = session.get(_releases(session), params={"page_size": 1000})
    whole, more = _page(session, response)
    if more is None and [item.get("version") for item in whole if isinstance(item, dict)] != versions:
        session.fail(f"pages of {PAGE_SIZE} give {versions}; one page of 1000 gives other releases", response)


@check(API)
def list_order_honours_sort(session: Session) -> None:
    """Newest ``created_on`` first; releases created at the same instant by descending version string."""
    response = session.get(_releases(session), params={"page_size": 1000})
    data, _ = _page(session, response)
    keys = [(timestamp(item.get("created_on")), item.get("version")) for item in data if isinstance(item, dict)]
    if any(created is None or not isinstance(version, str) for created, version in keys):
        session.fail("a release has no readable created_on or version", response)
    index = first_disorder(keys, descending=True)
    if index is not None:
        session.fail(f"release {index} ({keys[index][1]!r}) comes after an older or lower one", response)


def _error_model(session: Session) -> Draft202012Validator:
    registry: Registry[t.Any] = Registry().with_resource(
        "urn:spec", Resource.from_contents(dict(session.index.spec), default_specification=DRAFT202012)
    )
    return Draft202012Validator({"$ref": "urn:spec#/components/schemas/ErrorModel"}, registry=registry)


def _expect_problem(session: Session, response: httpx.Response, status: int) -> dict[str, t.Any]:
    session.expect_status(response, status)
    expect_media_type(session, response, "application/problem+json")
    body = session.json_object(response)
    problems = [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _error_model(session).iter_errors(body)]
    if problems:
        session.fail(f"the body is not an ErrorModel: {'; '.join(problems)}", response)
    if body.get("status", status) != status:
        session.fail(f"the problem says status {body.get('status')}, the response is {status}", response)
    return body


@check(API)
def error_bodies_have_the_api_shape(session: Session) -> None:
    """Chkk errors are RFC 9457 problem documents (``application/problem+json``, ``ErrorModel``)."""
    _expect_problem(session, session.get(f"{_releases(session)}{segment(unique_name('missing'))}/"), 404)
    response = session.get(_releases(session), params={"page_size": 0})
    body = _expect_problem(session, response, 400)
    locations = [error.get("location") for error in body.get("errors") or [] if isinstance(error, dict)]
    if "query.page_size" not in locations:
        session.fail(f"the rejected parameter is not named in errors[].location: {locations}", response)
    _expect_problem(session, session.get(_releases(session), authenticated=False), 401)


@check(API)
def auth_is_required(session: Session) -> None:
    """Without a token, every operation answers 401."""
    response = session.get(_releases(session), params={"page_size": 1})
    data, _ = _page(session, response)
    release = str(data[0].get("version")) if data and isinstance(data[0], dict) else unique_name("missing")
    probe_without_credentials(
        session, {"project": session.sandbox["project"], "release": release}, {}, rejections=(401,)
    )


@check(API)
def answers_carry_the_services_headers(session: Session) -> None:
    """Every answer has a request id of its own and ``X-Content-Type-Options: nosniff``; HEAD is GET without a body."""
    answers = [session.get(_releases(session), params={"page_size": 1}) for _ in range(2)]
    for response in answers:
        session.expect_status(response, 200)
        expect_headers(session, response, {"X-Request-Id": None, "X-Content-Type-Options": "nosniff"})
    if answers[0].headers["x-request-id"] == answers[1].headers["x-request-id"]:
        session.fail("two answers carry the same X-Request-Id", answers[1])
    expect_head_is_get(session, _releases(session), {"page_size": 1}, ("content-type",))
