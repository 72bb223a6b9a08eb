"""Thin Sentry handlers: unpack the call, one domain call, shape the reply. Registered in ``HANDLERS``."""

from __future__ import annotations

import typing as t

from ...exchange import Call, Reply
from ...store import Row
from . import artifacts, project_releases, projects, releases, views, wire
from .auth import Access, organization_access, project_access
from .upload_handlers import UPLOAD_HANDLERS

ALREADY_REPORTED = 208


def _flag(call: Call, name: str) -> bool:
    return str(call.params.get(name, "")).lower() in ("1", "true")


def _health(call: Call) -> views.HealthView:
    return views.HealthView(
        call.clock.now(),
        stats_period=call.params.get("healthStatsPeriod") or "24h",
        summary_period=call.params.get("summaryStatsPeriod") or "14d",
        stat=call.params.get("healthStat") or "sessions",
    )


def _release(call: Call, access: Access, release: dict[str, t.Any]) -> dict[str, t.Any]:
    health = _health(call) if _flag(call, "health") else None
    return views.release_view(release, access.state, health=health, adoption_stages=_flag(call, "adoptionStages"))


def _listed(value: t.Any) -> list[t.Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


def _paged(call: Call, rows: list[t.Any], view: t.Callable[[t.Any], t.Any]) -> Reply:
    page = wire.CursorPage.of(call, len(rows))
    return wire.paged_reply(call, [view(row) for row in page.slice(rows)], page)


def _offset_paged(call: Call, listing: releases.Listing, view: t.Callable[[Row], t.Any]) -> Reply:
    """A page by Sentry's offset paginator: only the page's rows (and one more) are read."""
    page = wire.OffsetPage.of(call)
    rows, has_next = page.split(listing.window(page.start, page.stop - page.start))
    return wire.offset_reply(call, [view(row) for row in rows], page, has_next)


def _listed_releases(call: Call, access: Access, listing: releases.Listing) -> Reply:
    return _offset_paged(call, listing, lambda row: _release(call, access, row))


def list_organization_releases(call: Call) -> Reply:
    access = organization_access(call)
    return _listed_releases(call, access, releases.list_releases(access, call.params))


def create_organization_release(call: Call) -> Reply:
    access = organization_access(call)
    release, created = releases.create_release(access, call.body, call.clock.now())
    return Reply(_release(call, access, release), status=201 if created else ALREADY_REPORTED)


def get_organization_release(call: Call) -> Reply:
    access = organization_access(call)
    project = call.params.get("project") or call.params.get("project_id")
    if project:
        releases.described_project(access, project)
    return Reply(_release(call, access, releases.find_release(access, call.params["version"])))


def update_organization_release(call: Call) -> Reply:
    access = organization_access(call)
    release = releases.update_release(access, call.params["version"], call.body or {}, call.clock.now())
    return Reply(_release(call, access, release))


def delete_organization_release(call: Call) -> Reply:
    access = organization_access(call)
    releases.delete_release(access, call.params["version"])
    return Reply(None, status=204)


def list_release_deploys(call: Call) -> Reply:
    access = organization_access(call)
    deploys = artifacts.deploys_of(access, call.params["version"], call.params.get("project") or [])
    return _offset_paged(
        call, releases.Listing(lambda offset, limit: deploys[offset : offset + limit]), views.deploy_view
    )


def create_release_deploy(call: Call) -> Reply:
    access = organization_access(call)
    deploy = artifacts.create_deploy(access, call.params["version"], call.body, call.clock.now())
    return Reply(views.deploy_view(deploy), status=201)


def list_release_commits(call: Call) -> Reply:
    access = organization_access(call)
    release = releases.find_release(access, call.params["version"])
    commits = access.state.commits(release)
    return _paged(call, commits, lambda commit: views.commit_view(commit, access.state, release))


def get_previous_release_with_commits(call: Call) -> Reply:
    access = organization_access(call)
    previous = releases.previous_with_commits(access, call.params["version"])
    return Reply(_release(call, access, previous) if previous else {})


def list_release_files(call: Call) -> Reply:
    return _list_files(call, organization_access(call))


def upload_release_file(call: Call) -> Reply:
    return _upload_file(call, organization_access(call))


def get_release_file(call: Call) -> Reply:
    return _get_file(call, organization_access(call))


def update_release_file(call: Call) -> Reply:
    access = organization_access(call)
    file = artifacts.update_file(access, call.params["version"], call.params["file_id"], call.body)
    return Reply(views.file_view(file))


def delete_release_file(call: Call) -> Reply:
    access = organization_access(call)
    artifacts.delete_file(access, call.params["version"], call.params["file_id"])
    return Reply(None, status=204)


# The organization's and a project's file endpoints share these; ``project`` is the project in the path.


def _list_files(call: Call, access: Access, project: Row | None = None) -> Reply:
    files = artifacts.files_of(
        access,
        call.params["version"],
        names=call.params.get("query") or (),
        checksums=call.params.get("checksum") or (),
        project=project,
    )
    return _paged(call, files, views.file_view)


def _upload_file(call: Call, access: Access, project: Row | None = None) -> Reply:
    upload, form = call.params.get("file"), call.body or {}
    file = artifacts.upload_file(
        access,
        call.params["version"],
        content=upload.file.read() if upload is not None else b"",
        name=form.get("name") or getattr(upload, "filename", "") or "",
        dist=form.get("dist"),
        headers=form.get("header") or [],
        now=call.clock.now(),
        project=project,
    )
    return Reply(views.file_view(file), status=201)


def _get_file(call: Call, access: Access, project: Row | None = None) -> Reply:
    file = artifacts.find_file(access, call.params["version"], call.params["file_id"], project=project)
    # Sentry streams the file whenever ``download`` is present, whatever its value.
    if call.params.get("download") is not None:
        headers = {"Content-Disposition": wire.attachment(file["name"])}
        return Reply(artifacts.content_of(access, file), media_type="application/octet-stream", headers=headers)
    return Reply(views.file_view(file))


def list_project_releases(call: Call) -> Reply:
    access, project = project_access(call)
    listing = project_releases.list_releases(
        access, project, query=call.params.get("query") or "", environment=call.params.get("environment")
    )
    return _listed_releases(call, access, listing)


def list_organization_repositories(call: Call) -> Reply:
    access = organization_access(call)
    query = (call.params.get("query") or "").lower()
    status = call.params.get("status")
    rows = [
        repo
        for repo in access.state.repositories_of(access.organization_id)
        if query in repo["name"].lower() and (status is None or repo.get("status", "active") == status)
    ]
    return _paged(call, rows, views.repository_view)


def create_project_release(call: Call) -> Reply:
    access, project = project_access(call)
    user_agent = call.headers.get("user-agent")
    release, linked = project_releases.create_release(access, project, call.body, call.clock.now(), user_agent)
    return Reply(_release(call, access, release), status=201 if linked else ALREADY_REPORTED)


def get_project_release(call: Call) -> Reply:
    access, project = project_access(call)
    release = project_releases.find_release(access, project, call.params["version"])
    # Sentry's project endpoint reacts to ``health=1`` only.
    health = _health(call) if call.params.get("health") == "1" else None
    return Reply(views.release_view(release, access.state, health=health))


def update_project_release(call: Call) -> Reply:
    access, project = project_access(call)
    release = project_releases.update_release(
        access, project, call.params["version"], call.body or {}, call.clock.now()
    )
    return Reply(_release(call, access, release))


def delete_project_release(call: Call) -> Reply:
    access, project = project_access(call)
    project_releases.delete_release(access, project, call.params["version"])
    return Reply(None, status=204)


def list_project_release_files(call: Call) -> Reply:
    return _list_files(call, *project_access(call))


def upload_project_release_file(call: Call) -> Reply:
    return _upload_file(call, *project_access(call))


def get_project_release_file(call: Call) -> Reply:
    return _get_file(call, *project_access(call))


def update_project_release_file(call: Call) -> Reply:
    access, project = project_access(call)
    file = artifacts.update_file(access, call.params["version"], call.params["file_id"], call.body, project=project)
    return Reply(views.file_view(file))


def delete_project_release_file(call: Call) -> Reply:
    access, project = project_access(call)
    artifacts.delete_file(access, call.params["version"], call.params["file_id"], project=project)
    return Reply(None, status=204)


def list_organization_projects(call: Call) -> Reply:
    access = organization_access(call)
    listing = projects.list_projects(access, call.params.get("query") or "", call.params)
    return _offset_paged(
        call, listing, lambda row: views.project_summary_view(row, access.state, access.token.get("scopes", []))
    )


def delete_project_source_maps(call: Call) -> Reply:
    access, project = project_access(call)
    project_releases.delete_files(access, project, call.params.get("name"))
    return Reply(None, status=204)


HANDLERS = {
    **UPLOAD_HANDLERS,
    "listOrganizationReleases": list_organization_releases,
    "createOrganizationRelease": create_organization_release,
    "getOrganizationRelease": get_organization_release,
    "updateOrganizationRelease": update_organization_release,
    "deleteOrganizationRelease": delete_organization_release,
    "listOrganizationReleaseDeploys": list_release_deploys,
    "createOrganizationReleaseDeploy": create_release_deploy,
    "listOrganizationReleaseCommits": list_release_commits,
    "getPreviousReleaseWithCommits": get_previous_release_with_commits,
    "listOrganizationReleaseFiles": list_release_files,
    "uploadOrganizationReleaseFile": upload_release_file,
    "getOrganizationReleaseFile": get_release_file,
    "updateOrganizationReleaseFile": update_release_file,
    "deleteOrganizationReleaseFile": delete_release_file,
    "listProjectReleases": list_project_releases,
    "listOrganizationRepositories": list_organization_repositories,
    "createProjectRelease": create_project_release,
    "getProjectRelease": get_project_release,
    "updateProjectRelease": update_project_release,
    "deleteProjectRelease": delete_project_release,
    "listProjectReleaseFiles": list_project_release_files,
    "uploadProjectReleaseFile": upload_project_release_file,
    "getProjectReleaseFile": get_project_release_file,
    "updateProjectReleaseFile": update_project_release_file,
    "deleteProjectReleaseFile": delete_project_release_file,
    "listOrganizationProjects": list_organization_projects,
    "deleteProjectSourceMaps": delete_project_source_maps,
}
