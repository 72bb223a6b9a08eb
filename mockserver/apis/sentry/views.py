"""Sentry's JSON for stored rows: releases with their computed fields, deploys, commits, files, repos (§B.4)."""

from __future__ import annotations

import datetime as dt
import typing as t

from .state import Organization, Project
from .versions import short_version, version_info


def iso(moment: dt.datetime | None) -> str | None:
    """``2024-05-21T11:26:16.190281Z``: Sentry's shape (microseconds, Z)."""
    if moment is None:
        return None
    # isoformat pads the year to four digits, where strftime would write year 880 as "880".
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def deploy_view(deploy: dict[str, t.Any]) -> dict[str, t.Any]:
    return {
        "id": deploy["id"],
        "environment": deploy["environment"],
        "dateStarted": iso(deploy.get("date_started")),
        "dateFinished": iso(deploy["date_finished"]),
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
        "shortVersion": short_version(release["version"]),
        "ref": release.get("ref"),
        "url": release.get("url"),
        "dateReleased": iso(release.get("date_released")),
        "dateCreated": iso(release["date_created"]),
    }


def commit_view(commit: dict[str, t.Any], organization: Organization, release: dict[str, t.Any]) -> dict[str, t.Any]:
    body: dict[str, t.Any] = {
        "id": commit["id"],
        "message": commit.get("message"),
        "dateCreated": iso(commit["timestamp"]),
        "pullRequest": None,
        "suspectCommitType": "",
        "releases": [release_reference(release)],
    }
    repository = organization.repository(commit["repository"]) if commit.get("repository") else None
    if repository is not None:
        body["repository"] = repository_view(repository)
    author = author_of(commit)
    if author is not None:
        body["author"] = author
    return body


def project_view(project: Project, *, health: bool, stats_period: str) -> dict[str, t.Any]:
    body: dict[str, t.Any] = {
        "id": project.id,
        "slug": project.slug,
        "name": project.name,
        "newGroups": 0,
        "platform": project.platform,
        "platforms": [project.platform] if project.platform else [],
        "hasHealthData": project.has_health_data,
    }
    if health:
        body["healthData"] = health_data(project, stats_period)
    return body


def health_data(project: Project, stats_period: str) -> dict[str, t.Any]:
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
        "hasHealthData": project.has_health_data,
    }


def release_view(
    release: dict[str, t.Any],
    organization: Organization,
    *,
    health: bool = False,
    adoption_stages: bool = False,
    stats_period: str = "24h",
) -> dict[str, t.Any]:
    projects = [organization.projects[pid] for pid in release["project_ids"] if pid in organization.projects]
    commits = release.get("commits", [])
    deploys = release.get("deploys", [])
    last_deploy = max(deploys, key=lambda deploy: deploy["date_finished"], default=None)
    authors = list(
        {(author["email"] or author["name"]): author for author in map(author_of, commits) if author}.values()
    )
    body: dict[str, t.Any] = {
        "id": release["id"],
        "version": release["version"],
        "status": release["status"],
        "shortVersion": short_version(release["version"]),
        "versionInfo": version_info(release["version"]),
        "ref": release.get("ref"),
        "url": release.get("url"),
        "dateReleased": iso(release.get("date_released")),
        "dateCreated": iso(release["date_created"]),
        "dateStarted": iso(release.get("date_started")),
        "data": {},
        "newGroups": 0,
        "owner": None,  # a user object in Sentry; the mock records no owners
        "commitCount": len(commits),
        "lastCommit": commit_view(commits[0], organization, release) if commits else None,
        "deployCount": len(deploys),
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
            project.slug: {"stage": "low_adoption", "adopted": None, "unadopted": None} for project in projects
        }
    return body


def file_view(file: dict[str, t.Any]) -> dict[str, t.Any]:
    return {
        "id": file["id"],
        "name": file["name"],
        "dist": file.get("dist"),
        "headers": dict(file.get("headers", {})),
        "size": len(file["content"]),
        "sha1": file["sha1"],
        "dateCreated": iso(file["date_created"]),
    }
