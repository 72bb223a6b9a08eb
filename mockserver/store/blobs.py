"""File contents, stored once by digest and limited in size, apart from the rows that name them.

Rows keep a file's digest (the hex SHA-1 of its bytes, the checksum Sentry's own APIs speak),
never its bytes, so that rows stay small, exports stay readable and the same upload twice is
kept once.
"""

from __future__ import annotations

import hashlib
import typing as t

DEFAULT_LIMIT = 64 * 1024 * 1024


class BlobTooLarge(Exception):
    """A file over the store's size limit; an API turns it into its own error."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes is over the limit of {limit} bytes")
        self.size = size
        self.limit = limit


def digest_of(content: bytes) -> str:
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


class Blobs:
    """Contents by digest. Writes go through the store's journal, like rows."""

    def __init__(self, journal: t.Callable[[Blobs, str, bytes | None], None], limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._contents: dict[str, bytes] = {}
        self._journal = journal

    def __contains__(self, digest: object) -> bool:
        return digest in self._contents

    def __len__(self) -> int:
        return len(self._contents)

    def digests(self) -> list[str]:
        return sorted(self._contents)

    def get(self, digest: str) -> bytes | None:
        return self._contents.get(digest)

    def put(self, content: bytes) -> str:
        """Keep ``content`` (once) and give its digest; ``BlobTooLarge`` over the limit."""
        if len(content) > self.limit:
            raise BlobTooLarge(len(content), self.limit)
        digest = digest_of(content)
        if digest not in self._contents:
            self._journal(self, digest, None)
            self._contents[digest] = content
        return digest

    def delete(self, digest: str) -> None:
        old = self._contents.get(digest)
        if old is not None:
            self._journal(self, digest, old)
            del self._contents[digest]

    def restore(self, digest: str, old: bytes | None) -> None:
        if old is None:
            self._contents.pop(digest, None)
        else:
            self._contents[digest] = old
