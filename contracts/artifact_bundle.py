"""An artifact bundle as ``sentry-cli sourcemaps upload`` builds it, for Sentry's check and state machine."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile

CHUNK_SIZE = 64
"""Small chunks, so that even a small bundle is several."""


def artifact_bundle(org: str, release: str, files: int = 2) -> bytes:
    """A zip of ``files`` scripts (with new bytes every time) and the ``manifest.json`` naming them."""
    debug_id = str(uuid.uuid4())
    entries = {
        f"files/_/_/app{number}.js": (
            {"type": "minified_source", "url": f"~/app{number}.js"},
            f"// {debug_id} {number}\n".encode(),
        )
        for number in range(files)
    }
    manifest = {
        "files": {path: info for path, (info, _) in entries.items()},
        "org": org,
        "release": release,
        "debug_id": debug_id,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, (_, content) in entries.items():
            archive.writestr(path, content)
        archive.writestr("manifest.json", json.dumps(manifest))
    return buffer.getvalue()


def chunks_of(content: bytes) -> list[tuple[str, bytes]]:
    """The chunks, each with its SHA-1 (the name it is uploaded under)."""
    parts = [content[start : start + CHUNK_SIZE] for start in range(0, len(content), CHUNK_SIZE)]
    return [(hashlib.sha1(part).hexdigest(), part) for part in parts]


def checksum(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()
