"""GitLab's semantic checks: offset pagination headers, order, create/update/delete, error shapes, auth."""

from __future__ import annotations

import contextlib
import math
import typing as t

import httpx

from ..links import MalformedLink, parse_links
from ..operations import segment
from ..session import Session
from . import check, inventory
from ._shared import expect_media_type, first_disorder, probe_without_credentials, timestamp, unique_name
from ._wire import ORIGIN, expect_exposed, expect_head_is_get, expect_headers

API = "gitlab"
MAX_PAGES = 10
"""A walk through a list stops here: a real project may hold thousands of releases."""
COUNT_LIMIT = 10_000
"""GitLab counts a list only up to here: past it, X-Total and X-Total-Pages are left out (and rel="last")."""

Release = dict[str, t.Any]


def _project(session: Session) -> str:
    return f"/projects/{segment(session.sandbox['project'])}"


def _release(session: Session, tag: str) -> str:
    return f"{_project(session)}/releases/{segment(tag)}"


@contextlib.contextmanager
def _created_releases(session: Session, count: int, **fields: t.Any) -> t.Iterator[list[Release]]:
    """``count`` new releases (and their tags) in the sandbox project, deleted on the way out whatever happened.

    ``fields`` holds a list of values per release field, e.g. ``released_at=[...]``.
    """
    tags = [unique_name() for _ in range(count)]
    created: list[Release] = []
    try:
        if count:
            ref = _default_branch(session)
        for index, tag in enumerate(tags):
            body = {"tag_name": tag, "ref": ref, "name": f"Contract {tag}", "description": f"Made by {session.check}"}
            body.update({name: values[index] for name, values in fields.items()})
            response = session.post(f"{_project(session)}/releases", json=body)
            session.expect_status(response, 201)
            created.append(session.json_object(response))
        yield created
    finally:
        for tag in tags:
            session.cleanup("DELETE", _release(session, tag))
            session.cleanup("DELETE", f"{_project(session)}/repository/tags/{segment(tag)}")


def _default_branch(session: Session) -> str:
    response = session.get(_project(session))
    session.expect_status(response, 200)
    branch = session.json_object(response).get("default_branch")
    if not isinstance(branch, str) or not branch:
        session.fail("the sandbox project has no default branch to create tags from", response)
    return branch


def _list_all(session: Session, **params: t.Any) -> list[Release]:
    """Every release of the sandbox project (up to ``MAX_PAGES`` pages of 100), following ``X-Next-Page``."""
    releases: list[Release] = []
    page = "1"
    for _ in range(MAX_PAGES):
        response = session.get(f"{_project(session)}/releases", params={**params, "per_page": 100, "page": page})
        session.expect_status(response, 200)
        releases += session.json_list(response)
        page = response.headers.get("X-Next-Page", "")
        if not page:
            break
    return releases


def _header_number(session: Session, response: httpx.Response, name: str, *, optional: bool = False) -> int | None:
    text = response.headers.get(name)
    if text is None:
        if optional:
            return None
        session.fail(f"the {name} header is missing", response)
    if text == "":
        return None
    if not text.isdigit():
        session.fail(f"{name} is {text!r}, not a number", response)
    return int(text)


def _walk_pages(session: Session, per_page: int) -> list[str]:
    """Page through the sandbox's releases checking every header of every page; the tags in page order."""
    tags: list[str] = []
    params: dict[str, t.Any] = {"per_page": per_page}
    for number in range(1, MAX_PAGES + 1):
        response = session.get(f"{_project(session)}/releases", params=params)
        session.expect_status(response, 200)
        items = session.json_list(response)
        tags += [str(item.get("tag_name")) for item in items if isinstance(item, dict)]
        total = _header_number(session, response, "X-Total", optional=True)
        total_pages = _header_number(session, response, "X-Total-Pages", optional=True)
        if (total is None) != (total_pages is None):
            session.fail(
                "X-Total and X-Total-Pages must come together (both left out only past 10,000 items)", response
            )
        if _header_number(session, response, "X-Page") != number:
            session.fail(f"X-Page is {response.headers.get('X-Page')!r} on page {number}", response)
        if _header_number(session, response, "X-Per-Page") != per_page:
            session.fail(
                f"X-Per-Page is {response.headers.get('X-Per-Page')!r}; per_page={per_page} was asked", response
            )
        if total is not None and total_pages != max(1, math.ceil(total / per_page)):
            session.fail(
                f"X-Total-Pages is {total_pages}, but X-Total {total} / {per_page} a page needs that many", response
            )
        next_page = _header_number(session, response, "X-Next-Page")
        prev_page = _header_number(session, response, "X-Prev-Page")
        last = next_page is None
        if total_pages is not None and last != (number >= total_pages):
            session.fail(f"page {number} of {total_pages}: X-Next-Page is {next_page!r}", response)
        if not last and next_page != number + 1:
            session.fail(f"X-Next-Page is {next_page} on page {number}", response)
        if prev_page != (number - 1 if number > 1 else None):
            session.fail(f"X-Prev-Page is {prev_page!r} on page {number}", response)
        if len(items) > per_page or (not last and len(items) != per_page):
            session.fail(f"page {number} holds {len(items)} items with per_page={per_page}", response)
        _check_links(session, response, number=number, last=last, total_pages=total_pages)
        if last and total is None and (number - 1) * per_page + len(items) <= COUNT_LIMIT:
            counted = (number - 1) * per_page + len(items)
            session.fail(
                f"X-Total and X-Total-Pages are missing on the last page of {counted} releases; GitLab leaves them"
                f" out only past {COUNT_LIMIT:,} items",
                response,
            )
        if last:
            if total is not None and number == math.ceil(total / per_page) and len(tags) != total:
                session.fail(f"the pages held {len(tags)} releases, X-Total says {total}", response)
            break
        params = {"per_page": per_page, "page": number + 1}
    if len(set(tags)) != len(tags):
        session.fail(f"a release appears on two pages: {tags}")
    return tags


def _check_links(
    session: Session, response: httpx.Response, *, number: int, last: bool, total_pages: int | None
) -> None:
    try:
        links = parse_links(response.headers.get("Link", ""))
    except MalformedLink as error:
        session.fail(f"the Link header does not parse: {error}", response)
    expected = {"first": 1, "prev": number - 1 if number > 1 else None, "next": None if last else number + 1}
    if total_pages is not None:
        expected["last"] = total_pages
    for rel, page in expected.items():
        link = links.get(rel)
        if page is None and link is not None:
            session.fail(f'page {number} has a rel="{rel}" link it should not have', response)
        if page is not None:
            if link is None:
                session.fail(f'page {number} has no rel="{rel}" link', response)
            if link.query.get("page") != str(page):
                session.fail(f'rel="{rel}" points to page {link.query.get("page")!r}, not {page}', response)


def _expect_beyond_count_limit(session: Session, uncounted: httpx.Response) -> None:
    """A list without X-Total must hold more than ``COUNT_LIMIT`` items: the page after that many has some."""
    page = COUNT_LIMIT // 100 + 1
    response = session.get(f"{_project(session)}/releases", params={"per_page": 100, "page": page})
    session.expect_status(response, 200)
    if not session.json_list(response):
        session.fail(
            f"X-Total and X-Total-Pages are missing, yet page {page} of 100 is empty: the list holds no more than"
            f" {COUNT_LIMIT:,} releases, so GitLab would count them",
            uncounted,
        )


@check(API)
def pagination_headers_consistency(session: Session) -> None:
    """X-Total, X-Total-Pages, X-Per-Page, X-Page, X-Next-Page, X-Prev-Page and Link agree with the items."""
    with _created_releases(session, 0 if session.read_only else 3):
        # Small pages, but few enough of them to reach the last one when the project is not huge.
        first = session.get(f"{_project(session)}/releases", params={"per_page": 1})
        session.expect_status(first, 200)
        total = _header_number(session, first, "X-Total", optional=True)
        if total is None:
            _expect_beyond_count_limit(session, first)
        total = total or 0
        paged = _walk_pages(session, per_page=min(100, max(2, math.ceil(total / MAX_PAGES))))
        if len(paged) <= 100:
            whole = [item.get("tag_name") for item in _list_all(session)]
            if whole[: len(paged)] != paged:
                session.fail(f"small pages give {paged}, one page of 100 gives {whole}")


@check(API)
def list_order_honours_sort(session: Session) -> None:
    """``order_by`` (released_at, created_at) and ``sort`` (asc, desc) order the list; by default released_at desc."""
    released = ["2001-01-01T00:00:00Z", "2003-01-01T00:00:00Z", "2002-01-01T00:00:00Z"]
    with _created_releases(session, 0 if session.read_only else 3, released_at=released):
        for order_by, sort in [(None, None), *((o, s) for o in ("released_at", "created_at") for s in ("asc", "desc"))]:
            params = {key: value for key, value in (("order_by", order_by), ("sort", sort)) if value}
            response = session.get(f"{_project(session)}/releases", params={**params, "per_page": 100})
            session.expect_status(response, 200)
            field = order_by or "released_at"
            keys = [timestamp(item.get(field)) for item in session.json_list(response)]
            if None in keys:
                session.fail(f"a release has no readable {field}", response)
            index = first_disorder(keys, descending=(sort or "desc") == "desc")
            if index is not None:
                session.fail(f"with {params or 'no parameters'} release {index} is out of {field} order", response)


@check(API, writes=True)
def created_release_is_retrievable_and_listed(session: Session) -> None:
    with _created_releases(session, 1) as (created,):
        tag = created["tag_name"]
        response = session.get(_release(session, tag))
        session.expect_status(response, 200)
        fetched = session.json_object(response)
        for field in ("tag_name", "name", "description"):
            if fetched.get(field) != created.get(field):
                session.fail(f"{field} is {fetched.get(field)!r} on GET, {created.get(field)!r} on create", response)
        if tag not in [item.get("tag_name") for item in _list_all(session)]:
            session.fail(f"release {tag} is missing from the project's list")


@check(API, writes=True)
def update_is_visible(session: Session) -> None:
    with _created_releases(session, 1) as (created,):
        change = {"name": f"Renamed {created['tag_name']}", "description": "Updated by update_is_visible"}
        updated = session.put(_release(session, created["tag_name"]), json=change)
        session.expect_status(updated, 200)
        fetched = session.get(_release(session, created["tag_name"]))
        session.expect_status(fetched, 200)
        for response in (updated, fetched):
            answer = session.json_object(response)
            for field, value in change.items():
                if answer.get(field) != value:
                    session.fail(f"{field} is {answer.get(field)!r} after the update set {value!r}", response)


@check(API, writes=True)
def deleted_release_is_gone(session: Session) -> None:
    with _created_releases(session, 1) as (created,):
        tag = created["tag_name"]
        response = session.delete(_release(session, tag))
        session.expect_status(response, 200)
        if session.json_object(response).get("tag_name") != tag:
            session.fail("DELETE does not answer with the deleted release", response)
        response = session.get(_release(session, tag))
        session.expect_status(response, 404)
        if tag in [item.get("tag_name") for item in _list_all(session)]:
            session.fail(f"release {tag} is still listed after DELETE")


@contextlib.contextmanager
def _created_milestones(session: Session, *titles: str) -> t.Iterator[list[dict[str, t.Any]]]:
    """Milestones with these titles in the sandbox project, deleted on the way out whatever happened."""
    created: list[dict[str, t.Any]] = []
    try:
        for title in titles:
            response = session.post(f"{_project(session)}/milestones", json={"title": title})
            session.expect_status(response, 201)
            created.append(session.json_object(response))
        yield created
    finally:
        for milestone in created:
            session.cleanup("DELETE", f"{_project(session)}/milestones/{milestone.get('id')}")


def _milestone_titles(session: Session, **params: t.Any) -> list[t.Any]:
    response = session.get(f"{_project(session)}/milestones", params={**params, "per_page": 100})
    session.expect_status(response, 200)
    return [item.get("title") for item in session.json_list(response) if isinstance(item, dict)]


@check(API, writes=True)
def milestone_filters_select_what_they_name(session: Session) -> None:
    """``title`` matches exactly (what release-it asks before a release), ``search`` matches a part,
    ``state`` follows a close; the created milestone reads back the same."""
    title = unique_name("milestone")
    with _created_milestones(session, title, f"{title}-longer") as (exact, longer):
        fetched = session.get(f"{_project(session)}/milestones/{exact.get('id')}")
        session.expect_status(fetched, 200)
        if session.json_object(fetched) != exact:
            session.fail("the milestone reads back differently from how its create answered", fetched)
        if _milestone_titles(session, title=title) != [title]:
            session.fail(
                f"title={title} must list exactly that milestone, listed {_milestone_titles(session, title=title)}"
            )
        if sorted(_milestone_titles(session, search=title)) != sorted([title, f"{title}-longer"]):
            session.fail(f"search={title} must list both milestones whose title contains it")
        closed = session.put(f"{_project(session)}/milestones/{longer.get('id')}", json={"state_event": "close"})
        session.expect_status(closed, 200)
        if session.json_object(closed).get("state") != "closed":
            session.fail("state_event=close does not close the milestone", closed)
        if f"{title}-longer" in _milestone_titles(session, state="active", search=title):
            session.fail("a closed milestone is listed with state=active")
        if _milestone_titles(session, state="closed", search=title) != [f"{title}-longer"]:
            session.fail("state=closed does not list exactly the closed milestone")


@check(API)
def member_level_matches_project_access(session: Session) -> None:
    """``/members/all/:user_id`` for the caller gives the level ``GET /projects/:id`` reports (release-it's check)."""
    user = session.get("/user")
    session.expect_status(user, 200)
    user_id = session.json_object(user).get("id")
    project = session.get(_project(session))
    session.expect_status(project, 200)
    permissions = session.json_object(project).get("permissions") or {}
    levels = [
        access["access_level"]
        for access in (permissions.get("project_access"), permissions.get("group_access"))
        if isinstance(access, dict) and isinstance(access.get("access_level"), int)
    ]
    member = session.get(f"{_project(session)}/members/all/{user_id}")
    if not levels:
        _expect_gitlab_error(session, member, 404)
        return
    session.expect_status(member, 200)
    answer = session.json_object(member)
    level = max(levels)
    if answer.get("id") != user_id or answer.get("access_level") != level:
        found = f"member {answer.get('id')} at level {answer.get('access_level')}"
        session.fail(f"{found}; the project says {user_id} at {level}", member)
    listed = session.get(f"{_project(session)}/members/all", params={"user_ids": str(user_id)})
    session.expect_status(listed, 200)
    if [item.get("access_level") for item in session.json_list(listed)] != [level]:
        session.fail("the member list filtered to the caller does not show the caller's level", listed)


@check(API)
def compare_lists_the_commits_between_refs(session: Session) -> None:
    """A ref compared with itself has no commits; ``commit`` is the last of ``commits``; an unknown ref is a 404."""
    branch = _default_branch(session)
    path = f"{_project(session)}/repository/compare"
    same = session.get(path, params={"from": branch, "to": branch})
    session.expect_status(same, 200)
    answer = session.json_object(same)
    if answer.get("commits") != [] or answer.get("commit") is not None or answer.get("compare_same_ref") is not True:
        session.fail("comparing a branch with itself must give no commits and compare_same_ref true", same)
    tags = session.get(f"{_project(session)}/repository/tags", params={"per_page": 100})
    session.expect_status(tags, 200)
    for tag in session.json_list(tags)[:5]:
        name = tag.get("name") if isinstance(tag, dict) else None
        if not isinstance(name, str):
            continue
        response = session.get(path, params={"from": name, "to": branch})
        session.expect_status(response, 200)
        body = session.json_object(response)
        commits = [commit.get("id") for commit in body.get("commits") or []]
        if len(set(commits)) != len(commits):
            session.fail(f"from {name} to {branch}: a commit is listed twice", response)
        if (body.get("commit") or {}).get("id") != (commits[-1] if commits else None):
            session.fail(f"from {name} to {branch}: commit is not the last of commits", response)
        backwards = session.get(path, params={"from": branch, "to": name})
        session.expect_status(backwards, 200)
        if set(commits) & {commit.get("id") for commit in session.json_object(backwards).get("commits") or []}:
            session.fail(f"a commit is both after {name} and after {branch}", backwards)
    _expect_gitlab_error(session, session.get(path, params={"from": branch, "to": unique_name("no-such-ref")}), 404)


def _expect_gitlab_error(session: Session, response: httpx.Response, status: int) -> None:
    session.expect_status(response, status)
    expect_media_type(session, response, "application/json")
    body = session.json(response)
    if not (
        isinstance(body, dict)
        and (isinstance(body.get("message"), str | dict | list) or isinstance(body.get("error"), str))
    ):
        session.fail('a GitLab error is {"message": ...} or {"error": "..."}', response)


@check(API)
def error_bodies_have_the_api_shape(session: Session) -> None:
    """GitLab errors are JSON objects with ``message`` (its own rules) or ``error`` (parameters, routing)."""
    _expect_gitlab_error(session, session.get(_release(session, unique_name("missing"))), 404)
    response = session.get(f"{_project(session)}/releases", params={"order_by": "no-such-field"})
    _expect_gitlab_error(session, response, 400)
    _expect_gitlab_error(session, session.get(f"/projects/{segment(unique_name('missing') + '/nope')}"), 404)
    _expect_gitlab_error(session, session.get("/user", authenticated=False), 401)
    if not session.read_only:
        _expect_gitlab_error(session, session.post(f"{_project(session)}/releases", json={}), 400)


@check(API)
def auth_is_required(session: Session) -> None:
    """Without a token, every operation that needs one answers 401 (or 403/404 where GitLab hides the project)."""
    with _created_releases(session, 0 if session.read_only else 1) as created:
        # A milestone id no milestone has: a write without credentials must not reach anything.
        values = {
            "id": session.sandbox["project"],
            "tag_name": unique_name(),
            "link_id": "1",
            "milestone_id": "987654321",
            "user_id": "1",
            "package_name": unique_name(),
            "package_version": "1.0.0",
            "file_name": "probe.txt",
        }
        # Files sent without credentials are never kept: well formed, so only the credentials can fail.
        bodies: dict[str, dict[str, t.Any]] = {
            "createProjectUpload": {"files": {"file": ("probe.txt", b"probe")}},
            "uploadGenericPackageFile": {"content": b"probe"},
        }
        fresh = ""
        if created:
            tag = created[0]["tag_name"]
            response = session.post(
                f"{_release(session, tag)}/assets/links", json={"name": "probe", "url": "https://example.com/probe"}
            )
            session.expect_status(response, 201)
            values.update(tag_name=tag, link_id=str(session.json_object(response).get("id")))
            fresh, ref = unique_name(), _default_branch(session)
            bodies |= {
                "createRepositoryTag": {"json": {"tag_name": fresh, "ref": ref}},
                "createRelease": {"json": {"tag_name": fresh, "ref": ref}},
                "updateRelease": {"json": {"name": "changed without credentials"}},
                "createReleaseLink": {"json": {"name": fresh, "url": f"https://example.com/{fresh}"}},
                "updateReleaseLink": {"json": {"name": fresh}},
                "createProjectMilestone": {"json": {"title": fresh}},
                "updateProjectMilestone": {"json": {"title": fresh}},
            }
        try:
            probe_without_credentials(session, values, bodies, rejections=(401, 403, 404))
        finally:
            if fresh:
                session.cleanup("DELETE", _release(session, fresh))
                session.cleanup("DELETE", f"{_project(session)}/repository/tags/{segment(fresh)}")


class _Sandbox:
    """Releases, tags and milestones of the sandbox project."""

    def snapshot(self, session: Session) -> set[str]:
        keys = {f"release:{item.get('tag_name')}" for item in _list_all(session)}
        milestones = session.get(f"{_project(session)}/milestones", params={"per_page": 100})
        if milestones.status_code == 200:
            keys |= {f"milestone:{item.get('id')}" for item in session.json_list(milestones) if isinstance(item, dict)}
        page = "1"
        for _ in range(MAX_PAGES):
            response = session.get(f"{_project(session)}/repository/tags", params={"per_page": 100, "page": page})
            if response.status_code != 200:
                break
            keys |= {f"tag:{item.get('name')}" for item in session.json_list(response) if isinstance(item, dict)}
            page = response.headers.get("X-Next-Page", "")
            if not page:
                break
        return keys

    def remove(self, session: Session, keys: set[str]) -> None:
        # Releases first: a tag with a release cannot go.
        for key in sorted(keys, key=lambda key: not key.startswith("release:")):
            kind, _, name = key.partition(":")
            paths = {
                "release": _release(session, name),
                "tag": f"{_project(session)}/repository/tags/{segment(name)}",
                "milestone": f"{_project(session)}/milestones/{name}",
            }
            session.cleanup("DELETE", paths[kind])


inventory(API, _Sandbox())


@check(API, writes=True)
def uploaded_files_come_back(session: Session) -> None:
    """A Markdown upload and a generic package file download again byte for byte; the upload's links agree.

    GitLab has no API to delete what this leaves in the sandbox project: one small upload and one
    package file per run, under names no other run uses.
    """
    content = bytes(range(256))
    name = unique_name()
    response = session.post(f"{_project(session)}/uploads", files={"file": (f"{name}.png", content)})
    session.expect_status(response, 201)
    upload = session.json_object(response)
    url = upload.get("url")
    if not isinstance(url, str) or not url.endswith(f"/{name}.png"):
        session.fail(f"the upload's url {url!r} does not end in the file's name", response)
    if upload.get("alt") != name or upload.get("markdown") != f"![{name}]({url})":
        session.fail("an image's alt is its name without extension, and markdown embeds it at url", response)
    if not str(upload.get("full_path", "")).endswith(url) or not str(upload.get("full_path")).startswith("/-/project/"):
        session.fail(f"full_path {upload.get('full_path')!r} is not the project-id form of {url!r}", response)
    fetched = session.get(f"{_project(session)}{url}")
    session.expect_status(fetched, 200)
    if fetched.content != content:
        session.fail("the upload downloads as other bytes than were uploaded", fetched)
    package_file = f"{_project(session)}/packages/generic/{name}/1.0.0/{name}.bin"
    published = session.put(package_file, content=content[::-1])
    session.expect_status(published, 201)
    if session.json_object(published) != {"message": "201 Created"}:
        session.fail('publishing without select answers {"message": "201 Created"}', published)
    fetched = session.get(package_file)
    session.expect_status(fetched, 200)
    if fetched.content != content[::-1]:
        session.fail("the package file downloads as other bytes than were published", fetched)


PAGE_HEADERS = ("Link", "X-Total", "X-Total-Pages", "X-Per-Page", "X-Page", "X-Next-Page", "X-Prev-Page")


@check(API)
def answers_carry_the_services_headers(session: Session) -> None:
    """Every answer has a correlation id (``X-Request-Id``, repeated in ``X-Gitlab-Meta``) and the API's security
    headers; to a page on any origin, CORS allows ``*`` and exposes the pagination headers; HEAD is GET without body."""
    response = session.get(f"{_project(session)}/releases", params={"per_page": 1}, headers={"Origin": ORIGIN})
    session.expect_status(response, 200)
    expect_headers(
        session,
        response,
        {
            "X-Request-Id": None,
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "SAMEORIGIN",
            "Access-Control-Allow-Origin": "*",
        },
    )
    meta = response.headers.get("x-gitlab-meta", "")
    if f'"correlation_id":"{response.headers["x-request-id"]}"' not in meta.replace(" ", ""):
        session.fail(f"X-Gitlab-Meta {meta!r} does not carry the answer's X-Request-Id", response)
    expect_exposed(session, response, PAGE_HEADERS)
    expect_head_is_get(session, f"{_project(session)}/releases", {"per_page": 1}, ("x-total", "x-next-page"))
