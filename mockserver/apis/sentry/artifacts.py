"""What hangs off a release: deploys and release files (§B.3 Deploys, Files).

Files are the organization's release's, reached through the organization's endpoints or, with
``project``, through a project's (where only a release linked to that project exists).
"""

from __future__ import annotations

import datetime as dt
import typing as t

from ...clock import iso_stored, parse_iso
from ...errors import BadRequest, Conflict, NotFound, PayloadTooLarge
from ...store import Row, digest_of
from . import project_releases
from .auth import DOES_NOT_EXIST, Access
from .releases import filter_projects, find_release, resolve_projects

MAX_ENVIRONMENT = 64
_BAD_ENVIRONMENT = frozenset("/\r\n\t\f\x0c")


def create_deploy(access: Access, version: str, body: t.Mapping[str, t.Any], now: dt.datetime) -> Row:
    """Records a deploy, which bumps the release's ``deployCount`` and moves ``lastDeploy``."""
    release = find_release(access, version)
    environment = body["environment"]
    if not environment or len(environment) > MAX_ENVIRONMENT or _BAD_ENVIRONMENT.intersection(environment):
        raise BadRequest({"environment": ["Invalid value for environment"]})
    linked = access.state.project_ids(release)
    if body.get("projects"):
        project_ids = resolve_projects(access, body["projects"])
        outside = [pid for pid in project_ids if pid not in linked]
        if outside:
            slugs = ", ".join(project["slug"] for project in map(access.project, outside) if project)
            raise BadRequest({"detail": f"Invalid projects ({slugs}) for release {version}"})
    else:
        project_ids = linked
    started = iso_stored(parse_iso(body["dateStarted"])) if body.get("dateStarted") else None
    finished = iso_stored(parse_iso(body["dateFinished"]) if body.get("dateFinished") else now)
    return access.state.table("deploys").put(
        {
            "organization_id": release["organization_id"],
            "version": release["version"],
            "id": str(access.state.next_id()),
            "environment": environment,
            "name": body.get("name"),
            "url": body.get("url"),
            "date_started": started,
            "date_finished": finished,
            "project_ids": project_ids,
        }
    )


def deploys_of(access: Access, version: str, project_refs: t.Iterable[t.Any] = ()) -> list[Row]:
    """The deploys a release's list shows: the latest one per project and environment, last finished first.

    As Sentry lists them: a project and environment remember only the deploy recorded last for
    them, so an earlier deploy to the same place drops out. Only the caller's projects count
    (those ``project`` names, else every one it sees).
    """
    release = find_release(access, version)
    state = access.state
    wanted = filter_projects(access, project_refs) or [
        project["id"] for project in state.projects_of(access.organization_id) if access.can_see(project)
    ]
    latest: dict[tuple[int, str], Row] = {}
    for deploy in sorted(state.deploys(release), key=_recorded):
        for project_id in deploy["project_ids"]:
            if project_id in wanted:
                latest[(project_id, deploy["environment"])] = deploy
    shown = {deploy["id"]: deploy for deploy in latest.values()}
    return sorted(shown.values(), key=lambda deploy: (deploy["date_finished"], _recorded(deploy)), reverse=True)


def _recorded(deploy: Row) -> tuple[int, str]:
    """The order deploys were recorded in: by their number (ids come from one counter)."""
    text = deploy["id"]
    return (int(text), text) if text.isdecimal() and len(text) < 20 else (0, text)


def _release_of(access: Access, version: str, project: Row | None) -> Row:
    return find_release(access, version) if project is None else project_releases.find_release(access, project, version)


def files_of(
    access: Access,
    version: str,
    *,
    names: t.Sequence[str] = (),
    checksums: t.Sequence[str] = (),
    project: Row | None = None,
) -> list:
    files = access.state.files(_release_of(access, version, project))
    if names:
        files = [file for file in files if any(name.lower() in file["name"].lower() for name in names)]
    if checksums:
        files = [file for file in files if file["sha1"] in checksums]
    return files


def find_file(access: Access, version: str, file_id: str, *, project: Row | None = None) -> Row:
    file = access.state.file(_release_of(access, version, project), str(file_id))
    if file is None:
        raise NotFound(DOES_NOT_EXIST)
    return file


def content_of(access: Access, file: Row) -> bytes:
    return access.state.data.blobs.get(file["sha1"]) or b""


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
    now: dt.datetime,
    project: Row | None = None,
) -> Row:
    release = _release_of(access, version, project)
    if not name:
        raise BadRequest({"detail": "File name must be specified"})
    parsed = _headers(headers)
    dist = dist or None  # Sentry files under a dist only when one is named: "" is none
    if any(file["name"] == name and file.get("dist") == dist for file in access.state.files(release)):
        raise Conflict("A file matching this name already exists for the given release")
    # Checked here, before any write, rather than left to the store's ``BlobTooLarge``.
    limit = access.state.data.blobs.limit
    if len(content) > limit:
        raise PayloadTooLarge(f"File too large: {len(content)} bytes, at most {limit} may be uploaded.")
    file: Row = {
        "organization_id": release["organization_id"],
        "version": release["version"],
        "id": str(access.state.next_id()),
        "name": name,
        "dist": dist,
        "headers": parsed,
        "sha1": digest_of(content),
        "size": len(content),
        "date_created": iso_stored(now),
    }
    return access.state.put_file(file, content)


def update_file(
    access: Access, version: str, file_id: str, body: t.Mapping[str, t.Any], *, project: Row | None = None
) -> Row:
    file = find_file(access, version, file_id, project=project)
    # Sentry's serializer for this request reads the name alone; a dist sent with it changes nothing.
    return access.state.put_file({**file, "name": body["name"]})


def delete_file(access: Access, version: str, file_id: str, *, project: Row | None = None) -> None:
    access.state.delete_file(find_file(access, version, file_id, project=project))
