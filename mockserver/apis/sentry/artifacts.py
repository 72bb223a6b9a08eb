"""What hangs off a release: deploys and release files (§B.3 Deploys, Files)."""

from __future__ import annotations

import datetime as dt
import hashlib
import typing as t

from ...clock import parse_iso
from ...errors import BadRequest, Conflict, NotFound
from .auth import DOES_NOT_EXIST, Access
from .releases import find_release, resolve_projects

MAX_ENVIRONMENT = 64
_BAD_ENVIRONMENT = frozenset("/\r\n\t\f\x0c")


def create_deploy(
    access: Access, version: str, body: t.Mapping[str, t.Any], next_id: t.Callable[[], int], now: dt.datetime
) -> dict:
    """Records a deploy, which bumps the release's ``deployCount`` and moves ``lastDeploy``."""
    release = find_release(access, version)
    environment = body["environment"]
    if not environment or len(environment) > MAX_ENVIRONMENT or _BAD_ENVIRONMENT.intersection(environment):
        raise BadRequest({"environment": ["Invalid value for environment"]})
    if body.get("projects"):
        project_ids = resolve_projects(access, body["projects"])
        outside = [pid for pid in project_ids if pid not in release["project_ids"]]
        if outside:
            slugs = ", ".join(access.organization.projects[pid].slug for pid in outside)
            raise BadRequest({"detail": f"Invalid projects ({slugs}) for release {version}"})
    else:
        project_ids = list(release["project_ids"])
    deploy = {
        "id": str(next_id()),
        "environment": environment,
        "name": body.get("name"),
        "url": body.get("url"),
        "date_started": parse_iso(body["dateStarted"]) if body.get("dateStarted") else None,
        "date_finished": parse_iso(body["dateFinished"]) if body.get("dateFinished") else now,
        "project_ids": project_ids,
    }
    access.organization.releases.put(version, {**release, "deploys": [*release["deploys"], deploy]})
    return deploy


def deploys_of(access: Access, version: str) -> list[dict[str, t.Any]]:
    release = find_release(access, version)
    return sorted(release["deploys"], key=lambda deploy: deploy["date_finished"], reverse=True)


def files_of(access: Access, version: str, *, names: t.Sequence[str] = (), checksums: t.Sequence[str] = ()) -> list:
    files = list(find_release(access, version)["files"].values())
    if names:
        files = [file for file in files if any(name.lower() in file["name"].lower() for name in names)]
    if checksums:
        files = [file for file in files if file["sha1"] in checksums]
    return sorted(files, key=lambda file: file["name"])


def find_file(access: Access, version: str, file_id: str) -> dict[str, t.Any]:
    file = find_release(access, version)["files"].get(str(file_id))
    if file is None:
        raise NotFound(DOES_NOT_EXIST)
    return file


def _headers(raw: t.Iterable[str]) -> dict[str, str]:
    headers = {}
    for entry in raw:
        key, separator, value = entry.partition(":")
        if not separator or not key.strip():
            raise BadRequest({"detail": "header value was not formatted correctly"})
        headers[key.strip()] = value.strip()
    return headers


def upload_file(
    access: Access,
    version: str,
    *,
    content: bytes,
    name: str,
    dist: str | None,
    headers: t.Iterable[str],
    next_id: t.Callable[[], int],
    now: dt.datetime,
) -> dict[str, t.Any]:
    release = find_release(access, version)
    if not name:
        raise BadRequest({"detail": "File name must be specified"})
    parsed = _headers(headers)
    dist = dist or None  # Sentry files under a dist only when one is named: "" is none
    if any(file["name"] == name and file.get("dist") == dist for file in release["files"].values()):
        raise Conflict("A file matching this name already exists for the given release")
    file: dict[str, t.Any] = {
        "id": str(next_id()),
        "name": name,
        "dist": dist,
        "headers": parsed,
        "content": content,
        "sha1": hashlib.sha1(content).hexdigest(),
        "date_created": now,
    }
    _replace_files(access, release, {**release["files"], file["id"]: file})
    return file


def update_file(access: Access, version: str, file_id: str, body: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    release = find_release(access, version)
    file = find_file(access, version, file_id)
    # Sentry's serializer for this request reads the name alone; a dist sent with it changes nothing.
    updated = {**file, "name": body["name"]}
    _replace_files(access, release, {**release["files"], file["id"]: updated})
    return updated


def delete_file(access: Access, version: str, file_id: str) -> None:
    release = find_release(access, version)
    find_file(access, version, file_id)
    _replace_files(access, release, {key: file for key, file in release["files"].items() if key != str(file_id)})


def _replace_files(access: Access, release: dict[str, t.Any], files: dict[str, dict[str, t.Any]]) -> None:
    access.organization.releases.put(release["version"], {**release, "files": files})
