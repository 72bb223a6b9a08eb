"""Markdown uploads: a file kept under a random secret, and the links Markdown makes to it.

A file's name is cleaned as GitLab's uploader cleans it; the answer's ``alt`` and ``markdown``
follow GitLab's Markdown link builder: images, video and audio are embedded (``![alt](url)``)
and named without their extension, SVG is embedded under its whole name, anything else is a
plain link. Contents go to the store's blobs; the row keeps the digest.
"""

from __future__ import annotations

import posixpath
import re
import secrets
import typing as t

from ...errors import NotFound, PayloadTooLarge
from ...store import Row
from .state import GitLabState

UPLOAD_NOT_FOUND = "404 Not Found"
TOO_LARGE = "413 Request Entity Too Large"

_EMBEDDED = frozenset(
    "png jpg jpeg gif bmp tiff ico webp".split()  # images
    + "mp4 m4v mov webm ogv".split()  # video
    + "mp3 oga ogg spx wav".split()  # audio
)
# Embedded too, but under its whole name: GitLab renders it only through its sanitizer.
_EMBEDDED_WHOLE = frozenset({"svg"})
# What the uploader keeps of a file name; anything else becomes "_".
_UNSAFE = re.compile(r"[^\w.+-]")


def clean_filename(name: str) -> str:
    """The file's base name with unsafe characters replaced, as GitLab stores it."""
    base = posixpath.basename(name.replace("\\", "/")) or "file"
    return _UNSAFE.sub("_", base)


def _extension(filename: str) -> str:
    return posixpath.splitext(filename)[1].lstrip(".").lower()


def markdown_name(filename: str) -> str:
    if _extension(filename) in _EMBEDDED:
        return posixpath.splitext(filename)[0]
    return filename


def markdown_link(filename: str, url: str) -> str:
    alt = markdown_name(filename).replace("]", "\\]")
    embedded = _extension(filename) in _EMBEDDED | _EMBEDDED_WHOLE
    return f"{'!' if embedded else ''}[{alt}]({url})"


def relative_url(upload: Row) -> str:
    """The ``url`` of an upload: relative to its project's web path."""
    return f"/uploads/{upload['secret']}/{upload['filename']}"


def full_path(upload: Row) -> str:
    """The project-id form of an upload's web path, which does not change when the project moves."""
    return f"/-/project/{upload['project_id']}{relative_url(upload)}"


def create_upload(
    state: GitLabState, project: Row, filename: str, content: bytes, now: str, uploader_id: int | None
) -> Row:
    """Keep ``content`` under a new secret; 413 over the store's size limit, before anything is written."""
    if len(content) > state.data.blobs.limit:
        raise PayloadTooLarge(TOO_LARGE)
    row = {
        "project_id": project["id"],
        "secret": secrets.token_hex(16),
        "filename": clean_filename(filename),
        "id": state.next_id(),
        "digest": state.data.blobs.put(content),
        "size": len(content),
        "uploaded_by_user_id": uploader_id,
        "created_at": now,
    }
    return state.uploads.put(row)


def upload_content(state: GitLabState, project: Row, secret: str, filename: str) -> tuple[Row, bytes]:
    upload = state.uploads.get(project["id"], secret, filename)
    content = None if upload is None else state.data.blobs.get(upload["digest"])
    if upload is None or content is None:
        raise NotFound(UPLOAD_NOT_FOUND)
    return upload, content


def upload_view(upload: Row) -> dict[str, t.Any]:
    url = relative_url(upload)
    return {
        "id": upload["id"],
        "alt": markdown_name(upload["filename"]),
        "url": url,
        "full_path": full_path(upload),
        "markdown": markdown_link(upload["filename"], url),
    }
