"""In-memory state: one namespace per API, thread-safe, resettable to the loaded fixtures.

The store knows nothing of HTTP or of any API's entities. An API hands it a *factory* that
builds its state from fixture data; the store keeps the fixture data, builds the state, and
can rebuild it (``reset``), copy it (``snapshot``) and put a copy back (``restore``).

``Table`` is the building block APIs use inside their state: rows by key plus sorted indexes,
so that a page of a sorted listing costs O(log n + page size), not O(n).
"""

from __future__ import annotations

import copy
import threading
import typing as t
from contextlib import contextmanager

from sortedcontainers import SortedKeyList

K = t.TypeVar("K")
R = t.TypeVar("R")
State = t.Any
StateFactory = t.Callable[[t.Any], State]


class Table(t.Generic[K, R]):
    """Rows by key, with named sorted indexes kept up to date on every write.

    Rows are replaced, never mutated in place: an index entry is found again by its key, so
    a row whose sort key changed while indexed could no longer be removed.
    """

    def __init__(self, indexes: t.Mapping[str, t.Callable[[R], t.Any]] | None = None) -> None:
        self._rows: dict[K, R] = {}
        self._indexes: dict[str, SortedKeyList] = {
            name: SortedKeyList(key=key) for name, key in (indexes or {}).items()
        }

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __iter__(self) -> t.Iterator[R]:
        return iter(list(self._rows.values()))

    def get(self, key: K) -> R | None:
        return self._rows.get(key)

    def keys(self) -> list[K]:
        return list(self._rows)

    def put(self, key: K, row: R) -> R:
        """Insert or replace the row under ``key``."""
        old = self._rows.get(key)
        if old is not None:
            for index in self._indexes.values():
                index.remove(old)
        self._rows[key] = row
        for index in self._indexes.values():
            index.add(row)
        return row

    def delete(self, key: K) -> R | None:
        row = self._rows.pop(key, None)
        if row is not None:
            for index in self._indexes.values():
                index.remove(row)
        return row

    def ordered(self, index: str, *, descending: bool = False) -> t.Iterator[R]:
        """All rows in index order, lazily."""
        return iter(self._indexes[index].islice(reverse=descending))

    def window(self, index: str, *, offset: int, limit: int, descending: bool = False) -> list[R]:
        """Rows ``offset`` to ``offset + limit`` in index order: O(log n + limit)."""
        rows = self._indexes[index]
        total = len(rows)
        if offset >= total or limit <= 0:
            return []
        if descending:
            stop = total - offset
            start = max(0, stop - limit)
            return list(rows.islice(start, stop, reverse=True))
        return list(rows.islice(offset, min(total, offset + limit)))

    def first(self, index: str, *, descending: bool = False) -> R | None:
        rows = self._indexes[index]
        if not rows:
            return None
        return rows[-1] if descending else rows[0]


class Store:
    """All mutable state of the server, by API namespace."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._seeds: dict[str, t.Any] = {}
        self._factories: dict[str, StateFactory] = {}
        self._states: dict[str, State] = {}

    def register(self, namespace: str, factory: StateFactory, seed: t.Any) -> None:
        """Give a namespace its fixture data and the function that builds state from it."""
        with self._lock:
            self._factories[namespace] = factory
            self._seeds[namespace] = seed
            self._states[namespace] = factory(copy.deepcopy(seed))

    @property
    def namespaces(self) -> list[str]:
        return sorted(self._states)

    def state(self, namespace: str) -> State:
        return self._states[namespace]

    @contextmanager
    def use(self, namespace: str) -> t.Iterator[State]:
        """Hold the store's lock while working on one namespace's state."""
        with self._lock:
            yield self._states[namespace]

    def reset(self, namespace: str | None = None) -> None:
        """Rebuild one namespace (or all) from its fixture data."""
        with self._lock:
            for name in [namespace] if namespace else list(self._factories):
                self._states[name] = self._factories[name](copy.deepcopy(self._seeds[name]))

    def snapshot(self) -> dict[str, State]:
        with self._lock:
            return copy.deepcopy(self._states)

    def restore(self, snapshot: dict[str, State]) -> None:
        with self._lock:
            self._states.update(copy.deepcopy(snapshot))
