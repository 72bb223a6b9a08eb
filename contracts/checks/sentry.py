"""Sentry's semantic checks: cursor pagination, date order, create/update/delete, idempotent create, errors, auth."""

from __future__ import annotations

import contextlib
import hashlib
import math
import time
import typing as t
import uuid

import httpx

from ..artifact_bundle import artifact_bundle, checksum, chunks_of
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
    """The organization's lists come newest ``dateCreated`` first (by default and with ``sort=date``); a
    project's list comes most recently released first, a release not yet released counting by its creation."""
    with _created_releases(session, 0 if session.read_only else 3):
        for path, params, fields in (
            (_releases(session), {}, ("dateCreated",)),
            (_releases(session), {"sort": "date"}, ("dateCreated",)),
            (_project_releases(session), {}, ("dateReleased", "dateCreated")),
        ):
            response = session.get(path, params={**params, "per_page": 100})
            session.expect_status(response, 200)
            keys = [
                next((timestamp(item.get(field)) for field in fields if item.get(field) is not None), None)
                for item in session.json_list(response)
            ]
            if None in keys:
                session.fail(f"a release has no readable {' or '.join(fields)}", response)
            index = first_disorder(keys, descending=True)
            if index is not None:
                session.fail(f"release {index} is newer than the one before it ({' else '.join(fields)})", response)


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


ASSEMBLE_POLLS = 20


def _assembled_bundle(session: Session, version: str, file_count: int) -> None:
    """A bundle for ``version`` through chunk upload and assemble: ``not_found`` naming every chunk,
    then, once they are uploaded, ``created`` (or already further) and in the end ``ok``."""
    org = segment(session.sandbox["org"])
    assemble_path = f"/organizations/{org}/artifactbundle/assemble/"
    content = artifact_bundle(session.sandbox["org"], version, file_count)
    parts = chunks_of(content)
    names = [name for name, _ in parts]
    body = {
        "checksum": checksum(content),
        "chunks": names,
        "projects": [session.sandbox["project"]],
        "version": version,
    }
    response = session.post(assemble_path, json=body)
    session.expect_status(response, 200)
    answer = session.json_object(response)
    if answer.get("state") != "not_found" or sorted(answer.get("missingChunks") or []) != sorted(set(names)):
        session.fail(f"before any chunk was uploaded the assemble answered {answer}", response)
    response = session.post(f"/organizations/{org}/chunk-upload/", files=[("file", part) for part in parts])
    session.expect_status(response, 200)
    states = []
    for attempt in range(ASSEMBLE_POLLS):
        if attempt > 1:  # Sentry assembles in a task: give it time, after one quick look
            time.sleep(0.5)
        response = session.post(assemble_path, json=body)
        session.expect_status(response, 200)
        answer = session.json_object(response)
        states.append(answer.get("state"))
        if answer.get("missingChunks"):
            session.fail(f"every chunk was uploaded, yet the assemble still misses {answer['missingChunks']}", response)
        if answer.get("state") in ("ok", "error", "not_found"):
            break
    if states[0] not in ("created", "assembling", "ok") or states[-1] != "ok":
        session.fail(
            f"with every chunk uploaded the assemble answered the states {states}, not created then ok", response
        )


def _bundles_of(session: Session, version: str) -> tuple[httpx.Response, list[dict[str, t.Any]]]:
    """The sandbox project's bundles bound to ``version`` (without a dist)."""
    org = segment(session.sandbox["org"])
    project = f"/projects/{org}/{segment(session.sandbox['project'])}"
    response = session.get(f"{project}/files/artifact-bundles/", params={"query": version, "per_page": 100})
    session.expect_status(response, 200)
    listed = [
        item
        for item in session.json_list(response)
        if isinstance(item, dict) and {"release": version, "dist": None} in (item.get("associations") or [])
    ]
    return response, listed


@check(API, writes=True)
def assemble_waits_for_every_chunk(session: Session) -> None:
    """An assemble names the chunks it lacks (``not_found``); once they are uploaded it is ``created``,
    then ``ok``; the release's meta counts the bundle's files, and the project lists the bundle."""
    with _created_releases(session, 1) as (created,):
        version = created["version"]
        file_count = 2
        _assembled_bundle(session, version, file_count)
        response = session.get(f"{_release(session, version)}meta/")
        session.expect_status(response, 200)
        meta = session.json_object(response)
        if (meta.get("releaseFileCount"), meta.get("isArtifactBundle")) != (file_count, True):
            session.fail(
                f"the release's meta counts {meta.get('releaseFileCount')} files (isArtifactBundle "
                f"{meta.get('isArtifactBundle')}) after a bundle of {file_count} was assembled for it",
                response,
            )
        response, listed = _bundles_of(session, version)
        if [item.get("fileCount") for item in listed] != [file_count]:
            session.fail(
                f"the project's bundles bound to {version} are {listed}, not one of {file_count} files", response
            )


@check(API, writes=True)
def deleted_bundle_leaves_the_project(session: Session) -> None:
    """A bundle deleted by its ID is no longer the project's nor counted by its release; deleting it
    again is a success that changes nothing, and a delete naming no bundle is a 404."""
    path = f"/projects/{segment(session.sandbox['org'])}/{segment(session.sandbox['project'])}/files/artifact-bundles/"
    with _created_releases(session, 1) as (created,):
        version = created["version"]
        _assembled_bundle(session, version, 1)
        response, listed = _bundles_of(session, version)
        if len(listed) != 1 or not isinstance(listed[0].get("bundleId"), str):
            session.fail(f"the project's bundles bound to {version} are {listed}, not the one assembled", response)
        bundle_id = listed[0]["bundleId"]
        for attempt in ("first", "again"):
            response = session.delete(path, params={"bundleId": bundle_id})
            if response.status_code != 204:
                session.fail(f"deleting bundle {bundle_id} ({attempt}) answered {response.status_code}", response)
        response, listed = _bundles_of(session, version)
        if listed:
            session.fail(f"bundle {bundle_id} was deleted, yet the project lists {listed}", response)
        response = session.get(f"{_release(session, version)}meta/")
        session.expect_status(response, 200)
        if session.json_object(response).get("isArtifactBundle") is not False:
            session.fail(f"bundle {bundle_id} was deleted, yet the release's meta still counts a bundle", response)
        response = session.delete(path)
        session.expect_status(response, 404)
        if not isinstance(session.json_object(response).get("error"), str):
            session.fail("a delete naming no bundle did not word its refusal under `error`", response)


@check(API, writes=True)
def project_create_reports_new_links(session: Session) -> None:
    """A project's create answers 201 when it links the project (a new release, or one of the organization's
    not yet in the project) and 208 when the release already belongs to it; either way the same release."""
    version = unique_name()
    path = f"{_project_releases(session)}{segment(version)}/"
    try:
        created = session.post(_project_releases(session), json={"version": version})
        session.expect_status(created, 201)
        again = session.post(_project_releases(session), json={"version": version})
        session.expect_status(again, 208)
        if session.json_object(again).get("id") != session.json_object(created).get("id"):
            session.fail("the second create answers a different release", again)
        fetched = session.get(path)
        session.expect_status(fetched, 200)
        if session.json_object(fetched).get("id") != session.json_object(created).get("id"):
            session.fail("the project's endpoint answers a different release than it created", fetched)
        deleted = session.delete(path)
        session.expect_status(deleted, 204)
        session.expect_status(session.get(_release(session, version)), 404)
        # A release of the organization that the project does not have yet: linking it is new, so 201.
        other = unique_name()
        try:
            unlinked = session.post(_releases(session), json={"version": other, "projects": []})
            session.expect_status(unlinked, 201)
            linked = session.post(_project_releases(session), json={"version": other})
            session.expect_status(linked, 201)
            if session.json_object(linked).get("id") != session.json_object(unlinked).get("id"):
                session.fail("linking an organization's release answers a different release", linked)
        finally:
            session.cleanup("DELETE", _release(session, other))
    finally:
        session.cleanup("DELETE", _release(session, version))


@check(API)
def release_search_reads_keys(session: Session) -> None:
    """The organization's ``query`` is Sentry's release search: ``release:`` is the exact version (with
    ``*`` wildcards), a key Sentry does not know is 400 naming it; a project's ``query`` is a part of
    the version, whatever the case."""
    key = unique_name("nokey").replace("-", "_")
    response = session.get(_releases(session), params={"query": f"{key}:1"})
    _expect_sentry_error(session, response, 400)
    if session.json_object(response).get("detail") != f"Invalid key for this search: {key}":
        session.fail(f"an unknown key answers {response.text[:200]!r}", response)
    with _created_releases(session, 0 if session.read_only else 2, suffix="@1.0.0") as created:
        for release in created:
            version = release["version"]
            for params in ({"query": f"release:{version}"}, {"query": f"release:{version[:-3]}*"}):
                found = session.get(_releases(session), params={**params, "per_page": 100})
                session.expect_status(found, 200)
                versions = [item.get("version") for item in session.json_list(found)]
                if versions != [version]:
                    session.fail(f"{params['query']} lists {versions}, not [{version!r}]", found)
            middle = version[2:-6].upper()
            found = session.get(_project_releases(session), params={"query": middle, "per_page": 100})
            session.expect_status(found, 200)
            if version not in [item.get("version") for item in session.json_list(found)]:
                session.fail(f"the project's list with query={middle} leaves out {version}", found)


@check(API, writes=True)
def deploy_list_shows_the_last_deploy_per_environment(session: Session) -> None:
    """A release's deploys list, per environment, only the deploy recorded last, most recently finished first."""
    with _created_releases(session, 1) as (created,):
        path = f"{_release(session, created['version'])}deploys/"
        ids = []
        for environment, finished in (("staging", "2024-01-02T00:00:00Z"), ("staging", "2024-01-01T00:00:00Z")):
            response = session.post(path, json={"environment": environment, "dateFinished": finished})
            session.expect_status(response, 201)
            ids.append(session.json_object(response).get("id"))
        response = session.post(path, json={"environment": "production", "dateFinished": "2024-01-03T00:00:00Z"})
        session.expect_status(response, 201)
        ids.append(session.json_object(response).get("id"))
        listed = session.get(path)
        session.expect_status(listed, 200)
        found = [item.get("id") for item in session.json_list(listed)]
        if found != [ids[2], ids[1]]:
            session.fail(f"the deploys listed are {found}, not the last per environment {[ids[2], ids[1]]}", listed)


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
            "bundle_id": str(uuid.uuid4()),
        }
        bodies: dict[str, dict[str, t.Any]] = {
            "createOrganizationRelease": {"json": {"version": fresh, "projects": [session.sandbox["project"]]}},
            "updateOrganizationRelease": {"json": {"ref": "changed-without-credentials"}},
            "createOrganizationReleaseDeploy": {"json": {"environment": "production"}},
            "uploadOrganizationReleaseFile": {"files": {"file": ("probe.js", b"// probe\n", "text/javascript")}},
            "updateOrganizationReleaseFile": {"json": {"name": "changed-without-credentials"}},
            "uploadChunks": {"files": {"file": (hashlib.sha1(b"probe").hexdigest(), b"probe")}},
            "assembleArtifactBundle": {
                "json": {"checksum": "0" * 40, "chunks": [], "projects": [session.sandbox["project"]]}
            },
            "createProjectRelease": {"json": {"version": fresh}},
            "updateProjectRelease": {"json": {"ref": "changed-without-credentials"}},
            "uploadProjectReleaseFile": {"files": {"file": ("probe.js", b"// probe\n", "text/javascript")}},
            "updateProjectReleaseFile": {"json": {"name": "changed-without-credentials"}},
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
