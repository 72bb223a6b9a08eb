"""Generic packages: files published under a package name and version, and downloaded again.

GitLab finds the package of that name and version or creates it, then adds the file; the same
file name may be published again (duplicates are allowed by default for generic packages), and
a download gives the newest file of that name. ``status`` changes the package's status when
given. Contents go to the store's blobs; rows keep the digest, the size and the SHA-256 GitLab
reports.
"""

from __future__ import annotations

import hashlib
import typing as t

from ...errors import BadRequest, NotFound
from ...store import Row
from .state import GitLabState

# Both lookups raise ActiveRecord's RecordNotFound, which GitLab's API answers in these words.
PACKAGE_NOT_FOUND = FILE_NOT_FOUND = "404 Not found"
TOO_LARGE = "400 Bad request - File is too large"
PATH_TRAVERSAL = "should be a valid file path"
# The object store GitLab reports for a file kept on local disk.
LOCAL_STORE = 1


def check_file_path(name: str, value: str) -> None:
    """``.`` and ``..`` pass the name rules but not GitLab's path-traversal check."""
    if value in (".", ".."):
        raise BadRequest({"error": f"{name} {PATH_TRAVERSAL}"})


def find_package(state: GitLabState, project_id: int, name: str, version: str) -> Row | None:
    return next(
        (
            package
            for package in state.packages.ordered("project", (project_id,))
            if package["name"] == name and package["version"] == version
        ),
        None,
    )


def publish_file(
    state: GitLabState,
    project: Row,
    names: tuple[str, str, str],
    content: bytes,
    status: str | None,
    now: str,
    creator_id: int | None,
) -> Row:
    """Add a file to the package (made when missing); 400 over the size limit, before anything is written."""
    package_name, version, file_name = names
    for parameter, value in (("package_name", package_name), ("file_name", file_name)):
        check_file_path(parameter, value)
    if len(content) > state.data.blobs.limit:
        raise BadRequest(TOO_LARGE)
    package = find_package(state, project["id"], package_name, version)
    if package is None:
        package = {
            "project_id": project["id"],
            "id": state.next_id(),
            "name": package_name,
            "version": version,
            "status": status or "default",
            "creator_id": creator_id,
            "created_at": now,
            "updated_at": now,
        }
        state.packages.put(package)
    elif status and status != package["status"]:
        # GitLab writes the one column, leaving the package's timestamps as they were.
        package = state.packages.put({**package, "status": status})
    row = {
        "project_id": project["id"],
        "id": state.next_id(),
        "package_id": package["id"],
        "file_name": file_name,
        "digest": state.data.blobs.put(content),
        "size": len(content),
        "file_sha256": hashlib.sha256(content).hexdigest(),
        "created_at": now,
    }
    return state.package_files.put(row)


def newest_file(state: GitLabState, project: Row, package_name: str, version: str, file_name: str) -> tuple[Row, bytes]:
    package = find_package(state, project["id"], package_name, version)
    if package is None:
        raise NotFound(PACKAGE_NOT_FOUND)
    files = state.package_files.ordered("package", (project["id"], package["id"]), descending=True)
    found = next((row for row in files if row["file_name"] == file_name), None)
    content = None if found is None else state.data.blobs.get(found["digest"])
    if found is None or content is None:
        raise NotFound(FILE_NOT_FOUND)
    return found, content


def package_file_view(row: Row, created_at: str) -> dict[str, t.Any]:
    """The package file as GitLab presents it; its ``file.url`` is the path under the project's hashed storage."""
    project_hash = hashlib.sha256(str(row["project_id"]).encode()).hexdigest()
    stored_at = f"/{project_hash[:2]}/{project_hash[2:4]}/{project_hash}"
    return {
        "id": row["id"],
        "package_id": row["package_id"],
        "created_at": created_at,
        "updated_at": created_at,
        "size": row["size"],
        "file_store": LOCAL_STORE,
        "file_md5": None,
        "file_sha1": None,
        "file_name": row["file_name"],
        "file": {"url": f"{stored_at}/packages/{row['package_id']}/files/{row['id']}/{row['file_name']}"},
        "file_sha256": row["file_sha256"],
        "verification_retry_at": None,
        "verified_at": None,
        "verification_failure": None,
        "verification_retry_count": None,
        "verification_checksum": None,
        "verification_state": 0,
        "verification_started_at": None,
        "new_file_path": None,
    }
