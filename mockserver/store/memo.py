"""Values derived from one API's data (rendered views), kept only while that data is unchanged.

An API renders the same rows the same way for every request until something is written: a
memo keeps what it derived, by whatever key names the rest of what the value depends on (the
caller's rights, the host they used). ``ApiData`` empties its memo at every change of its
rows, counters or blobs (a rollback included), and data put in place of another (a reset, an
import) comes with a memo of its own, so nothing derived from an older state is ever read
back. It is bounded: once full, the oldest entries make room.
"""

from __future__ import annotations

import collections
import typing as t

DEFAULT_SIZE = 4096
"""Entries kept: a page of GitLab releases renders to about 2.7 KB a release, so about 11 MB when full."""


class Memo:
    """A bounded map of derived values, emptied by its ``ApiData`` whenever the data changes."""

    __slots__ = ("size", "_values")

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._values: collections.OrderedDict[t.Hashable, t.Any] = collections.OrderedDict()

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: t.Hashable) -> t.Any:
        """The value kept under ``key``, or None."""
        return self._values.get(key)

    def put(self, key: t.Hashable, value: t.Any) -> t.Any:
        """Keep ``value`` under ``key`` (not None: None reads as "not kept"); returns it."""
        values = self._values
        if len(values) >= self.size and key not in values:
            if not values:
                return value
            values.popitem(last=False)
        values[key] = value
        return value

    def clear(self) -> None:
        self._values.clear()
