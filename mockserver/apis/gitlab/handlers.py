"""Thin GitLab handlers: unpack the call, one domain call, shape the reply. Registered in ``HANDLERS``."""

from __future__ import annotations

import datetime as dt
import typing as t

from ...clock import iso_stored, parse_iso
from ...errors import BadRequest, Forbidden, InvalidParameter, NotFound, Unauthorized
from ...exchange import Call, Reply, json_array, redirect
from ...store import Row
from . import compare, links, members, milestones, packages, releases, tags, uploads, views, wire
from .auth import (
    UNAUTHORIZED,
    Permissions,
    Principal,
    access_to_project,
    authenticate,
    find_group,
    find_project,
    project_access,
    require_write_scope,
)
from .state import REPORTER, GitLabState


class Scope(t.NamedTuple):
    state: GitLabState
    principal: Principal
    project: Row
    permissions: Permissions
    viewer: views.Viewer


def project_scope(call: Call, *, write: bool = False, release_first: bool = False, basic: bool = False) -> Scope:
    """Authenticate, find the project the caller may see, and work out their rights on it.

    ``release_first``: the release named by ``tag_name`` must exist before rights are checked,
    as in GitLab's links API, which looks the release up and then authorizes against it.
    ``basic``: a token may also come as the password of HTTP Basic credentials (package routes).
    """
    state = GitLabState(call.state)
    principal, project, permissions = access_to_project(state, call, basic=basic)
    if release_first and permissions.read_release and state.release(project["id"], call.params["tag_name"]) is None:
        raise NotFound(links.LINK_NOT_FOUND)
    if write:
        if principal.anonymous:
            raise Unauthorized(UNAUTHORIZED)
        permissions.require_write(principal)
    elif not permissions.read_release:
        raise Forbidden("403 Forbidden")
    viewer = views.Viewer(state, project, permissions, call.base_url, call.clock.now())
    return Scope(state, principal, project, permissions, viewer)


def _time_param(call: Call, name: str) -> str | None:
    """A moment in the query, in the stored form."""
    value = call.params.get(name)
    if value is None:
        return None
    try:
        return iso_stored(parse_iso(value))
    except ValueError:
        raise InvalidParameter("query", name, "invalid") from None
    except OverflowError:
        # In UTC the moment falls outside the years a datetime holds (0001-01-01T00:00+01:00):
        # GitLab reads it; it lies before, or after, every stored moment.
        edge = dt.datetime.min if value.startswith("0001") else dt.datetime.max
        return iso_stored(edge.replace(tzinfo=dt.UTC))


def get_current_user(call: Call) -> Reply:
    principal = authenticate(GitLabState(call.state), call, required=True)
    return Reply(views.current_user(principal.user or {}, call.base_url))


def get_project(call: Call) -> Reply:
    scope = project_scope(call)
    level = project_access(scope.state, scope.principal, scope.project)
    return Reply(views.project_view(scope.project, level, call.base_url, authenticated=not scope.principal.anonymous))


def require_sign_in(call: Call) -> None:
    """GitLab's ``authenticate!``: a caller without a token, or with a CI job token (which the routes
    behind it do not accept), is a 401."""
    principal = authenticate(GitLabState(call.state), call)
    if principal.anonymous or (principal.token is not None and principal.token["kind"] == "job"):
        raise Unauthorized(UNAUTHORIZED)


def signed_in_scope(call: Call, *, write: bool = False) -> Scope:
    """For routes behind GitLab's ``authenticate!``: ``require_sign_in``, before the project is looked up."""
    require_sign_in(call)
    scope = project_scope(call)
    if write:
        # Reporters and above manage milestones (GitLab's ``admin_milestone``).
        if project_access(scope.state, scope.principal, scope.project) < REPORTER:
            raise Forbidden("403 Forbidden")
        require_write_scope(scope.principal)
    return scope


def _milestone_reply(scope: Scope, call: Call, milestone: Row, status: int = 200) -> Reply:
    today = scope.viewer.today
    return Reply(milestones.milestone_view(milestone, call.base_url, today, scope.project), status=status)


def list_milestones(call: Call) -> Reply:
    scope = signed_in_scope(call)
    params = call.params
    if "include_ancestors" in params and "include_parent_milestones" in params:
        raise BadRequest({"error": "include_ancestors, include_parent_milestones are mutually exclusive"})
    filters = milestones.Filters(
        state=params.get("state") or "all",
        title=params.get("title"),
        search=params.get("search"),
        iids=(*(params.get("iids[]") or ()), *(params.get("iids") or ())),
        with_group=bool(params.get("include_ancestors") or params.get("include_parent_milestones")),
        updated_before=_time_param(call, "updated_before"),
        updated_after=_time_param(call, "updated_after"),
    )
    rows = milestones.list_milestones(scope.state, scope.project, filters)
    page = wire.paginate(call, len(rows))
    today = scope.viewer.today
    group = scope.state.group(scope.project.get("group_id"))
    items = [
        milestones.milestone_view(row, call.base_url, today, scope.project if "project_id" in row else group or {})
        for row in rows[page.offset : page.offset + page.per_page]
    ]
    return wire.paged_reply(call, items, page, route_params=["id"])


def get_milestone(call: Call) -> Reply:
    scope = signed_in_scope(call)
    return _milestone_reply(
        scope, call, milestones.find_milestone(scope.state, scope.project, call.params["milestone_id"])
    )


def create_milestone(call: Call) -> Reply:
    scope = signed_in_scope(call, write=True)
    milestone = milestones.create_milestone(scope.state, scope.project, call.body or {}, scope.viewer.now_stored)
    return _milestone_reply(scope, call, milestone, status=201)


def update_milestone(call: Call) -> Reply:
    scope = signed_in_scope(call, write=True)
    milestone = milestones.update_milestone(
        scope.state, scope.project, call.params["milestone_id"], call.body or {}, scope.viewer.now_stored
    )
    return _milestone_reply(scope, call, milestone)


def delete_milestone(call: Call) -> Reply:
    scope = signed_in_scope(call, write=True)
    milestones.delete_milestone(scope.state, scope.project, milestones.record_id(call.params["milestone_id"]))
    return Reply(None, status=204)


def _members_page(call: Call, *, inherited: bool) -> Reply:
    scope = signed_in_scope(call)
    found = members.project_members(scope.state, scope.project, inherited=inherited)
    found = members.filter_members(found, call.params.get("query"), set(call.params.get("user_ids") or ()))
    page = wire.paginate(call, len(found))
    items = [members.member_view(member, call.base_url) for member in found[page.offset : page.offset + page.per_page]]
    return wire.paged_reply(call, items, page, route_params=["id"])


def list_project_members(call: Call) -> Reply:
    return _members_page(call, inherited=False)


def list_all_project_members(call: Call) -> Reply:
    return _members_page(call, inherited=True)


def get_project_member(call: Call) -> Reply:
    scope = signed_in_scope(call)
    member = members.find_member(scope.state, scope.project, call.params["user_id"], inherited=False)
    return Reply(members.member_view(member, call.base_url))


def get_any_project_member(call: Call) -> Reply:
    scope = signed_in_scope(call)
    member = members.find_member(scope.state, scope.project, call.params["user_id"], inherited=True)
    return Reply(members.member_view(member, call.base_url))


def compare_repository(call: Call) -> Reply:
    scope = project_scope(call)
    scope.permissions.require_read_code()
    result = compare.compare(
        scope.state,
        scope.project,
        call.params["from"],
        call.params["to"],
        straight=bool(call.params.get("straight")),
        from_project_id=call.params.get("from_project_id"),
        project_param=call.params["id"],
    )
    commits = [
        views.commit_view(scope.state, scope.project, sha, call.base_url, scope.viewer.now) for sha in result.commits
    ]
    return Reply(
        {
            "commit": commits[-1] if commits else None,
            "commits": commits,
            "diffs": [],
            "compare_timeout": False,
            "compare_same_ref": result.same,
            "web_url": f"{scope.viewer.web_url}/-/compare/{result.base_sha}...{result.to_sha}",
        }
    )


def list_releases(call: Call) -> Reply:
    scope = project_scope(call)
    page = wire.paginate(call, 0)
    rows, total = releases.page_of_releases(
        scope.state,
        scope.project,
        order_by=call.params.get("order_by", "released_at"),
        sort=call.params.get("sort", "desc"),
        offset=page.offset,
        limit=page.per_page,
        updated_before=_time_param(call, "updated_before"),
        updated_after=_time_param(call, "updated_after"),
    )
    html = bool(call.params.get("include_html_description"))
    items = json_array([views.release_json(release, scope.viewer, html=html) for release in rows])
    return wire.paged_reply(call, items, wire.paginate(call, total), route_params=["id"])


def get_release(call: Call) -> Reply:
    scope = project_scope(call)
    scope.permissions.require_read_code()
    release = releases.find_release(scope.state, scope.project, call.params["tag_name"])
    return Reply(views.release_json(release, scope.viewer, html=bool(call.params.get("include_html_description"))))


def create_release(call: Call) -> Reply:
    scope = project_scope(call, write=True)
    author_id = scope.principal.user["id"] if scope.principal.user else None
    release = releases.create_release(scope.state, scope.project, author_id, call.body or {}, scope.viewer.now)
    return Reply(views.release_view(release, scope.viewer), status=201)


def update_release(call: Call) -> Reply:
    scope = project_scope(call, write=True)
    release = releases.update_release(
        scope.state, scope.project, call.params["tag_name"], call.body or {}, scope.viewer.now
    )
    return Reply(views.release_view(release, scope.viewer))


def delete_release(call: Call) -> Reply:
    scope = project_scope(call, write=True)
    release = releases.release_for_write(scope.state, scope.project, call.params["tag_name"])
    body = views.release_view(release, scope.viewer)
    releases.delete_release(scope.state, scope.project, call.params["tag_name"])
    return Reply(body)


def create_release_evidence(call: Call) -> Reply:
    scope = project_scope(call, write=True)
    releases.collect_evidence(scope.state, scope.project, call.params["tag_name"], scope.viewer.now)
    return Reply(202, status=202)


def get_latest_release(call: Call) -> Reply:
    scope = project_scope(call)
    scope.permissions.require_read_code()
    location = releases.latest_location(
        scope.state,
        scope.project,
        call.api_url,
        order_by=call.params.get("order_by", "released_at"),
        suffix=call.params.get("suffix_path"),
        query=call.query,
    )
    return redirect(location)


def download_release_asset(call: Call) -> Reply:
    scope = project_scope(call)
    scope.permissions.require_read_code()
    location = releases.asset_location(
        scope.state, scope.project, call.params["tag_name"], call.params["direct_asset_path"]
    )
    return redirect(location)


def list_group_releases(call: Call) -> Reply:
    state = GitLabState(call.state)
    principal = authenticate(state, call)
    group = find_group(state, principal, call.params["id"])
    now = call.clock.now()
    viewers = {}
    for project in state.projects_of_group(group["id"]):
        permissions = Permissions.of(state, principal, project)
        if permissions.read_release:
            viewers[project["id"]] = views.Viewer(state, project, permissions, call.base_url, now)
    page = wire.paginate(call, 0)
    rows, total = releases.group_page(
        state,
        [viewer.project for viewer in viewers.values()],
        sort=call.params.get("sort", "desc"),
        offset=page.offset,
        limit=page.per_page,
    )
    if call.params.get("simple"):
        items: t.Any = [views.basic_release_view(release, viewers[project["id"]]) for project, release in rows]
    else:
        items = json_array([views.release_json(release, viewers[project["id"]]) for project, release in rows])
    return wire.paged_reply(call, items, wire.paginate(call, total), route_params=["id"])


def list_release_links(call: Call) -> Reply:
    scope = project_scope(call)
    tag_name = call.params["tag_name"]
    if scope.state.release(scope.project["id"], tag_name) is None:
        raise NotFound(links.LINK_NOT_FOUND)
    items = views.release_links(scope.viewer, tag_name)
    page = wire.paginate(call, len(items))
    return wire.paged_reply(
        call, items[page.offset : page.offset + page.per_page], page, route_params=["id", "tag_name"]
    )


def get_release_link(call: Call) -> Reply:
    scope = project_scope(call)
    link = links.find_link(scope.state, scope.project, call.params["tag_name"], call.params["link_id"])
    return Reply(views.link_view(link, call.params["tag_name"], scope.viewer))


def create_release_link(call: Call) -> Reply:
    scope = project_scope(call, write=True, release_first=True)
    link = links.create_link(
        scope.state, scope.project, call.params["tag_name"], call.body or {}, scope.viewer.now_stored
    )
    return Reply(views.link_view(link, call.params["tag_name"], scope.viewer), status=201)


def update_release_link(call: Call) -> Reply:
    scope = project_scope(call, write=True, release_first=True)
    link = links.update_link(
        scope.state, scope.project, call.params["tag_name"], call.params["link_id"], call.body or {}
    )
    return Reply(views.link_view(link, call.params["tag_name"], scope.viewer))


def delete_release_link(call: Call) -> Reply:
    scope = project_scope(call, write=True, release_first=True)
    link = links.delete_link(scope.state, scope.project, call.params["tag_name"], call.params["link_id"])
    return Reply(views.link_view(link, call.params["tag_name"], scope.viewer))


def list_repository_tags(call: Call) -> Reply:
    scope = project_scope(call)
    scope.permissions.require_read_code()
    rows = tags.list_tags(
        scope.state,
        scope.project,
        order_by=call.params.get("order_by", "updated"),
        sort=call.params.get("sort", "desc"),
        search=call.params.get("search"),
    )
    page = wire.paginate(call, len(rows))
    items = [
        views.tag_view(scope.state, tag, scope.project, call.base_url, scope.viewer.now)
        for tag in rows[page.offset : page.offset + page.per_page]
    ]
    return wire.paged_reply(call, items, page, route_params=["id"])


def get_repository_tag(call: Call) -> Reply:
    scope = project_scope(call)
    scope.permissions.require_read_code()
    tag = tags.find_tag(scope.state, scope.project, call.params["tag_name"])
    return Reply(views.tag_view(scope.state, tag, scope.project, call.base_url, scope.viewer.now))


def create_repository_tag(call: Call) -> Reply:
    scope = project_scope(call, write=True)
    body = call.body or {}
    target = tags.check_new_tag(scope.state, scope.project, body["tag_name"], body.get("ref"))
    tag = tags.add_tag(
        scope.state, scope.project, body["tag_name"], target, body.get("message"), scope.viewer.now_stored
    )
    return Reply(views.tag_view(scope.state, tag, scope.project, call.base_url, scope.viewer.now), status=201)


def delete_repository_tag(call: Call) -> Reply:
    scope = project_scope(call, write=True)
    tags.delete_tag(scope.state, scope.project, call.params["tag_name"])
    return Reply(None, status=204)


def _signed_in_project(call: Call) -> tuple[GitLabState, Principal, Row]:
    """For writes that GitLab lets any signed-in user make: 401 before the project is looked up."""
    state = GitLabState(call.state)
    principal = authenticate(state, call, required=True)
    project = find_project(state, principal, call.params["id"])
    require_write_scope(principal)
    return state, principal, project


def _file_reply(content: bytes, filename: str) -> Reply:
    return Reply(
        content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def create_project_upload(call: Call) -> Reply:
    state, principal, project = _signed_in_project(call)
    upload = call.params["file"]
    row = uploads.create_upload(
        state,
        project,
        upload.filename or "",
        upload.file.read(),
        iso_stored(call.clock.now()),
        principal.user["id"] if principal.user else None,
    )
    return Reply(uploads.upload_view(row), status=201)


def get_project_upload_file(call: Call) -> Reply:
    scope = project_scope(call)
    row, content = uploads.upload_content(scope.state, scope.project, call.params["secret"], call.params["filename"])
    return _file_reply(content, row["filename"])


def upload_generic_package_file(call: Call) -> Reply:
    # GitLab asks for a sign-in before it looks for the project.
    authenticate(GitLabState(call.state), call, required=True, basic=True)
    scope = project_scope(call, write=True, basic=True)
    names = (call.params["package_name"], call.params["package_version"], call.params["file_name"])
    row = packages.publish_file(
        scope.state,
        scope.project,
        names,
        call.body or b"",
        call.params.get("status"),
        scope.viewer.now_stored,
        scope.principal.user["id"] if scope.principal.user else None,
    )
    if call.params.get("select") == "package_file":
        return Reply(packages.package_file_view(row, views.millis(row["created_at"])), status=201)
    return Reply({"message": "201 Created"}, status=201)


def download_generic_package_file(call: Call) -> Reply:
    scope = project_scope(call, basic=True)
    params = call.params
    for name in ("package_name", "file_name"):
        packages.check_file_path(name, params[name])
    row, content = packages.newest_file(
        scope.state, scope.project, params["package_name"], params["package_version"], params["file_name"]
    )
    return _file_reply(content, row["file_name"])


# Milestones and members sit behind a ``before { authenticate! }``, which Grape runs before it reads
# the parameters: an anonymous ``GET .../milestones/abc`` is a 401, not ``milestone_id is invalid``.
SIGNED_IN_FIRST = {
    operation: require_sign_in
    for operation in (
        "listProjectMilestones",
        "getProjectMilestone",
        "createProjectMilestone",
        "updateProjectMilestone",
        "deleteProjectMilestone",
        "listProjectMembers",
        "listAllProjectMembers",
        "getProjectMember",
        "getAnyProjectMember",
    )
}

HANDLERS = {
    "getCurrentUser": get_current_user,
    "getProject": get_project,
    "listProjectMilestones": list_milestones,
    "getProjectMilestone": get_milestone,
    "createProjectMilestone": create_milestone,
    "updateProjectMilestone": update_milestone,
    "deleteProjectMilestone": delete_milestone,
    "listProjectMembers": list_project_members,
    "listAllProjectMembers": list_all_project_members,
    "getProjectMember": get_project_member,
    "getAnyProjectMember": get_any_project_member,
    "compareRepository": compare_repository,
    "listReleases": list_releases,
    "getRelease": get_release,
    "createRelease": create_release,
    "updateRelease": update_release,
    "deleteRelease": delete_release,
    "createReleaseEvidence": create_release_evidence,
    "getLatestRelease": get_latest_release,
    "getLatestReleaseSubresource": get_latest_release,
    "downloadReleaseAsset": download_release_asset,
    "listGroupReleases": list_group_releases,
    "listReleaseLinks": list_release_links,
    "getReleaseLink": get_release_link,
    "createReleaseLink": create_release_link,
    "updateReleaseLink": update_release_link,
    "deleteReleaseLink": delete_release_link,
    "listRepositoryTags": list_repository_tags,
    "getRepositoryTag": get_repository_tag,
    "createRepositoryTag": create_repository_tag,
    "deleteRepositoryTag": delete_repository_tag,
    "createProjectUpload": create_project_upload,
    "getProjectUploadFile": get_project_upload_file,
    "uploadGenericPackageFile": upload_generic_package_file,
    "downloadGenericPackageFile": download_generic_package_file,
}
