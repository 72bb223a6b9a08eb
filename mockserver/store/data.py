"""One API's data: its tables, its counters (the ids it hands out) and its file contents.

Every change is journalled while a transaction is open, so that a request that fails half way
leaves nothing behind: the store rolls the journal back (see ``Store.transaction``).
"""

from __future__ import annotations

import base64
import typing as t

from .blobs import DEFAULT_LIMIT, Blobs
from .memo import Memo
from .tables import Key, Row, Table, TableSpec

RawData = dict[str, t.Any]
"""``{"tables": {name: [row, ...]}, "counters": {name: int}, "blobs": {digest: base64}}``: plain JSON."""


class UnknownTable(KeyError):
    pass


class ApiData:
    """Tables by name, counters by name, blobs; what a handler reaches as ``call.state``."""

    def __init__(self, specs: t.Sequence[TableSpec], blob_limit: int = DEFAULT_LIMIT) -> None:
        self.specs = tuple(specs)
        self._tables = {spec.name: Table(spec, self._journal_row) for spec in specs}
        self._counters: dict[str, int] = {}
        self.blobs = Blobs(self._journal_blob, blob_limit)
        self._undo: list[tuple[t.Any, ...]] | None = None
        self.memo = Memo()
        """What the API derived from this data (rendered views); emptied at every change, rollbacks included."""

    def table(self, name: str) -> Table:
        try:
            return self._tables[name]
        except KeyError:
            raise UnknownTable(name) from None

    # -- counters -------------------------------------------------------------------------------------

    def counter(self, name: str) -> int:
        """The last value handed out by ``next_id(name)`` (0 before the first)."""
        return self._counters.get(name, 0)

    def next_id(self, name: str = "id") -> int:
        value = self._counters.get(name, 0) + 1
        self.set_counter(name, value)
        return value

    def set_counter(self, name: str, value: int) -> None:
        """Move a counter (at load time: past the largest id the data already holds)."""
        if self._undo is not None:
            self._undo.append(("counter", name, self._counters.get(name)))
        self._counters[name] = value
        self.memo.clear()

    # -- transactions ----------------------------------------------------------------------------------

    def begin(self) -> None:
        self._undo = []

    def commit(self) -> None:
        self._undo = None

    def rollback(self) -> None:
        undo, self._undo = self._undo or [], None
        # What was derived while the writes stood is about a state that is no longer there.
        self.memo.clear()
        for entry in reversed(undo):
            if entry[0] == "counter":
                _, name, old = entry
                if old is None:
                    self._counters.pop(name, None)
                else:
                    self._counters[name] = old
            else:
                _, target, key, old = entry
                target.restore(key, old)

    # Every write reaches one of these two, in a transaction or not (loading, tools): the memo goes with it.
    def _journal_row(self, table: Table, key: Key, old: Row | None) -> None:
        self.memo.clear()
        if self._undo is not None:
            self._undo.append(("row", table, key, old))

    def _journal_blob(self, blobs: Blobs, digest: str, old: bytes | None) -> None:
        self.memo.clear()
        if self._undo is not None:
            self._undo.append(("blob", blobs, digest, old))

    # -- plain JSON ------------------------------------------------------------------------------------

    def dump(self) -> RawData:
        """Everything as plain JSON: rows in primary-key order, counters, blobs in base64."""
        return {
            "tables": {name: list(table) for name, table in self._tables.items()},
            "counters": dict(sorted(self._counters.items())),
            "blobs": {
                digest: base64.b64encode(self.blobs.get(digest) or b"").decode() for digest in self.blobs.digests()
            },
        }

    def load(self, raw: RawData) -> None:
        """Fill this (empty) data from a ``dump``."""
        for name, rows in raw.get("tables", {}).items():
            table = self.table(name)
            for row in rows:
                table.put(row)
        for name, value in raw.get("counters", {}).items():
            self.set_counter(name, value)
        for encoded in raw.get("blobs", {}).values():
            self.blobs.put(base64.b64decode(encoded))

    def clone(self) -> ApiData:
        """An independent copy (rows are never mutated in place, so they are shared)."""
        copy = ApiData(self.specs, self.blobs.limit)
        for name, table in self._tables.items():
            target = copy._tables[name]
            for row in table:
                target.put(row)
        copy._counters = dict(self._counters)
        for digest in self.blobs.digests():
            copy.blobs.put(self.blobs.get(digest) or b"")
        return copy
