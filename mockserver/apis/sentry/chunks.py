"""Chunk upload: the options a client follows, and chunks kept by checksum for their organization.

A client cuts a file into chunks, names each by its SHA-1, uploads those the server lacks and
then asks for the file to be assembled (``bundles``). Every chunk of a request is read and
checked before any is stored, so a refused request stores nothing.
"""

from __future__ import annotations

import typing as t
import zlib

from ...errors import BadRequest
from ...store import digest_of
from .auth import Access

CHUNK_SIZE = 8 * 1024 * 1024
"""Sentry's chunk size, a power of two (sentry-cli before 2.39.1 refuses anything else)."""
CHUNKS_PER_REQUEST = 64
MAX_REQUEST_SIZE = 32 * 1024 * 1024
CONCURRENCY = 8
HASH_ALGORITHM = "sha1"
COMPRESSION = ("gzip",)
"""Sentry also reads zstd; the mock reads gzip only (what sentry-cli sends), and says so."""
ACCEPT = (
    "debug_files",
    "release_files",
    "pdbs",
    "sources",
    "bcsymbolmaps",
    "il2cpp",
    "portablepdbs",
    "artifact_bundles",
    "artifact_bundles_v2",
    "proguard",
    "preprod_artifacts",
    "dartsymbolmap",
)
"""What Sentry lists as assembled through chunks; sentry-cli 2.x reads it, 3.x does not."""


class Part(t.NamedTuple):
    """One uploaded chunk as it came: its file name (the claimed checksum) and its bytes."""

    name: str
    content: bytes


def _refused(message: str) -> BadRequest:
    return BadRequest({"error": message})


def options(access: Access, upload_url: str) -> dict[str, t.Any]:
    """``upload_url``: this server's own chunk-upload URL, as the client reached it."""
    return {
        "url": upload_url,
        "chunkSize": CHUNK_SIZE,
        "chunksPerRequest": CHUNKS_PER_REQUEST,
        # An assembled bundle is kept as one blob: the store's limit is the largest file.
        "maxFileSize": access.state.data.blobs.limit,
        "maxRequestSize": MAX_REQUEST_SIZE,
        "concurrency": CONCURRENCY,
        "hashAlgorithm": HASH_ALGORITHM,
        "compression": list(COMPRESSION),
        "accept": list(ACCEPT),
    }


def _gunzip(content: bytes, limit: int) -> bytes:
    """At most ``limit + 1`` bytes decompressed, so that a small bomb cannot fill memory."""
    try:
        decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        data = decompressor.decompress(content, limit + 1)
    except zlib.error:
        raise _refused("Invalid gzip payload") from None
    if len(data) > limit or decompressor.unconsumed_tail:
        raise _refused("Chunk size too large")
    return data


def store_chunks(access: Access, plain: t.Sequence[Part], gzipped: t.Sequence[Part], encoding: str) -> None:
    """Check every chunk (count, codec, sizes, checksums), then keep the new ones.

    ``plain`` are the ``file`` parts, compressed when ``encoding`` (the request's
    ``Content-Encoding``) says so; ``gzipped`` the ``file_gzip`` parts, always gzip.
    """
    encoding = encoding.strip().lower()
    if encoding and encoding not in COMPRESSION:
        raise _refused("Unsupported Content-Encoding")
    if encoding and gzipped:
        raise _refused("Cannot combine Content-Encoding with file_gzip field")
    if len(plain) + len(gzipped) > CHUNKS_PER_REQUEST:
        raise _refused("Too many chunks")
    # A chunk is also one blob: the store's limit binds when it is the smaller.
    limit = min(CHUNK_SIZE, access.state.data.blobs.limit)
    decoded = [Part(part.name, _gunzip(part.content, limit) if encoding else part.content) for part in plain]
    decoded += [Part(part.name, _gunzip(part.content, limit)) for part in gzipped]
    total = 0
    for part in decoded:
        if len(part.content) > limit:
            raise _refused("Chunk size too large")
        total += len(part.content)
        if total > MAX_REQUEST_SIZE:
            raise _refused("Request too large")
    for part in decoded:
        if digest_of(part.content) != part.name:
            raise _refused("Checksum mismatch")
    table = access.state.table("chunks")
    for part in decoded:
        if table.get(access.organization_id, part.name) is None:
            access.state.data.blobs.put(part.content)
            table.put({"organization_id": access.organization_id, "sha1": part.name, "size": len(part.content)})


def missing(access: Access, checksums: t.Iterable[str]) -> list[str]:
    """The checksums the organization has not uploaded, each once, in the order given."""
    table = access.state.table("chunks")
    return [sha1 for sha1 in dict.fromkeys(checksums) if table.get(access.organization_id, sha1) is None]


def joined(access: Access, checksums: t.Sequence[str]) -> bytes:
    """The chunks' bytes one after the other, in the order (and with the repeats) given."""
    blobs = access.state.data.blobs
    return b"".join(blobs.get(sha1) or b"" for sha1 in checksums)
