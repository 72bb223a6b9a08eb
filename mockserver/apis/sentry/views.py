"""Sentry's JSON for stored rows: releases with their computed fields, deploys, commits, files, repos (§B.4)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t

from ...clock import parse_iso
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


STATS_PERIODS = {
    "1h": (3600, 1),
    "24h": (3600, 24),
    "1d": (3600, 24),
    "48h": (3600, 48),
    "2d": (3600, 48),
    "7d": (86400, 7),
    "14d": (86400, 14),
    "30d": (86400, 30),
    "90d": (86400, 90),
}
"""A stats period's bucket width in seconds and its number of buckets, as Sentry splits them."""


@dataclasses.dataclass(frozen=True)
class HealthView:
    """What a release's health figures are asked with: ``health=1``'s periods and stat, and the clock's now.

    Sentry sizes the series by the summary period and files it under the health period's name.
    """

    now: dt.datetime
    stats_period: str = "24h"
    summary_period: str = "14d"
    stat: str = "sessions"

    def series(self, total: int, since: str | None = None) -> list[list[int]]:
        """``[[bucket start (epoch seconds), count], ...]``, oldest first, ending with the bucket now is in.

        The mock keeps totals, not sessions: the total is spread evenly over the buckets from the
        one ``since`` (a stored moment: the release's) falls in, the remainder going to the latest.
        """
        width, buckets = STATS_PERIODS[self.summary_period]
        start = (int(self.now.timestamp()) - width * buckets) // width * width + width
        first = 0
        if since is not None:
            first = min(max(0, (int(parse_iso(since).timestamp()) - start) // width), buckets - 1)
        share, remainder = divmod(total, buckets - first)
        return [
            [start + index * width, 0 if index < first else share + (index >= buckets - remainder)]
            for index in range(buckets)
        ]


def _percent(part: int, whole: int) -> float | None:
    return part / whole * 100 if part and whole else None


def project_summary(project: Row) -> dict[str, t.Any]:
    """A project as a release lists it."""
    return {
        "id": project["id"],
        "slug": project["slug"],
        "name": project["name"],
        "newGroups": 0,
        "platform": project["platform"],
        "platforms": [project["platform"]] if project["platform"] else [],
    }


def project_view(project: Row, figures: Row | None, health: HealthView | None, since: str) -> dict[str, t.Any]:
    """One of a release's projects; ``figures``: the release's health there (None: it has none)."""
    body = project_summary(project)
    body["hasHealthData"] = bool(figures and figures["sessions"]) or project["hasHealthData"]
    if health is not None:
        body["healthData"] = health_data(body["hasHealthData"], figures, health, since)
    return body


def health_data(has_health_data: bool, figures: Row | None, health: HealthView, since: str) -> dict[str, t.Any]:
    """Sentry's session figures for a release in one project; empty ones where the mock holds none.

    ``since``: when the release was made, where its sessions' series starts.
    """
    if figures is None:
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
            "stats": {health.stats_period: health.series(0)},
            "hasHealthData": has_health_data,
        }
    sessions, users = figures["sessions"], figures["users"]
    return {
        "durationP50": figures["duration_p50"],
        "durationP90": figures["duration_p90"],
        "crashFreeUsers": 100 - figures["users_crashed"] / users * 100 if users else None,
        "crashFreeSessions": 100 - figures["sessions_crashed"] / sessions * 100 if sessions else None,
        "sessionsCrashed": figures["sessions_crashed"],
        "sessionsErrored": figures["sessions_errored"],
        "totalUsers": users or None,
        "totalUsers24h": figures["users_24h"],
        "totalProjectUsers24h": figures["project_users_24h"],
        "totalSessions": sessions or None,
        "totalSessions24h": figures["sessions_24h"],
        "totalProjectSessions24h": figures["project_sessions_24h"],
        "adoption": _percent(figures["users_24h"], figures["project_users_24h"]),
        "sessionsAdoption": _percent(figures["sessions_24h"], figures["project_sessions_24h"]),
        "stats": {health.stats_period: health.series(sessions if health.stat == "sessions" else users, since)},
        "hasHealthData": has_health_data,
    }


def adoption_stage(figures: Row | None) -> dict[str, t.Any]:
    """Adopted once it has been adopted; replaced once it has been unadopted too; low adoption before."""
    adopted = figures["adopted"] if figures else None
    unadopted = figures["unadopted"] if figures else None
    stage = "low_adoption" if adopted is None else "adopted" if unadopted is None else "replaced"
    return {"stage": stage, "adopted": adopted, "unadopted": unadopted}


def release_view(
    release: Row,
    state: SentryState,
    *,
    health: HealthView | None = None,
    adoption_stages: bool = False,
) -> dict[str, t.Any]:
    """``health``: with each project's ``healthData`` (``health=1``)."""
    found = [state.table("projects").get(pid) for pid in state.project_ids(release)]
    projects = [project for project in found if project is not None]
    figures = state.health(release) if health is not None or adoption_stages else {}
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
        "projects": [
            project_view(project, figures.get(project["id"]), health, release["date_created"]) for project in projects
        ],
        "firstEvent": None,
        "lastEvent": None,
        "currentProjectMeta": {},
        "userAgent": release.get("user_agent"),
    }
    if adoption_stages:
        body["adoptionStages"] = {project["slug"]: adoption_stage(figures.get(project["id"])) for project in projects}
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
