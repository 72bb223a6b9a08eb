"""GitLab's JSON for stored rows: releases with their computed fields, links, tags, users, projects (§A.5)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t
from urllib.parse import quote

from markdown_it import MarkdownIt

from ...clock import iso_millis
from .auth import Permissions
from .state import GitLabState, Project

SOURCE_FORMATS = ("zip", "tar.gz", "tar.bz2", "tar")
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


@dataclasses.dataclass(frozen=True)
class Viewer:
    """Everything a view needs besides the row: the world, the caller's rights, the host they used, the time."""

    state: GitLabState
    project: Project
    permissions: Permissions
    base_url: str
    now: dt.datetime
    """The request's moment, from the app's clock: what ``upcoming_release`` is measured against."""

    @property
    def web_url(self) -> str:
        return f"{self.base_url}/{self.project.full_path}"


def user_basic(user: dict[str, t.Any], base_url: str) -> dict[str, t.Any]:
    return {
        "id": user["id"],
        "username": user["username"],
        "public_email": user.get("public_email"),
        "name": user["name"],
        "state": user.get("state", "active"),
        "locked": user.get("locked", False),
        "avatar_url": user.get("avatar_url"),
        "web_url": f"{base_url}/{user['username']}",
    }


def current_user(user: dict[str, t.Any], base_url: str) -> dict[str, t.Any]:
    return {
        **user_basic(user, base_url),
        "email": user.get("email"),
        "is_admin": bool(user.get("admin", False)),
        "bot": False,
        "created_at": user.get("created_at", "2019-01-01T00:00:00.000Z"),
    }


def commit_view(project: Project, sha: str, base_url: str, now: dt.datetime) -> dict[str, t.Any]:
    commit = project.commits.get(sha) or synthetic_commit(sha, now)
    return {
        "id": sha,
        "short_id": sha[:8],
        "created_at": commit.get("created_at"),
        "parent_ids": list(commit.get("parent_ids", [])),
        "title": commit.get("title", ""),
        "message": commit.get("message", commit.get("title", "")),
        "author_name": commit.get("author_name"),
        "author_email": commit.get("author_email"),
        "authored_date": commit.get("authored_date", commit.get("created_at")),
        "committer_name": commit.get("committer_name", commit.get("author_name")),
        "committer_email": commit.get("committer_email", commit.get("author_email")),
        "committed_date": commit.get("committed_date", commit.get("created_at")),
        "trailers": {},
        "extended_trailers": {},
        "web_url": f"{base_url}/{project.full_path}/-/commit/{sha}",
    }


def synthetic_commit(sha: str, now: dt.datetime) -> dict[str, t.Any]:
    """A commit the fixtures do not describe (a CI job's own SHA): plausible, never empty."""
    return {
        "id": sha,
        "title": "Commit created outside the mock",
        "created_at": iso_millis(now),
        "author_name": "CI",
        "author_email": "ci@example.com",
    }


def milestone_view(milestone: dict[str, t.Any], project: Project, base_url: str) -> dict[str, t.Any]:
    return {
        "id": milestone["id"],
        "iid": milestone["iid"],
        "project_id": project.id,
        "title": milestone["title"],
        "description": milestone.get("description"),
        "state": milestone.get("state", "active"),
        "created_at": milestone.get("created_at"),
        "updated_at": milestone.get("updated_at", milestone.get("created_at")),
        "due_date": milestone.get("due_date"),
        "start_date": milestone.get("start_date"),
        "expired": bool(milestone.get("expired", False)),
        "web_url": f"{base_url}/{project.full_path}/-/milestones/{milestone['iid']}",
        "issue_stats": dict(milestone.get("issue_stats", {"total": 0, "closed": 0})),
    }


def link_view(link: dict[str, t.Any], tag_name: str, viewer: Viewer) -> dict[str, t.Any]:
    filepath = link.get("filepath")
    direct = f"{viewer.web_url}/-/releases/{quote(tag_name, safe='')}/downloads{filepath}" if filepath else link["url"]
    return {
        "id": link["id"],
        "name": link["name"],
        "url": link["url"],
        "direct_asset_url": direct,
        "link_type": link.get("link_type", "other"),
    }


def release_links(viewer: Viewer, tag_name: str) -> list[dict[str, t.Any]]:
    table = viewer.project.links.get(tag_name)
    rows = table.ordered("created_at", descending=True) if table is not None else iter(())
    return [link_view(link, tag_name, viewer) for link in rows]


def release_view(release: dict[str, t.Any], viewer: Viewer, *, html: bool = False) -> dict[str, t.Any]:
    project, tag_name = viewer.project, release["tag_name"]
    encoded_tag = quote(tag_name, safe="")
    read_code = viewer.permissions.read_code
    links = release_links(viewer, tag_name)
    assets: dict[str, t.Any] = {"count": len(links) + (len(SOURCE_FORMATS) if read_code else 0)}
    if read_code:
        archive_name = f"{project.path}-{tag_name.replace('/', '-')}"
        assets["sources"] = [
            {"format": fmt, "url": f"{viewer.web_url}/-/archive/{tag_name}/{archive_name}.{fmt}"}
            for fmt in SOURCE_FORMATS
        ]
    assets["links"] = links
    body: dict[str, t.Any] = {
        "name": release["name"],
        "tag_name": tag_name,
        "description": release.get("description"),
        "created_at": iso_millis(release["created_at"]),
        "released_at": iso_millis(release["released_at"]),
        "upcoming_release": release["released_at"] > viewer.now,
    }
    if html:
        body["description_html"] = _MARKDOWN.render(release.get("description") or "")
    author = viewer.state.users.get(release.get("author_id"))  # type: ignore[arg-type]
    if author is not None:
        body["author"] = user_basic(author, viewer.base_url)
    tag = project.tags.get(tag_name)
    sha = release.get("sha") or (tag["target"] if tag else None)
    if read_code and sha:
        body["commit"] = commit_view(project, sha, viewer.base_url, viewer.now)
    milestones = [project.milestones[mid] for mid in release.get("milestone_ids", []) if mid in project.milestones]
    if milestones:
        ordered = sorted(milestones, key=lambda m: (m.get("due_date") or "", m.get("start_date") or "", m["title"]))
        body["milestones"] = [milestone_view(m, project, viewer.base_url) for m in ordered]
    if read_code and sha:
        body["commit_path"] = f"/{project.full_path}/-/commit/{sha}"
        body["tag_path"] = f"/{project.full_path}/-/tags/{encoded_tag}"
    body["assets"] = assets
    if read_code:
        body["evidences"] = [
            {
                "sha": evidence["sha"],
                "filepath": f"{viewer.web_url}/-/releases/{encoded_tag}/evidence.json",
                "collected_at": iso_millis(evidence["collected_at"]),
            }
            for evidence in release.get("evidences", [])
        ]
    body["_links"] = _release_urls(viewer, encoded_tag)
    return body


def _release_urls(viewer: Viewer, encoded_tag: str) -> dict[str, str]:
    web = viewer.web_url
    filters = f"release_tag={encoded_tag}&scope=all&state="
    urls = {
        "closed_issues_url": f"{web}/-/issues?{filters}closed",
        "closed_merge_requests_url": f"{web}/-/merge_requests?{filters}closed",
    }
    if viewer.permissions.write_release:
        urls["edit_url"] = f"{web}/-/releases/{encoded_tag}/edit"
    urls.update(
        {
            "merged_merge_requests_url": f"{web}/-/merge_requests?{filters}merged",
            "opened_issues_url": f"{web}/-/issues?{filters}opened",
            "opened_merge_requests_url": f"{web}/-/merge_requests?{filters}opened",
            "self": f"{web}/-/releases/{encoded_tag}",
        }
    )
    return urls


BASIC_FIELDS = ("name", "tag_name", "description", "created_at", "released_at", "upcoming_release")


def basic_release_view(release: dict[str, t.Any], viewer: Viewer) -> dict[str, t.Any]:
    full = release_view(release, viewer)
    return {field: full[field] for field in BASIC_FIELDS}


def tag_view(tag: dict[str, t.Any], project: Project, base_url: str, now: dt.datetime) -> dict[str, t.Any]:
    release = project.releases.get(tag["name"])
    return {
        "name": tag["name"],
        "message": tag.get("message"),
        "target": tag["target"],
        "commit": commit_view(project, tag["target"], base_url, now),
        "release": {"tag_name": tag["name"], "description": release.get("description")} if release else None,
        "protected": tag["name"] in project.protected_tags,
        "created_at": iso_millis(tag["created_at"]) if tag.get("created_at") else None,
    }


def project_view(project: Project, access_level: int, base_url: str, *, authenticated: bool) -> dict[str, t.Any]:
    namespace = project.namespace
    body = {
        "id": project.id,
        "description": project.description,
        "name": project.name,
        "name_with_namespace": f"{namespace.get('name', namespace['full_path'])} / {project.name}",
        "path": project.path,
        "path_with_namespace": project.full_path,
        "created_at": iso_millis(project.created_at),
        "default_branch": project.default_branch,
        "visibility": project.visibility,
        "web_url": f"{base_url}/{project.full_path}",
        "namespace": {
            "id": namespace.get("id"),
            "name": namespace.get("name", namespace["full_path"]),
            "path": namespace["full_path"].rsplit("/", 1)[-1],
            "kind": namespace.get("kind", "group"),
            "full_path": namespace["full_path"],
            "avatar_url": None,
            "web_url": f"{base_url}/{namespace['full_path']}",
        },
    }
    if authenticated:
        body["permissions"] = {
            "project_access": {"access_level": access_level, "notification_level": 3} if access_level else None,
            "group_access": None,
        }
    return body
