"""Tables of JSON rows: a primary key and sorted indexes, all declared as data (field names).

A row is a ``dict`` of JSON values (str, int, float, bool, None, lists and dicts of them), the
form it has in fixtures and in an export. Rows are replaced, never mutated in place: callers
build a new dict and ``put`` it, so an index entry is always found again by the row it holds,
and a transaction can put the old row back.

Keys and indexes name fields, not functions, so that another backend (Redis: a hash per row,
a sorted set per index partition) can implement the same declarations.
"""

from __future__ import annotations

import dataclasses
import operator
import typing as t

from sortedcontainers import SortedDict, SortedKeyList

Row = dict[str, t.Any]
Key = tuple[t.Any, ...]


@dataclasses.dataclass(frozen=True)
class Index:
    """Rows sorted by ``order`` (field names), kept apart by the values of ``partition`` (field names).

    ``Index(partition=("project_id",), order=("released_at", "id"))``: each project's releases by date.
    An ordered field must never be null in a row that is put, so that every pair of rows compares.
    """

    order: tuple[str, ...]
    partition: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class TableSpec:
    """A table's declaration: its name, the fields of its primary key, its indexes by name."""

    name: str
    key: tuple[str, ...]
    indexes: t.Mapping[str, Index] = dataclasses.field(default_factory=dict)


def _getter(fields: tuple[str, ...]) -> t.Callable[[Row], t.Any]:
    """A function of a row giving the fields' values as a tuple (one field: a 1-tuple)."""
    if len(fields) == 1:
        (field,) = fields
        return lambda row: (row[field],)
    return operator.itemgetter(*fields)


class Table:
    """One table in memory: rows by primary key, and per index a sorted list per partition."""

    def __init__(self, spec: TableSpec, journal: t.Callable[[Table, Key, Row | None], None]) -> None:
        self.spec = spec
        self._key_of = _getter(spec.key)
        # In primary-key order, whatever the order of writes: a dump is the same after any history
        # that ends in the same rows, an undone delete included.
        self._rows: SortedDict = SortedDict()
        self._partition_of = {
            name: _getter(index.partition) if index.partition else None for name, index in spec.indexes.items()
        }
        self._order_of = {name: _getter(index.order) for name, index in spec.indexes.items()}
        self._indexes: dict[str, dict[Key, SortedKeyList]] = {name: {} for name in spec.indexes}
        self._journal = journal

    # -- reading -------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> t.Iterator[Row]:
        """Every row, in primary-key order (a copy of the list: writes may follow)."""
        return iter(list(self._rows.values()))

    def key_of(self, row: Row) -> Key:
        return tuple(self._key_of(row))

    def get(self, *key: t.Any) -> Row | None:
        """The row with this primary key (its fields' values, in the declared order)."""
        return self._rows.get(key)

    def count(self, index: str, partition: Key = ()) -> int:
        rows = self._indexes[index].get(partition)
        return len(rows) if rows else 0

    def ordered(self, index: str, partition: Key = (), *, descending: bool = False) -> t.Iterator[Row]:
        """A partition's rows in index order, over a copy (so that writes may follow)."""
        rows = self._indexes[index].get(partition)
        if not rows:
            return iter(())
        # Plain iteration copies a sorted list several times faster than ``islice`` does.
        return iter(list(reversed(rows)) if descending else list(rows))

    def window(
        self, index: str, partition: Key = (), *, offset: int, limit: int, descending: bool = False
    ) -> list[Row]:
        """Rows ``offset`` to ``offset + limit`` of a partition in index order: O(log n + limit)."""
        rows = self._indexes[index].get(partition)
        total = len(rows) if rows else 0
        if offset >= total or limit <= 0:
            return []
        assert rows is not None
        if descending:
            stop = total - offset
            return list(rows.islice(max(0, stop - limit), stop, reverse=True))
        return list(rows.islice(offset, min(total, offset + limit)))

    def first(self, index: str, partition: Key = (), *, descending: bool = False) -> Row | None:
        rows = self._indexes[index].get(partition)
        if not rows:
            return None
        return rows[-1] if descending else rows[0]

    # -- writing (inside a transaction: the store's ``transaction`` journals every change) -------------

    def put(self, row: Row) -> Row:
        """Insert the row, or replace the one with the same primary key."""
        key = self.key_of(row)
        old = self._rows.get(key)
        self._journal(self, key, old)
        self._replace(key, old, row)
        return row

    def delete(self, *key: t.Any) -> Row | None:
        old = self._rows.get(key)
        if old is not None:
            self._journal(self, key, old)
            self._replace(key, old, None)
        return old

    def _replace(self, key: Key, old: Row | None, new: Row | None) -> None:
        """Swap ``old`` for ``new`` under ``key`` in the rows and every index (either may be None)."""
        for name, partitions in self._indexes.items():
            partition_of = self._partition_of[name]
            if old is not None:
                part = tuple(partition_of(old)) if partition_of else ()
                rows = partitions[part]
                rows.remove(old)
                if not rows:
                    del partitions[part]
            if new is not None:
                part = tuple(partition_of(new)) if partition_of else ()
                rows = partitions.get(part)
                if rows is None:
                    rows = partitions[part] = SortedKeyList(key=self._order_of[name])
                rows.add(new)
        if new is None:
            del self._rows[key]
        else:
            self._rows[key] = new

    def restore(self, key: Key, old: Row | None) -> None:
        """Undo one write: put back the row that was under ``key`` before it (None: there was none)."""
        self._replace(key, self._rows.get(key), old)
