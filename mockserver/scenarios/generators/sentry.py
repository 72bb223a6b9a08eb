"""Generated Sentry releases for one organization: versions, project links, commits, deploys, files, session health."""

from __future__ import annotations

import base64
import datetime as dt
import typing as t

from ...clock import iso_stored
from ..providers import VersionWalk, unique_versions
from . import Context, Extra

# Sentry hands out its own ids from the first one after this (the mock's FIRST_IDS_AFTER).
FIRST_IDS_AFTER = 1000


class SentryGenerator:
    keys = {"users": "id", "tokens": "token", "organizations": "slug"}
    """A record with the same value there as one of the base extends it."""

    def last_id(self, seed: t.Mapping[str, t.Any]) -> int:
        ids = [FIRST_IDS_AFTER, seed.get("sequences", {}).get("id", 0)]
        for organization in seed.get("organizations", []):
            for release in organization.get("releases", []):
                ids.append(release.get("id", 0))
                for item in [*release.get("deploys", []), *release.get("files", [])]:
                    text = str(item["id"])
                    ids.append(int(text) if text.isascii() and text.isdigit() and len(text) < 20 else 0)
        return max(ids)

    def generate(self, organization: dict[str, t.Any], block: t.Mapping[str, t.Any], context: Context) -> Extra:
        fake, random = context.fake, context.fake.random
        projects = organization.setdefault("projects", [])
        slugs = list(block.get("projects") or [project["slug"] for project in projects])
        if not slugs:
            return {}
        repositories = [repository["name"] for repository in organization.get("repositories", [])]
        moments = context.span(block).draw(random, block["count"])
        walks = {
            slug: VersionWalk(fake, block.get("versions", "package"), block.get("package", slug), block.get("build", 0))
            for slug in slugs
        }
        # Each project's releases in time order, so that its versions rise with time.
        owners = [slugs[random.randrange(len(slugs))] for _ in moments]
        taken = {release["version"] for release in organization.get("releases", [])}
        moments_of = {slug: [at for at, owner in zip(moments, owners, strict=True) if owner == slug] for slug in slugs}
        versions_of = {slug: iter(unique_versions(walks[slug], moments_of[slug], taken)) for slug in slugs}
        healthy: set[str] = set()
        # Each project's users and sessions of the last 24 hours, which its releases share.
        audience = {slug: random.randint(500, 50_000) for slug in slugs}
        releases = organization.setdefault("releases", [])
        for at, slug in zip(moments, owners, strict=True):
            version, _series = next(versions_of[slug])
            created = iso_stored(at)
            release: dict[str, t.Any] = {"version": version, "projects": [slug], "dateCreated": created}
            if random.random() >= block.get("unreleased", 0.0):
                release["dateReleased"] = iso_stored(at + dt.timedelta(minutes=random.randint(1, 90)))
            if random.random() < block.get("archived", 0.0):
                release["status"] = "archived"
            if random.random() < block.get("health", 0.0) and at <= context.now:
                release["hasHealthData"] = True
                release["health"] = [self._health(slug, at, audience[slug], context)]
                healthy.add(slug)
            commits = [self._commit(repositories, at, context) for _ in range(block.get("commits", 0))]
            if commits:
                release["commits"] = commits
            deploys = [self._deploy(version, at, context) for _ in range(block.get("deploys", 0))]
            if deploys:
                release["deploys"] = deploys
            files = [self._file(version, index, created, context) for index in range(block.get("files", 0))]
            if files:
                release["files"] = files
            releases.append(release)
        # A project has health data when one of its releases has (what the release list's health view reads).
        organization["projects"] = [
            {**project, "hasHealthData": True} if project["slug"] in healthy else project for project in projects
        ]
        return {}

    @staticmethod
    def _health(slug: str, at: dt.datetime, project_users: int, context: Context) -> dict[str, t.Any]:
        """Session figures for a release out since ``at``: a recent one holds a large share of its
        project's last day and is adopted; an older one was adopted, then replaced."""
        random = context.fake.random
        users = random.randint(200, 20_000)
        sessions = users * random.randint(2, 8)
        recent = context.now - at < dt.timedelta(days=14)
        share = random.uniform(0.1, 0.6) if recent else random.uniform(0.0, 0.05)
        adopted = min(at + dt.timedelta(hours=random.randint(1, 48)), context.now)
        replaced = min(adopted + dt.timedelta(days=random.randint(3, 12)), context.now)
        p50 = round(random.uniform(20, 300), 1)
        return {
            "project": slug,
            "sessions": sessions,
            "sessionsCrashed": int(sessions * random.uniform(0, 0.02)),
            "sessionsErrored": int(sessions * random.uniform(0.01, 0.1)),
            "users": users,
            "usersCrashed": int(users * random.uniform(0, 0.03)),
            "sessions24h": int(project_users * 4 * share),
            "users24h": int(project_users * share),
            "projectSessions24h": project_users * 4,
            "projectUsers24h": project_users,
            "durationP50": p50,
            "durationP90": round(p50 * random.uniform(2, 6), 1),
            "adopted": iso_stored(adopted),
            "unadopted": None if recent else iso_stored(replaced),
        }

    @staticmethod
    def _commit(repositories: list[str], at: dt.datetime, context: Context) -> dict[str, t.Any]:
        fake, random = context.fake, context.fake.random
        return {
            "id": fake.commit_sha(),
            "repository": repositories[random.randrange(len(repositories))] if repositories else None,
            "message": fake.changelog("commit", 1).splitlines()[-1][2:],
            "author_name": fake.name(),
            "author_email": fake.email(),
            "timestamp": iso_stored(at - dt.timedelta(minutes=random.randint(5, 600))),
        }

    @staticmethod
    def _deploy(version: str, at: dt.datetime, context: Context) -> dict[str, t.Any]:
        environment = context.fake.environment().replace("/", "-")
        finished = at + dt.timedelta(minutes=context.fake.random.randint(5, 2000))
        return {
            "id": context.ids.next(),
            "environment": environment,
            "name": f"{version} to {environment}"[:64],
            "dateStarted": iso_stored(finished - dt.timedelta(minutes=3)),
            "dateFinished": iso_stored(finished),
        }

    @staticmethod
    def _file(version: str, index: int, created: str, context: Context) -> dict[str, t.Any]:
        name = f"~/static/js/app.{index}.js.map" if index else "~/static/js/app.js"
        content = f"// {version}\n{context.fake.sentence()}\n".encode()
        return {
            "id": context.ids.next(),
            "name": name,
            "dist": None,
            "headers": {"Content-Type": "application/octet-stream"},
            "dateCreated": created,
            "content": base64.b64encode(content).decode("ascii"),
        }


GENERATOR = SentryGenerator()
