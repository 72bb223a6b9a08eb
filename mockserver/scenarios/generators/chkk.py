"""Generated Chkk ProjectReleases for one Project (added to the ``releases`` part, which names the Project)."""

from __future__ import annotations

import typing as t

from ..providers import VersionWalk, unique_versions
from . import Context, Extra

CATALOG_BOT = "catalog-bot@chkk.io"


class ChkkGenerator:
    keys = {"projects": "id", "tokens": "token"}
    """A record with the same value there as one of the base extends it."""

    def last_id(self, seed: t.Mapping[str, t.Any]) -> int:
        return 0  # Chkk's releases are keyed by Project and version; nothing to number.

    def generate(self, project: dict[str, t.Any], block: t.Mapping[str, t.Any], context: Context) -> Extra:
        fake, random = context.fake, context.fake.random
        moments = context.span(block).draw(random, block["count"])
        walk = VersionWalk(fake, block.get("versions", "semver"), block.get("package", project.get("name", "app")))
        walk.build = block.get("build", 0.0)
        releases: list[dict[str, t.Any]] = []
        taken = {
            release["version"] for release in context.data.get("releases", []) if release["project"] == project["id"]
        }
        versions = unique_versions(walk, moments, taken)
        for at, (version, series) in zip(moments, versions, strict=True):
            stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
            published = None if random.random() < block.get("unpublished", 0.0) else at.date().isoformat()
            releases.append(
                {
                    "title": f"v{version}",
                    "published_on": published,
                    "project": project["id"],
                    "release_series": series,
                    "version": version,
                    "description": fake.changelog(version, 1 + random.randrange(3)),
                    "created_by": CATALOG_BOT,
                    "created_on": stamp,
                    "last_modified_by": CATALOG_BOT,
                    "last_modified_on": stamp,
                }
            )
        return {"releases": releases}


GENERATOR = ChkkGenerator()
