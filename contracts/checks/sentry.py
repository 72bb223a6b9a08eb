"""Sentry's semantic checks: cursor pagination, date order, create/update/delete, idempotent create, errors, auth."""

from __future__ import annotations

import contextlib
import math
import typing as t

import httpx

from ..links import Link, MalformedLink, parse_links
from ..operations import segment
from ..session import Session
from . import check, inventory
from ._shared import expect_media_type, first_disorder, probe_without_credentials, timestamp, unique_name
from ._wire import ORIGIN, expect_exposed, expect_head_is_get, expect_headers

API = "sentry"
MAX_PAGES = 10

Release = dict[str, t.Any]


def _releases(session: Session) -> str:
    return f"/organizations/{segment(session.sandbox['org'])}/releases/"


def _release(session: Session, version: str) -> str:
    return f"{_releases(session)}{segment(version)}/"


def _project_releases(session: Session) -> str:
    return f"/projects/{segment(session.sandbox['org'])}/{segment(session.sandbox['project'])}/releases/"


@contextlib.contextmanager
def _created_releases(session: Session, count: int, *, suffix: str = "") -> t.Iterator[list[Release]]:
    """``count`` new releases of the sandbox project (versions ending in ``suffix``), deleted on the way out."""
    versions = [unique_name() + suffix for _ in range(count)]
    created: list[Release] = []
    try:
        for version in versions:
            response = session.post(
                _releases(session), json={"version": version, "projects": [session.sandbox["project"]]}
            )
            session.expect_status(response, 201)
            created.append(session.json_object(response))
        yield created
    finally:
        for version in versions:
            session.cleanup("DELETE", _release(session, version))


def _links(session: Session, response: httpx.Response) -> dict[str, Link]:
    try:
        links = parse_links(response.headers.get("Link", ""))
    except MalformedLink as error:
        session.fail(f"the Link header does not parse: {error}", response)
    for rel in ("previous", "next"):
        link = links.get(rel)
        if link is None:
            session.fail(f'the Link header has no rel="{rel}" (Sentry always sends both)', response)
        if link.params.get("results") not in ("true", "false"):
            session.fail(f'rel="{rel}" has results={link.params.get("results")!r}, not "true" or "false"', response)
        if "cursor" not in link.params or link.query.get("cursor") != link.params["cursor"]:
            session.fail(f'rel="{rel}" does not carry its cursor both as cursor="..." and in its URL', response)
    return links


def _page_size(session: Session, path: str) -> int:
    """Small pages, but few enough of them to reach the last one (one page of 100 says roughly how many there are).

    Release lists send no ``X-Hits``: their paginator does not count.
    """
    response = session.get(path, params={"per_page": 100})
    session.expect_status(response, 200)
    return min(100, max(2, math.ceil(len(session.json_list(response)) / MAX_PAGES)))


def _walk_cursor(session: Session, path: str) -> list[str]:
    """Page through a list checking its ``Link`` header; the versions in page order."""
    per_page = _page_size(session, path)
    versions: list[str] = []
    cursor: str | None = None
    for number in range(1, MAX_PAGES + 1):
        response = session.get(path, params={"per_page": per_page, **({"cursor": cursor} if cursor else {})})
        session.expect_status(response, 200)
        items = session.json_list(response)
        links = _links(session, response)
        if links["previous"].params["results"] != ("true" if number > 1 else "false"):
            session.fail(
                f'page {number} says results="{links["previous"].params["results"]}" for rel="previous"', response
            )
        if number > 1 and not items:
            session.fail('the previous page said results="true" for rel="next", but this page is empty', response)
        if len(items) > per_page:
            session.fail(f"page {number} holds {len(items)} items with per_page={per_page}", response)
        versions += [str(item.get("version")) for item in items if isinstance(item, dict)]
        cursor = links["next"].params["cursor"]
        if links["next"].params["results"] == "false":
            after = session.get(path, params={"per_page": per_page, "cursor": cursor})
            session.expect_status(after, 200)
            if session.json_list(after):
                session.fail('rel="next" said results="false", yet its cursor gives more releases', after)
            break
        if len(items) != per_page:
            session.fail(f"page {number} holds {len(items)} of {per_page} items and says more follow", response)
    if len(set(versions)) != len(versions):
        session.fail(f"a release appears on two pages: {versions}")
    return versions


@check(API)
def pagination_headers_consistency(session: Session) -> None:
    """Link has ``previous`` and ``next``, each with ``results`` and ``cursor``; results="true" iff a page follows."""
    with _created_releases(session, 0 if session.read_only else 3):
        for path in (_releases(session), _project_releases(session)):
            paged = _walk_cursor(session, path)
            if len(paged) < 100:
                response = session.get(path, params={"per_page": 100})
                session.expect_status(response, 200)
                whole = [item.get("version") for item in session.json_list(response)]
                if whole[: len(paged)] != paged:
                    session.fail(f"small pages give {paged}, one page of 100 gives {whole}", response)


@check(API)
def release_lists_page_by_number(session: Session) -> None:
    """Release lists page with Sentry's offset paginator: cursors ``per_page:page:is_prev``, and no ``X-Hits``.

    The first page of 1 links back to ``1:-1:1`` (no results) and on to ``1:1:0``; the second
    back to ``1:0:1`` and on to ``1:2:0``.
    """
    with _created_releases(session, 0 if session.read_only else 2):
        for path in (_releases(session), _project_releases(session)):
            response = session.get(path, params={"per_page": 1})
            for number in (0, 1):
                session.expect_status(response, 200)
                for header in ("X-Hits", "X-Max-Hits"):
                    if header in response.headers:
                        session.fail(f"a release list sends {header}, which its paginator never counts", response)
                links = _links(session, response)
                wanted = {"previous": f"1:{number - 1}:1", "next": f"1:{number + 1}:0"}
                found = {rel: links[rel].params["cursor"] for rel in wanted}
                if found != wanted:
                    session.fail(f"page {number} of 1 links to cursors {found}, not {wanted}", response)
                if links["next"].params["results"] != "true":
                    break
                response = session.get(path, params={"per_page": 1, "cursor": wanted["next"]})


@check(API)
def short_version_is_the_version(session: Session) -> None:
    """``shortVersion`` repeats ``version`` whole, even for ``package@1.2.3``, in lists and alone."""
    with _created_releases(session, 0 if session.read_only else 1, suffix="@1.2.3") as created:
        response = session.get(_releases(session), params={"per_page": 100})
        session.expect_status(response, 200)
        listed = [item for item in session.json_list(response) if isinstance(item, dict)]
        answers = [(response, item) for item in listed]
        for release in created:
            single = session.get(_release(session, release["version"]))
            session.expect_status(single, 200)
            answers.append((single, session.json_object(single)))
        for answer, item in answers:
            if item.get("shortVersion") != item.get("version"):
                session.fail(
                    f"shortVersion is {item.get('shortVersion')!r} for version {item.get('version')!r}", answer
                )


NOT_NUMBERS = "Invalid project parameter. Values must be numbers."


@check(API)
def project_filter_takes_numeric_ids(session: Session) -> None:
    """``?project=`` is numeric project ids only: a slug answers 400 with Sentry's words, listing or retrieving."""
    slug = str(session.sandbox["project"])
    slug = "not-a-number" if slug.isdigit() else slug
    with _created_releases(session, 0 if session.read_only else 1) as created:
        paths = [_releases(session), *(_release(session, release["version"]) for release in created)]
        for path in paths:
            response = session.get(path, params={"project": slug})
            _expect_sentry_error(session, response, 400)
            if session.json_object(response).get("detail") != NOT_NUMBERS:
                session.fail(f"?project={slug} answers {response.text[:200]!r}, not {NOT_NUMBERS!r}", response)


@check(API)
def list_order_honours_sort(session: Session) -> None:
    """Release lists come newest ``dateCreated`` first, by default and with ``sort=date``."""
    with _created_releases(session, 0 if session.read_only else 3):
        for path, params in (
            (_releases(session), {}),
            (_releases(session), {"sort": "date"}),
            (_project_releases(session), {}),
        ):
            response = session.get(path, params={**params, "per_page": 100})
            session.expect_status(response, 200)
            keys = [timestamp(item.get("dateCreated")) for item in session.json_list(response)]
            if None in keys:
                session.fail("a release has no readable dateCreated", response)
            index = first_disorder(keys, descending=True)
            if index is not None:
                session.fail(f"release {index} is newer than the one before it (dateCreated, newest first)", response)


@check(API, writes=True)
def created_release_is_retrievable_and_listed(session: Session) -> None:
    with _created_releases(session, 1) as (created,):
        version = created["version"]
        response = session.get(_release(session, version))
        session.expect_status(response, 200)
        fetched = session.json_object(response)
        if fetched.get("version") != version or fetched.get("id") != created.get("id"):
            session.fail(f"GET answers {fetched.get('version')!r} (id {fetched.get('id')}) for {version!r}", response)
        slugs = [project.get("slug") for project in fetched.get("projects", []) if isinstance(project, dict)]
        if session.sandbox["project"] not in slugs:
            session.fail(f"the release's projects are {slugs}, not the one it was created for", response)
        for path in (_releases(session), _project_releases(session)):
            response = session.get(path, params={"query": version, "per_page": 100})
            session.expect_status(response, 200)
            if version not in [item.get("version") for item in session.json_list(response)]:
                session.fail(f"release {version} is missing from the list", response)


@check(API, writes=True)
def update_is_visible(session: Session) -> None:
    with _created_releases(session, 1) as (created,):
        change = {"ref": "contract-ref", "url": "https://example.com/contract", "dateReleased": "2024-01-02T03:04:05Z"}
        updated = session.put(_release(session, created["version"]), json=change)
        session.expect_status(updated, 200)
        fetched = session.get(_release(session, created["version"]))
        session.expect_status(fetched, 200)
        for response in (updated, fetched):
            answer = session.json_object(response)
            if (answer.get("ref"), answer.get("url")) != (change["ref"], change["url"]):
                session.fail(f"ref and url are {answer.get('ref')!r}, {answer.get('url')!r} after the update", response)
            if timestamp(answer.get("dateReleased")) != timestamp(change["dateReleased"]):
                session.fail(f"dateReleased is {answer.get('dateReleased')!r} after the update", response)


@check(API, writes=True)
def deleted_release_is_gone(session: Session) -> None:
    with _created_releases(session, 1) as (created,):
        version = created["version"]
        response = session.delete(_release(session, version))
        session.expect_status(response, 204)
        response = session.get(_release(session, version))
        session.expect_status(response, 404)
        response = session.get(_releases(session), params={"query": version, "per_page": 100})
        session.expect_status(response, 200)
        if version in [item.get("version") for item in session.json_list(response)]:
            session.fail(f"release {version} is still listed after DELETE", response)


@check(API, writes=True)
def sentry_create_is_idempotent(session: Session) -> None:
    """Creating a release again with the same projects answers 208 with the same release."""
    with _created_releases(session, 1) as (created,):
        response = session.post(
            _releases(session), json={"version": created["version"], "projects": [session.sandbox["project"]]}
        )
        session.expect_status(response, 208)
        if session.json_object(response).get("id") != created.get("id"):
            session.fail("the second create answers a different release", response)


def _expect_sentry_error(session: Session, response: httpx.Response, status: int, *, field: str | None = None) -> None:
    session.expect_status(response, status)
    expect_media_type(session, response, "application/json")
    body = session.json(response)
    if field is None:
        if not (isinstance(body, dict) and isinstance(body.get("detail"), str)):
            session.fail('a Sentry error is {"detail": "..."}', response)
    elif not (
        isinstance(body, dict) and isinstance(body.get(field), list) and all(isinstance(m, str) for m in body[field])
    ):
        session.fail(f'a rejected body field is {{"{field}": ["...", ...]}}', response)


@check(API)
def error_bodies_have_the_api_shape(session: Session) -> None:
    """Sentry errors are JSON: ``{"detail": "..."}``, or a list of messages per rejected body field."""
    _expect_sentry_error(session, session.get(_release(session, unique_name("missing"))), 404)
    _expect_sentry_error(session, session.get(_releases(session), params={"per_page": 0}), 400)
    _expect_sentry_error(session, session.get(_releases(session), authenticated=False), 401)
    if not session.read_only:
        body = {"version": "latest", "projects": [session.sandbox["project"]]}
        try:
            _expect_sentry_error(session, session.post(_releases(session), json=body), 400, field="version")
        finally:
            session.cleanup("DELETE", _release(session, "latest"))


@check(API)
def auth_is_required(session: Session) -> None:
    """Without a token, every operation answers 401."""
    with _created_releases(session, 0 if session.read_only else 1) as created:
        fresh = unique_name()
        values = {
            "organization_id_or_slug": session.sandbox["org"],
            "project_id_or_slug": session.sandbox["project"],
            "version": created[0]["version"] if created else unique_name("missing"),
            "file_id": "1",
        }
        bodies: dict[str, dict[str, t.Any]] = {
            "createOrganizationRelease": {"json": {"version": fresh, "projects": [session.sandbox["project"]]}},
            "updateOrganizationRelease": {"json": {"ref": "changed-without-credentials"}},
            "createOrganizationReleaseDeploy": {"json": {"environment": "production"}},
            "uploadOrganizationReleaseFile": {"files": {"file": ("probe.js", b"// probe\n", "text/javascript")}},
            "updateOrganizationReleaseFile": {"json": {"name": "changed-without-credentials"}},
        }
        try:
            probe_without_credentials(session, values, bodies, rejections=(401,))
        finally:
            if created:
                session.cleanup("DELETE", _release(session, fresh))


class _Sandbox:
    """Releases of the sandbox organization, open and archived."""

    def snapshot(self, session: Session) -> set[str]:
        versions: set[str] = set()
        for status in ("open", "archived"):
            cursor = ""
            for _ in range(MAX_PAGES * 10):
                params = {"status": status, "per_page": 100, **({"cursor": cursor} if cursor else {})}
                response = session.get(_releases(session), params=params)
                if response.status_code != 200:
                    break
                versions |= {str(item.get("version")) for item in session.json_list(response) if isinstance(item, dict)}
                try:
                    after = parse_links(response.headers.get("Link", "")).get("next")
                except MalformedLink:
                    break
                if after is None or after.params.get("results") != "true":
                    break
                cursor = after.params.get("cursor", "")
        return versions

    def remove(self, session: Session, keys: set[str]) -> None:
        for version in keys:
            session.cleanup("DELETE", _release(session, version))


inventory(API, _Sandbox())


@check(API)
def answers_carry_the_services_headers(session: Session) -> None:
    """Every endpoint answer carries Sentry's security headers, ``Allow`` and CORS headers for the request's origin
    (exposing ``Link``); ``OPTIONS`` is answered before authentication; HEAD is GET without a body."""
    response = session.get(_releases(session), params={"per_page": 1}, headers={"Origin": ORIGIN})
    session.expect_status(response, 200)
    expect_headers(
        session,
        response,
        {
            "X-Frame-Options": "deny",
            "X-Content-Type-Options": "nosniff",
            "Access-Control-Allow-Origin": ORIGIN,
            "Allow": None,
        },
    )
    allowed = [method.strip() for method in response.headers["allow"].split(",")]
    if not {"GET", "HEAD", "OPTIONS"} <= set(allowed):
        session.fail(f"Allow lists {allowed}: GET, HEAD and OPTIONS are served by every list endpoint", response)
    expect_exposed(session, response, ("Link",))
    expect_head_is_get(session, _releases(session), {"per_page": 1}, ("link",))
    if not session.read_only:
        preflight = session.request("OPTIONS", _releases(session), authenticated=False, headers={"Origin": ORIGIN})
        session.expect_status(preflight, 200)
        expect_headers(session, preflight, {"Access-Control-Allow-Origin": ORIGIN, "Access-Control-Max-Age": None})
