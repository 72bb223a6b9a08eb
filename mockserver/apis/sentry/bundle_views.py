"""Sentry's JSON for the API index, a release's meta counts and artifact bundles."""

from __future__ import annotations

import base64
import typing as t

from ...store import Row
from .state import SentryState
from .versions import version_info
from .views import project_summary

API_VERSION = "0"


def index_view(token: Row | None, user: Row | None) -> dict[str, t.Any]:
    """The index: ``auth`` and ``user`` are null for an anonymous caller."""
    return {
        "version": API_VERSION,
        "auth": {"scopes": list(token.get("scopes", []))} if token is not None else None,
        "user": user_view(user) if user is not None else None,
    }


def user_view(user: Row) -> dict[str, t.Any]:
    """The fields of Sentry's user serializer that the mock's users have."""
    email = user.get("email")
    return {
        "id": str(user["id"]),
        "name": user["name"],
        "username": email or user["name"],
        "email": email or "",
        "isActive": True,
        "has2fa": False,
    }


def meta_view(release: Row, state: SentryState, file_count: int, bundled: bool) -> dict[str, t.Any]:
    projects = [state.table("projects").get(pid) for pid in state.project_ids(release)]
    commits = state.commits(release)
    changed = {change.get("path") for commit in commits for change in commit.get("patch_set") or []}
    return {
        "version": release["version"],
        "versionInfo": version_info(release["version"]),
        "projects": [project_summary(project) for project in projects if project is not None],
        "newGroups": 0,
        "deployCount": state.deploy_count(release),
        "commitCount": len(commits),
        "released": release["date_released"] or release["date_created"],
        "commitFilesChanged": len(changed - {None}),
        "releaseFileCount": file_count,
        "isArtifactBundle": bundled,
    }


def _seconds(stored: str | None) -> str | None:
    """A stored moment to Sentry's bundle dates: whole seconds and ``Z``."""
    return None if stored is None else stored[:19] + "Z"


def bundle_view(bundle: Row, associations: t.Iterable[Row]) -> dict[str, t.Any]:
    return {
        "bundleId": bundle["bundle_id"],
        "associations": [{"release": link["release"] or None, "dist": link["dist"] or None} for link in associations],
        "fileCount": bundle["artifact_count"],
        "dateModified": _seconds(bundle["date_last_modified"]),
        "date": _seconds(bundle["date_uploaded"]),
    }


FILE_TYPES = {"source": 1, "minified_source": 2, "source_map": 3, "indexed_ram_bundle": 4}
"""Sentry's numbers for a manifest entry's ``type``; one it does not know is 0."""


def bundle_file_view(file: Row, debug_id: str | None) -> dict[str, t.Any]:
    return {
        "id": base64.urlsafe_b64encode(file["path"].encode()).decode(),
        "fileType": FILE_TYPES.get(file["type"] or "", 0),
        "filePath": file["url"],
        "fileSize": file["size"],
        "debugId": debug_id,
        "sourcemap": file["headers"].get("sourcemap"),
    }
