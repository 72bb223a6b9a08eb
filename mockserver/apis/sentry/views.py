"""Sentry's JSON for stored rows: releases with their computed fields, deploys, commits, files, repos (§B.4)."""

from __future__ import annotations

import typing as t

from ...store import Row
from .state import SentryState
from .versions import version_info

# Rows keep moments as ``clock.iso_stored`` strings (microseconds, Z), which is Sentry's own
# shape on the wire: views pass them through as they are.


def deploy_view(deploy: Row) -> dict[str, t.Any]:
    return {
        "id": deploy["id"],
        "environment": deploy["environment"],
        "dateStarted": deploy["date_started"],
        "dateFinished": deploy["date_finished"],
        "name": deploy.get("name"),
        "url": deploy.get("url"),
    }


def author_of(commit: dict[str, t.Any]) -> dict[str, t.Any] | None:
    if not commit.get("author_email") and not commit.get("author_name"):
        return None
    return {"name": commit.get("author_name") or commit.get("author_email"), "email": commit.get("author_email")}


def repository_view(repository: dict[str, t.Any]) -> dict[str, t.Any]:
    return {
        "id": str(repository["id"]),
        "name": repository["name"],
        "url": repository.get("url"),
        "provider": dict(repository.get("provider") or {"id": "integrations:github", "name": "GitHub"}),
        "status": repository.get("status", "active"),
        "dateCreated": repository.get("dateCreated", "2016-10-10T21:36:42.414678Z"),
        "integrationId": repository.get("integrationId"),
        "externalSlug": repository.get("externalSlug"),
        "externalId": repository.get("externalId"),
    }


def release_reference(release: dict[str, t.Any]) -> dict[str, t.Any]:
    return {
        "version": release["version"],
        "shortVersion": release["version"],  # Sentry copies the version whole
        "ref": release.get("ref"),
        "url": release.get("url"),
        "dateReleased": release["date_released"],
        "dateCreated": release["date_created"],
    }


def commit_view(commit: Row, state: SentryState, release: Row) -> dict[str, t.Any]:
    body: dict[str, t.Any] = {
        "id": commit["id"],
        "message": commit.get("message"),
        "dateCreated": commit["timestamp"],
        "pullRequest": None,
        "suspectCommitType": "",
        "releases": [release_reference(release)],
    }
    repository = (
        state.repository(release["organization_id"], commit["repository"]) if commit.get("repository") else None
    )
    if repository is not None:
        body["repository"] = repository_view(repository)
    author = author_of(commit)
    if author is not None:
        body["author"] = author
    return body


def project_view(project: Row, *, health: bool, stats_period: str) -> dict[str, t.Any]:
    body: dict[str, t.Any] = {
        "id": project["id"],
        "slug": project["slug"],
        "name": project["name"],
        "newGroups": 0,
        "platform": project["platform"],
        "platforms": [project["platform"]] if project["platform"] else [],
        "hasHealthData": project["hasHealthData"],
    }
    if health:
        body["healthData"] = health_data(project, stats_period)
    return body


def health_data(project: Row, stats_period: str) -> dict[str, t.Any]:
    """No sessions reach the mock, so the figures are empty, in Sentry's shape."""
    return {
        "durationP50": None,
        "durationP90": None,
        "crashFreeUsers": None,
        "crashFreeSessions": None,
        "sessionsCrashed": 0,
        "sessionsErrored": 0,
        "totalUsers": None,
        "totalUsers24h": None,
        "totalProjectUsers24h": None,
        "totalSessions": None,
        "totalSessions24h": None,
        "totalProjectSessions24h": None,
        "adoption": None,
        "sessionsAdoption": None,
        "stats": {stats_period: []},
        "hasHealthData": project["hasHealthData"],
    }


def release_view(
    release: Row,
    state: SentryState,
    *,
    health: bool = False,
    adoption_stages: bool = False,
    stats_period: str = "24h",
) -> dict[str, t.Any]:
    found = [state.table("projects").get(pid) for pid in state.project_ids(release)]
    projects = [project for project in found if project is not None]
    commits = state.commits(release)
    last_deploy = state.last_deploy(release)
    authors = list(
        {(author["email"] or author["name"]): author for author in map(author_of, commits) if author}.values()
    )
    body: dict[str, t.Any] = {
        "id": release["id"],
        "version": release["version"],
        "status": release["status"],
        "shortVersion": release["version"],  # Sentry copies the version whole
        "versionInfo": version_info(release["version"]),
        "ref": release.get("ref"),
        "url": release.get("url"),
        "dateReleased": release["date_released"],
        "dateCreated": release["date_created"],
        "dateStarted": release["date_started"],
        "data": {},
        "newGroups": 0,
        "owner": None,  # a user object in Sentry; the mock records no owners
        "commitCount": len(commits),
        "lastCommit": commit_view(commits[0], state, release) if commits else None,
        "deployCount": state.deploy_count(release),
        "lastDeploy": deploy_view(last_deploy) if last_deploy else None,
        "authors": authors,
        "projects": [project_view(project, health=health, stats_period=stats_period) for project in projects],
        "firstEvent": None,
        "lastEvent": None,
        "currentProjectMeta": {},
        "userAgent": release.get("user_agent"),
    }
    if adoption_stages:
        body["adoptionStages"] = {
            project["slug"]: {"stage": "low_adoption", "adopted": None, "unadopted": None} for project in projects
        }
    return body


def file_view(file: Row) -> dict[str, t.Any]:
    return {
        "id": file["id"],
        "name": file["name"],
        "dist": file.get("dist"),
        "headers": dict(file.get("headers", {})),
        "size": file["size"],
        "sha1": file["sha1"],
        "dateCreated": file["date_created"],
    }


PROJECT_CREATED = "2016-10-10T21:36:42.414678Z"
"""Fixtures give projects no creation moment; every project shows this one."""
INSIGHTS = ("Http", "Db", "Assets", "AppStart", "ScreenLoad", "Vitals", "Caches", "Queues", "LlmMonitoring")


def project_summary_view(project: Row, state: SentryState, scopes: t.Sequence[str] = ()) -> dict[str, t.Any]:
    """A project as the organization's project list shows it (Sentry's project summary).

    ``team`` is left out, as Sentry leaves it out of a project without teams; the mock keeps no
    teams, events or bookmarks, so those fields say none.
    """
    links = state.table("release_projects")
    partition = (project["organization_id"], project["id"], "open")
    # Sentry's latest release of a project: released (else created) most recently.
    latest = links.first("project_status_sort_date", partition, descending=True)
    has_releases = latest is not None or bool(
        links.count("project_status_date", (project["organization_id"], project["id"], "archived"))
    )
    return {
        "id": str(project["id"]),
        "slug": project["slug"],
        "name": project["name"],
        "platform": project["platform"],
        "dateCreated": PROJECT_CREATED,
        "isBookmarked": False,
        "isMember": True,
        "features": ["releases"] if has_releases else [],
        "firstEvent": None,
        "firstTransactionEvent": False,
        "access": sorted(scopes),
        "hasAccess": True,
        "hasFeedbacks": False,
        "hasFlags": False,
        "hasMinifiedStackTrace": False,
        "hasMonitors": False,
        "hasNewFeedbacks": False,
        "hasProfiles": False,
        "hasReplays": False,
        "hasSessions": project["hasHealthData"],
        **{f"hasInsights{name}": False for name in INSIGHTS},
        "teams": [],
        "eventProcessing": {"symbolicationDegraded": False},
        "platforms": [project["platform"]] if project["platform"] else [],
        "hasUserReports": False,
        "environments": [],
        "latestRelease": {"version": latest["version"]} if latest is not None else None,
        "latestDeploys": None,
    }
