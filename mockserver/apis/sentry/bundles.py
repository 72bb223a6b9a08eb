"""Artifact bundles: assembled from uploaded chunks, bound to projects and release names, counted by releases.

An assemble names the bundle by the SHA-1 of its bytes and the chunks that make it up. Chunks
the organization lacks are reported first. Then the bundle is assembled: the chunks joined, the
checksum verified and the ``manifest.json`` that sentry-cli writes into the zip read. The
outcome (``ok``, or ``error`` with a detail) is kept by checksum with the moment the assembly
began. Sentry hands the work to a task, so its first answer is ``created`` and later ones
``assembling`` until the task is done; the mock does the work at once but shows it as Sentry
would: for the organization's ``assembly_seconds`` after that moment (0 unless a fixture sets
it) the answer is ``assembling`` and the bundle is nowhere to be seen. A status seeded as
``assembling`` stays so: a task that never ends. A bundle is keyed by its manifest's debug ID;
assembling one again replaces its content and dates at once (so while the new content is
assembling, the bundle is hidden, where Sentry would still show the old one).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import typing as t
import uuid
import zipfile

from ...clock import iso_stored, parse_iso
from ...errors import BadRequest, NotFound
from ...store import Row, digest_of
from . import chunks
from .auth import DOES_NOT_EXIST, Access
from .releases import find_release

NULL_DIST = ""
"""Sentry's stand-in for "no dist" in its bundle tables."""
LINK_COUNTER = "artifact_bundle_link"
"""Orders a bundle's release associations (Sentry lists the newest first)."""
ASSEMBLING = "assembling"


class Outcome(t.NamedTuple):
    state: str
    detail: str | None = None


def assemble(access: Access, body: t.Mapping[str, t.Any], now: dt.datetime) -> dict[str, t.Any]:
    """The answer to one assemble call; assembles the bundle when its chunks are all there."""
    project_ids = _projects(access, body["projects"])
    checksum, chunk_list = body["checksum"], list(body["chunks"])
    missing = chunks.missing(access, chunk_list)
    if missing:
        return {"state": "not_found", "missingChunks": missing}
    statuses = access.state.table("assemble_statuses")
    known = statuses.get(access.organization_id, checksum)
    if known is not None:
        if _running(access, known, now):
            return {"state": ASSEMBLING, "detail": None, "missingChunks": []}
        return {"state": known["state"], "detail": known["detail"], "missingChunks": []}
    if not chunk_list:  # a poll for a bundle no one assembled
        return {"state": "not_found", "missingChunks": []}
    version, dist = body.get("version"), body.get("dist")
    # Sentry notes the assemble as started before this check; the mock refuses before it writes.
    if not version and dist:
        raise BadRequest({"error": "You need to specify a release together with a dist"})
    outcome = _assemble(access, checksum, chunk_list, project_ids, version, dist, now)
    statuses.put(
        {
            "organization_id": access.organization_id,
            "checksum": checksum,
            "state": outcome.state,
            "detail": outcome.detail,
            "started": iso_stored(now),
        }
    )
    return {"state": "created", "missingChunks": []}


def _running(access: Access, status: Row, now: dt.datetime) -> bool:
    """Whether Sentry's task for this assemble would still be at work at ``now``."""
    if status["state"] == ASSEMBLING:
        return True
    seconds = access.organization.get("assembly_seconds") or 0
    started = status.get("started")
    if not seconds or started is None:
        return False
    return now < parse_iso(started) + dt.timedelta(seconds=seconds)


def assembled(access: Access, bundle: Row, now: dt.datetime) -> bool:
    """Whether the bundle's assembly is over at ``now``, so that Sentry would have it (a seeded one is)."""
    status = access.state.table("assemble_statuses").get(access.organization_id, bundle["checksum"])
    return status is None or not _running(access, status, now)


def _projects(access: Access, refs: t.Sequence[str]) -> list[int]:
    """Slugs or numeric IDs: every one must name a project (a repeat counts as a wrong one)."""
    found = [access.project(ref) for ref in refs]
    ids = list(dict.fromkeys(project["id"] for project in found if project is not None))
    if len(ids) != len(refs):
        raise BadRequest({"error": "One or more projects are invalid"})
    if not all(access.can_see(project) for project in found if project is not None):
        raise NotFound(DOES_NOT_EXIST)
    return ids


def _assemble(
    access: Access,
    checksum: str,
    chunk_list: list[str],
    project_ids: list[int],
    version: str | None,
    dist: str | None,
    now: dt.datetime,
) -> Outcome:
    content = chunks.joined(access, chunk_list)
    limit = access.state.data.blobs.limit
    if len(content) > limit:
        return Outcome("error", f"File bundle-artifacts-{checksum}.zip exceeds maximum size ({len(content)} > {limit})")
    if digest_of(content) != checksum:
        return Outcome("error", "Reported checksum mismatch")
    archive = _read_archive(content)
    if archive is None:
        return Outcome("error", "the bundle is invalid")
    manifest, sizes = archive
    files: dict[str, t.Any] = manifest.get("files") or {}
    if not files:  # Sentry drops a bundle without files, and calls that a success
        return Outcome("ok")
    release = version or _text(manifest.get("release"))
    dist = dist or _text(manifest.get("dist"))
    if not release and not any(debug_id(_headers(info).get("debug-id")) for info in files.values()):
        return Outcome("error", "uploading a bundle without debug ids or release is prohibited")
    bundle_id = (debug_id(manifest.get("debug_id")) or debug_id(checksum) or checksum)[:36]
    bundle = _put_bundle(access, bundle_id, checksum, content, len(files), iso_stored(now))
    _put_files(access, bundle, files, sizes)
    if release:
        _link_release(access, bundle, release, dist or NULL_DIST)
    for project_id in project_ids:
        access.state.table("project_artifact_bundles").put(
            {
                "organization_id": access.organization_id,
                "project_id": project_id,
                "bundle_id": bundle_id,
                "date_added": bundle["date_added"],
                "date_uploaded": bundle["date_uploaded"],
            }
        )
    return Outcome("ok")


def _read_archive(content: bytes) -> tuple[dict[str, t.Any], dict[str, int]] | None:
    """The manifest and each member's size, or None when the zip or its manifest cannot be read."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            sizes = {info.filename: info.file_size for info in archive.infolist()}
    except (zipfile.BadZipFile, KeyError, ValueError, RuntimeError, NotImplementedError, EOFError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files") or {}, dict):
        return None
    if not all(isinstance(info, dict) for info in (manifest.get("files") or {}).values()):
        return None
    return manifest, sizes


def _text(value: t.Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _headers(info: t.Mapping[str, t.Any]) -> dict[str, str]:
    """A manifest entry's headers with lower-case names, as Sentry reads them."""
    headers = info.get("headers") or {}
    return {str(key).lower(): str(value) for key, value in headers.items()} if isinstance(headers, dict) else {}


def debug_id(value: t.Any) -> str | None:
    """A debug ID in its canonical form (a UUID, then any appendix), or None when it is not one."""
    if not isinstance(value, str):
        return None
    compact = value.strip().lower().replace("-", "")
    try:
        base = str(uuid.UUID(hex=compact[:32]))
    except ValueError:
        return None
    appendix = compact[32:]
    return f"{base}-{appendix}" if appendix else base


def _put_bundle(access: Access, bundle_id: str, checksum: str, content: bytes, count: int, now: str) -> Row:
    table = access.state.table("artifact_bundles")
    old = table.get(access.organization_id, bundle_id)
    access.state.data.blobs.put(content)
    bundle = {
        "organization_id": access.organization_id,
        "bundle_id": bundle_id,
        "checksum": checksum,
        "artifact_count": count,
        "date_added": now,
        "date_uploaded": old["date_uploaded"] if old else now,
        "date_last_modified": now,
    }
    table.put(bundle)
    if old is not None and old["checksum"] != checksum and not access.state.blob_in_use(old["checksum"]):
        access.state.data.blobs.delete(old["checksum"])
    return bundle


def _put_files(access: Access, bundle: Row, files: t.Mapping[str, t.Any], sizes: t.Mapping[str, int]) -> None:
    table = access.state.table("artifact_bundle_files")
    partition = (bundle["organization_id"], bundle["bundle_id"])
    for old in list(table.ordered("bundle", partition)):
        table.delete(*table.key_of(old))
    for path, info in files.items():
        table.put(
            {
                "organization_id": bundle["organization_id"],
                "bundle_id": bundle["bundle_id"],
                "path": path,
                "url": str(info.get("url", path)),
                "type": info.get("type") if isinstance(info.get("type"), str) else None,
                "headers": _headers(info),
                "size": sizes.get(path),
            }
        )


def _link_release(access: Access, bundle: Row, release: str, dist: str) -> None:
    table = access.state.table("release_artifact_bundles")
    key = (bundle["organization_id"], release, dist, bundle["bundle_id"])
    old = table.get(*key)
    position = old["position"] if old else access.state.data.next_id(LINK_COUNTER)
    table.put(
        {
            "organization_id": key[0],
            "release": release,
            "dist": dist,
            "bundle_id": key[3],
            "position": position,
            "date_added": bundle["date_added"],
        }
    )


# -- reading ----------------------------------------------------------------------------------------


def release_file_count(access: Access, release: Row, now: dt.datetime) -> tuple[int, bool]:
    """As Sentry's release meta counts: the files of the bundles bound to this release name and to
    one of its projects (once per such pair, as its join does), else the release's own files."""
    state, org = access.state, access.organization_id
    project_ids = state.project_ids(release)
    links = state.table("project_artifact_bundles")
    count, bound = 0, False
    for association in state.table("release_artifact_bundles").ordered("release", (org, release["version"])):
        bundle = state.table("artifact_bundles").get(org, association["bundle_id"])
        if bundle is None or not assembled(access, bundle, now):
            continue
        for project_id in project_ids:
            if links.get(org, project_id, association["bundle_id"]) is not None:
                count, bound = count + bundle["artifact_count"], True
    return (count, True) if bound else (len(state.files(release)), False)


def meta_of(access: Access, version: str, now: dt.datetime) -> tuple[Row, int, bool]:
    release = find_release(access, version)
    count, bundled = release_file_count(access, release, now)
    return release, count, bundled


def project_bundles(access: Access, project: Row, query: str, now: dt.datetime, *, newest_first: bool) -> list[Row]:
    """The project's bundles by upload date; ``query``: part of the bundle ID, a release or a dist."""
    state, org = access.state, access.organization_id
    links = state.table("project_artifact_bundles").ordered("project", (org, project["id"]), descending=newest_first)
    bundles = [state.table("artifact_bundles").get(org, link["bundle_id"]) for link in links]
    found = [bundle for bundle in bundles if bundle is not None and assembled(access, bundle, now)]
    text = query.lower()
    if not text:
        return found
    return [
        bundle
        for bundle in found
        if text in bundle["bundle_id"].lower()
        or any(text in link["release"].lower() or text in link["dist"].lower() for link in associations(access, bundle))
    ]


def associations(access: Access, bundle: Row) -> list[Row]:
    """The bundle's release associations, newest first."""
    table = access.state.table("release_artifact_bundles")
    return list(table.ordered("bundle", (bundle["organization_id"], bundle["bundle_id"]), descending=True))


def project_bundle(access: Access, project: Row, bundle_id: str, now: dt.datetime) -> Row:
    """One of the project's bundles; another's or none (or one still assembling) is a 400, as Sentry answers it."""
    state, org = access.state, access.organization_id
    bundle = state.table("artifact_bundles").get(org, bundle_id)
    if (
        bundle is None
        or not assembled(access, bundle, now)
        or state.table("project_artifact_bundles").get(org, project["id"], bundle_id) is None
    ):
        raise BadRequest(
            {"error": f"The artifact bundle with {bundle_id} is not bound to this project or doesn't exist"}
        )
    return bundle


def bundle_files(access: Access, bundle: Row, query: str) -> list[Row]:
    """The bundle's files by path; ``query``: part of a file's URL, or its debug ID."""
    table = access.state.table("artifact_bundle_files")
    files = list(table.ordered("bundle", (bundle["organization_id"], bundle["bundle_id"])))
    if not query:
        return files
    wanted = debug_id(query)
    return [
        file
        for file in files
        if query.lower() in file["url"].lower()
        or (wanted is not None and debug_id(file["headers"].get("debug-id")) == wanted)
    ]


# -- deleting ---------------------------------------------------------------------------------------


def delete_bundle(access: Access, project: Row, bundle_id: str | None, now: dt.datetime) -> None:
    """Sentry's bundle delete: unbound from this project, and gone when no other project has it.

    A bundle the organization does not have (or one still assembling, which Sentry has not made
    yet) is a success that changes nothing; one bound only to other projects is a 404.
    """
    if not bundle_id:
        # Sentry words the missing parameter with Python's ``None``.
        raise NotFound({"error": f"Supplied an invalid bundle_id {'None' if bundle_id is None else bundle_id}"})
    state, org = access.state, access.organization_id
    bundle = state.table("artifact_bundles").get(org, bundle_id)
    if bundle is None or not assembled(access, bundle, now):
        return
    links = state.table("project_artifact_bundles")
    bound = list(links.ordered("bundle", (org, bundle_id)))
    if not bound:
        return
    if all(link["project_id"] != project["id"] for link in bound):
        raise NotFound(
            {"error": f"Artifact bundle with {bundle_id} found but it is not connected to project {project['id']}"}
        )
    if len(bound) > 1:
        links.delete(org, project["id"], bundle_id)
        return
    _drop(access, bundle)


def _drop(access: Access, bundle: Row) -> None:
    """The bundle, what hangs off it, its bytes when nothing else keeps them, and its assemble outcome.

    Sentry forgets an outcome after ten minutes where the mock keeps it; forgetting it here lets
    the same bundle be uploaded and assembled again, as it would be once Sentry had forgotten.
    """
    state, org = access.state, access.organization_id
    for name in ("artifact_bundle_files", "release_artifact_bundles", "project_artifact_bundles"):
        table = state.table(name)
        for row in list(table.ordered("bundle", (org, bundle["bundle_id"]))):
            table.delete(*table.key_of(row))
    state.table("artifact_bundles").delete(org, bundle["bundle_id"])
    state.table("assemble_statuses").delete(org, bundle["checksum"])
    if not state.blob_in_use(bundle["checksum"]):
        state.data.blobs.delete(bundle["checksum"])
