"""Generated GitLab releases for one project: tags, releases (some upcoming), asset links, milestones, commits."""

from __future__ import annotations

import datetime as dt
import sys
import typing as t

from ...clock import iso_stored
from ..providers import VersionWalk, unique_versions
from . import Context, Extra

COMMIT_AUTHORS = 8


class GitLabGenerator:
    keys = {"users": "username", "groups": "id", "projects": "id"}
    """A record with the same value there as one of the base extends it."""

    def last_id(self, seed: t.Mapping[str, t.Any]) -> int:
        # Releases, links and milestones: GitLab's ids are one sequence per kind, the mock's one counter.
        ids = [seed.get("sequences", {}).get("id", 0)]
        for project in seed.get("projects", []):
            ids += [milestone["id"] for milestone in project.get("milestones", [])]
            for release in project.get("releases", []):
                ids.append(release.get("id", 0))
                ids += [link.get("id", 0) for link in release.get("assets", {}).get("links", [])]
        return max(ids)

    def generate(self, project: dict[str, t.Any], block: t.Mapping[str, t.Any], context: Context) -> Extra:
        fake, random = context.fake, context.fake.random
        count = block["count"]
        moments = context.span(block).draw(random, count, block.get("upcoming"))
        walk = VersionWalk(fake, block.get("versions", "semver"), block.get("package", project.get("path", "app")))
        walk.build = block.get("build", 0.0)
        taken = {tag["name"] for tag in project.get("tags", [])} | {r["tag_name"] for r in project.get("releases", [])}
        prefix = block.get("tag_prefix", "v")
        title = project.get("name", project.get("path", "Release"))
        milestones = [self._milestone(project, index, context) for index in range(block.get("milestones", 0))]
        project.setdefault("milestones", []).extend(milestones)
        authors = [(fake.name(), fake.email()) for _ in range(COMMIT_AUTHORS)] if block.get("commits") else []
        now = iso_stored(context.now)
        tags, releases, commits = project.setdefault("tags", []), project.setdefault("releases", []), []
        versions = unique_versions(walk, moments, taken, lambda version: f"{prefix}{version}")
        for at, (version, _series) in zip(moments, versions, strict=True):
            tag_name = f"{prefix}{version}"
            stamp = iso_stored(at)
            created = min(stamp, now)
            sha = fake.commit_sha()
            # Lean records (what the loader defaults is left out: a tag's message, a release's id and a
            # created_at equal to released_at): ten thousand of them are checked by the fixture schema on import.
            tags.append({"name": tag_name, "target": sha, "created_at": created})
            release: dict[str, t.Any] = {
                "tag_name": tag_name,
                "name": f"{title} {version}",
                "description": fake.changelog(tag_name, 1 + int(random.random() * 4)),
                "released_at": stamp,
            }
            if created != stamp:
                release["created_at"] = created
            if "author" in block:
                release["author"] = block["author"]
            if milestones:
                release["milestones"] = [milestones[random.randrange(len(milestones))]["title"]]
            links = [self._link(project, tag_name, index, context, created) for index in range(block.get("links", 0))]
            if links:
                release["assets"] = {"links": links}
            releases.append(release)
            if authors:
                commits.append(self._commit(sha, authors[random.randrange(len(authors))], created, tag_name))
        project.setdefault("commits", []).extend(commits)
        return {}

    def _link(self, project: t.Mapping[str, t.Any], tag: str, index: int, context: Context, created: str) -> dict:
        name, link_type = context.fake.asset(index)
        path = project.get("path", "app")
        return {
            "id": context.ids.next(),
            "name": name,
            "url": f"https://downloads.example.com/{path}/{tag}/{name}",
            # Interned: the same few paths recur in every release, and 100,000 releases keep theirs.
            "direct_asset_path": sys.intern(f"/binaries/{name}"),
            "link_type": link_type,
            "created_at": created,
        }

    def _milestone(self, project: t.Mapping[str, t.Any], index: int, context: Context) -> dict[str, t.Any]:
        start = (context.now - dt.timedelta(days=30 * (index + 1))).date()
        existing = len(project.get("milestones", []))
        iid = existing + index + 1
        total = context.fake.random.randint(5, 120)
        return {
            "id": context.ids.next(),
            "iid": iid,
            "project_id": project["id"],
            "title": f"Sprint {iid}",
            "description": context.fake.sentence(),
            "state": "active" if index == 0 else "closed",
            "created_at": iso_stored(context.now - dt.timedelta(days=30 * (index + 1) + 5)),
            "updated_at": iso_stored(context.now - dt.timedelta(days=30 * index)),
            "due_date": (start + dt.timedelta(days=28)).isoformat(),
            "start_date": start.isoformat(),
            "web_url": f"http://127.0.0.1:8080/-/milestones/{iid}",
            "issue_stats": {"total": total, "closed": context.fake.random.randint(0, total)},
        }

    @staticmethod
    def _commit(sha: str, author: tuple[str, str], created: str, tag: str) -> dict[str, t.Any]:
        title = f"Release {tag}"
        return {
            "id": sha,
            "short_id": sha[:8],
            "title": title,
            "message": title,
            "created_at": created,
            "parent_ids": [],
            "author_name": author[0],
            "author_email": author[1],
            "authored_date": created,
            "committer_name": author[0],
            "committer_email": author[1],
            "committed_date": created,
        }


GENERATOR = GitLabGenerator()
