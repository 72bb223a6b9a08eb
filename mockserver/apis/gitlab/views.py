"""GitLab's JSON for stored rows: releases with their computed fields, links, tags, users, projects (§A.5)."""

from __future__ import annotations

import datetime as dt
import re
import typing as t
from urllib.parse import quote

from markdown_it import MarkdownIt

from ...clock import iso_millis, iso_stored
from ...exchange import RenderedJson
from ...store import Row
from .auth import Permissions
from .state import GitLabState, full_path

SOURCE_FORMATS = ("zip", "tar.gz", "tar.bz2", "tar")
_MARKDOWN = MarkdownIt("commonmark", {"html": False})
# What percent-encoding leaves as it is: most tags (v1.2.3) are made of these alone.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def path_segment(text: str) -> str:
    """``text`` percent-encoded as one path segment (``release/1.0`` -> ``release%2F1.0``)."""
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe="")


def millis(stored: str) -> str:
    """A stored moment (``2019-01-03T01:56:19.539000Z``) in GitLab's form (``2019-01-03T01:56:19.539Z``).

    The stored form is fixed (``clock.iso_stored``), so the milliseconds are a slice: no parsing per row.
    """
    return stored[:23] + "Z"


class Viewer:
    """Everything a view needs besides the row: the world, the caller's rights, the host they used, the time.

    One is made per request: a plain class, as a frozen dataclass costs a ``__setattr__`` per field.
    """

    __slots__ = ("state", "project", "permissions", "base_url", "now", "now_stored", "full_path", "web_url")

    def __init__(
        self, state: GitLabState, project: Row, permissions: Permissions, base_url: str, now: dt.datetime
    ) -> None:
        self.state = state
        self.project = project
        self.permissions = permissions
        self.base_url = base_url
        self.now = now
        """The request's moment, from the app's clock: what ``upcoming_release`` is measured against."""
        self.now_stored = iso_stored(now)
        """``now`` in the stored form, to compare with stored moments as strings."""
        self.full_path = full_path(project)
        self.web_url = f"{base_url}/{self.full_path}"

    @property
    def today(self) -> str:
        """The request's date, ISO form: what a milestone's due date is measured against (``expired``)."""
        return self.now.date().isoformat()


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


def commit_view(state: GitLabState, project: Row, sha: str, base_url: str, now: dt.datetime) -> dict[str, t.Any]:
    commit = state.commit(project["id"], sha) or synthetic_commit(sha, now)
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
        "web_url": f"{base_url}/{full_path(project)}/-/commit/{sha}",
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


def milestone_view(milestone: Row, project: Row, base_url: str, today: str) -> dict[str, t.Any]:
    """A release's milestone, with its issue counts; ``today`` as ``Viewer.today``."""
    due = milestone["due_date"]
    return {
        "id": milestone["id"],
        "iid": milestone["iid"],
        "project_id": project["id"],
        "title": milestone["title"],
        "description": milestone.get("description"),
        "state": milestone["state"],
        "created_at": millis(milestone["created_at"]),
        "updated_at": millis(milestone["updated_at"]),
        "due_date": due,
        "start_date": milestone["start_date"],
        # As the milestones API shows it: Ruby's `due_date && due_date < today`, nil without a due date.
        "expired": None if due is None else due < today,
        "web_url": f"{base_url}/{full_path(project)}/-/milestones/{milestone['iid']}",
        "issue_stats": dict(milestone["issue_stats"]),
    }


def link_view(link: Row, tag_name: str, viewer: Viewer) -> dict[str, t.Any]:
    filepath = link["filepath"]
    direct = f"{viewer.web_url}/-/releases/{path_segment(tag_name)}/downloads{filepath}" if filepath else link["url"]
    return {
        "id": link["id"],
        "name": link["name"],
        "url": link["url"],
        "direct_asset_url": direct,
        "link_type": link["link_type"],
    }


def release_links(viewer: Viewer, tag_name: str) -> list[dict[str, t.Any]]:
    rows = viewer.state.links_of(viewer.project["id"], tag_name)
    return [link_view(link, tag_name, viewer) for link in rows]


def release_view(release: Row, viewer: Viewer, *, html: bool = False) -> dict[str, t.Any]:
    state, project, tag_name = viewer.state, viewer.project, release["tag_name"]
    encoded_tag = path_segment(tag_name)
    read_code = viewer.permissions.read_code
    links = release_links(viewer, tag_name)
    assets: dict[str, t.Any] = {"count": len(links) + (len(SOURCE_FORMATS) if read_code else 0)}
    if read_code:
        archive_name = f"{project['path']}-{tag_name.replace('/', '-')}"
        assets["sources"] = [
            {"format": fmt, "url": f"{viewer.web_url}/-/archive/{tag_name}/{archive_name}.{fmt}"}
            for fmt in SOURCE_FORMATS
        ]
    assets["links"] = links
    body: dict[str, t.Any] = {
        "name": release["name"],
        "tag_name": tag_name,
        "description": release["description"],
        "created_at": millis(release["created_at"]),
        "released_at": millis(release["released_at"]),
        "upcoming_release": release["released_at"] > viewer.now_stored,
    }
    if html:
        body["description_html"] = _MARKDOWN.render(release["description"] or "")
    author = state.user(release["author_id"])
    if author is not None:
        body["author"] = user_basic(author, viewer.base_url)
    # A release's commit is its tag's: a tag is never moved, and deleting it deletes the release.
    tag = state.tag(project["id"], tag_name)
    sha = tag["target"] if tag else None
    if read_code and sha:
        body["commit"] = commit_view(state, project, sha, viewer.base_url, viewer.now)
    found = (state.milestone(project["id"], mid) for mid in release.get("milestone_ids", ()))
    milestones = [milestone for milestone in found if milestone is not None]
    if milestones:
        ordered = sorted(milestones, key=lambda m: (m.get("due_date") or "", m.get("start_date") or "", m["title"]))
        body["milestones"] = [milestone_view(m, project, viewer.base_url, viewer.today) for m in ordered]
    if read_code and sha:
        body["commit_path"] = f"/{viewer.full_path}/-/commit/{sha}"
        body["tag_path"] = f"/{viewer.full_path}/-/tags/{encoded_tag}"
    body["assets"] = assets
    if read_code:
        body["evidences"] = [
            {
                "sha": evidence["sha"],
                "filepath": f"{viewer.web_url}/-/releases/{encoded_tag}/evidence.json",
                "collected_at": millis(evidence["collected_at"]),
            }
            for evidence in release.get("evidences", ())
        ]
    body["_links"] = _release_urls(viewer, encoded_tag)
    return body


def release_json(release: Row, viewer: Viewer, *, html: bool = False) -> RenderedJson:
    """``release_view`` as JSON, rendered once per state of the data and kept in its memo.

    The key names everything the view reads besides the stored rows (which the memo is emptied
    for at every write): the caller's rights, the host they used, and what it reads of the clock:
    whether the release is still upcoming and, when one of its milestones has a due date, the
    date (``expired``). A release whose tag points at a commit the project does not know shows a
    commit dated now, so it is rendered for each request and not kept.
    """
    permissions = viewer.permissions
    upcoming = release["released_at"] > viewer.now_stored
    today = viewer.today if _has_due_milestone(release, viewer) else None
    key = (
        "release",
        viewer.project["id"],
        release["tag_name"],
        permissions.read_code,
        permissions.write_release,
        viewer.base_url,
        upcoming,
        today,
        html,
    )
    memo = viewer.state.data.memo
    rendered = memo.get(key)
    if rendered is None:
        rendered = RenderedJson.of(release_view(release, viewer, html=html))
        if not _shows_unknown_commit(release, viewer):
            memo.put(key, rendered)
    return rendered


def _has_due_milestone(release: Row, viewer: Viewer) -> bool:
    """Whether the release shows a milestone whose ``expired`` depends on the date."""
    project_id = viewer.project["id"]
    for milestone_id in release.get("milestone_ids", ()):
        milestone = viewer.state.milestone(project_id, milestone_id)
        if milestone is not None and milestone["due_date"] is not None:
            return True
    return False


def _shows_unknown_commit(release: Row, viewer: Viewer) -> bool:
    if not viewer.permissions.read_code:
        return False
    project_id = viewer.project["id"]
    tag = viewer.state.tag(project_id, release["tag_name"])
    if tag is None or not tag["target"]:
        return False
    return viewer.state.commit(project_id, tag["target"]) is None


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


def basic_release_view(release: Row, viewer: Viewer) -> dict[str, t.Any]:
    full = release_view(release, viewer)
    return {field: full[field] for field in BASIC_FIELDS}


def tag_view(state: GitLabState, tag: Row, project: Row, base_url: str, now: dt.datetime) -> dict[str, t.Any]:
    release = state.release(project["id"], tag["name"])
    return {
        "name": tag["name"],
        "message": tag["message"],
        "target": tag["target"],
        "commit": commit_view(state, project, tag["target"], base_url, now),
        "release": {"tag_name": tag["name"], "description": release["description"]} if release else None,
        "protected": tag["name"] in project["protected_tags"],
        "created_at": millis(tag["created_at"]),
    }


def project_view(project: Row, access_level: int, base_url: str, *, authenticated: bool) -> dict[str, t.Any]:
    namespace, path = project["namespace"], full_path(project)
    body = {
        "id": project["id"],
        "description": project["description"],
        "name": project["name"],
        "name_with_namespace": f"{namespace.get('name', namespace['full_path'])} / {project['name']}",
        "path": project["path"],
        "path_with_namespace": path,
        "created_at": millis(project["created_at"]),
        "default_branch": project["default_branch"],
        "visibility": project["visibility"],
        "web_url": f"{base_url}/{path}",
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
