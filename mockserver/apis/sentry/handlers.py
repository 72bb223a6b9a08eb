"""Thin Sentry handlers: unpack the call, one domain call, shape the reply. Registered in ``HANDLERS``."""

from __future__ import annotations

import typing as t

from ...errors import NotFound
from ...exchange import Call, Reply
from . import artifacts, releases, views, wire
from .auth import DOES_NOT_EXIST, Access, organization_access

ALREADY_REPORTED = 208


def _flag(call: Call, name: str) -> bool:
    return str(call.params.get(name, "")).lower() in ("1", "true")


def _release(call: Call, access: Access, release: dict[str, t.Any]) -> dict[str, t.Any]:
    health = None
    if _flag(call, "health"):
        health = views.HealthView(
            call.clock.now(),
            stats_period=call.params.get("healthStatsPeriod") or "24h",
            summary_period=call.params.get("summaryStatsPeriod") or "14d",
            stat=call.params.get("healthStat") or "sessions",
        )
    return views.release_view(release, access.state, health=health, adoption_stages=_flag(call, "adoptionStages"))


def _listed(value: t.Any) -> list[t.Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


def _paged(call: Call, rows: list[t.Any], view: t.Callable[[t.Any], t.Any]) -> Reply:
    page = wire.CursorPage.of(call, len(rows))
    return wire.paged_reply(call, [view(row) for row in page.slice(rows)], page)


def _listed_releases(call: Call, access: Access, listing: releases.Listing) -> Reply:
    """A page of releases, by Sentry's offset paginator: only the page's rows (and one more) are read."""
    page = wire.OffsetPage.of(call)
    rows, has_next = page.split(listing.window(page.start, page.stop - page.start))
    return wire.offset_reply(call, [_release(call, access, row) for row in rows], page, has_next)


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
    return _paged(call, artifacts.deploys_of(access, call.params["version"]), views.deploy_view)


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
    access = organization_access(call)
    files = artifacts.files_of(
        access,
        call.params["version"],
        names=call.params.get("query") or (),
        checksums=call.params.get("checksum") or (),
    )
    return _paged(call, files, views.file_view)


def upload_release_file(call: Call) -> Reply:
    access = organization_access(call)
    upload, form = call.params.get("file"), call.body or {}
    file = artifacts.upload_file(
        access,
        call.params["version"],
        content=upload.file.read() if upload is not None else b"",
        name=form.get("name") or getattr(upload, "filename", "") or "",
        dist=form.get("dist"),
        headers=form.get("header") or [],
        now=call.clock.now(),
    )
    return Reply(views.file_view(file), status=201)


def get_release_file(call: Call) -> Reply:
    access = organization_access(call)
    file = artifacts.find_file(access, call.params["version"], call.params["file_id"])
    # Sentry streams the file whenever ``download`` is present, whatever its value.
    if call.params.get("download") is not None:
        headers = {"Content-Disposition": wire.attachment(file["name"])}
        return Reply(artifacts.content_of(access, file), media_type="application/octet-stream", headers=headers)
    return Reply(views.file_view(file))


def update_release_file(call: Call) -> Reply:
    access = organization_access(call)
    file = artifacts.update_file(access, call.params["version"], call.params["file_id"], call.body)
    return Reply(views.file_view(file))


def delete_release_file(call: Call) -> Reply:
    access = organization_access(call)
    artifacts.delete_file(access, call.params["version"], call.params["file_id"])
    return Reply(None, status=204)


def list_project_releases(call: Call) -> Reply:
    access = organization_access(call)
    project = access.project(call.params["project_id_or_slug"])
    if project is None or not access.can_see(project):
        raise NotFound(DOES_NOT_EXIST)
    listing = releases.list_releases(
        access,
        {"project": [project["id"]], "environment": _listed(call.params.get("environment"))},
        prefix=call.params.get("query") or "",
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


HANDLERS = {
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
}
