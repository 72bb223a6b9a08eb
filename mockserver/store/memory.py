"""The in-memory store: every API's data in this process, behind one lock, one transaction per request."""

from __future__ import annotations

import threading
import typing as t

from .blobs import DEFAULT_LIMIT
from .data import ApiData, RawData
from .tables import TableSpec

Loader = t.Callable[[ApiData, t.Any, bool], None]
"""(empty data, seed, consume) -> None: fills the data; with ``consume`` the seed is the loader's to take apart."""
"""Fills an API's empty data from its fixture (seed) data."""


class Store:
    """All mutable state of the server, one namespace per API.

    An API registers its tables, the function that fills them from fixture data, and that data;
    ``reset`` refills them, ``install`` swaps in data built elsewhere (an import) in one step.
    """

    def __init__(self, blob_limit: int = DEFAULT_LIMIT) -> None:
        self._lock = threading.RLock()
        self._blob_limit = blob_limit
        self._tables: dict[str, tuple[TableSpec, ...]] = {}
        self._loaders: dict[str, Loader] = {}
        self._seeds: dict[str, t.Any] = {}
        self._data: dict[str, ApiData] = {}
        self._depth = 0

    def register(self, namespace: str, tables: t.Sequence[TableSpec], load: Loader, seed: t.Any) -> None:
        """Give a namespace its tables, the loader of its fixture data, and that data; load it."""
        with self._lock:
            self._tables[namespace] = tuple(tables)
            self._loaders[namespace] = load
            self._seeds[namespace] = seed
            self._data[namespace] = self.build(namespace, seed)

    @property
    def namespaces(self) -> list[str]:
        return sorted(self._data)

    def fresh(self, namespace: str) -> ApiData:
        """Empty data with the namespace's tables, not installed."""
        return ApiData(self._tables[namespace], self._blob_limit)

    def build(self, namespace: str, seed: t.Any, *, consume: bool = False) -> ApiData:
        """The namespace's data loaded from ``seed`` (fixture data), not installed.

        ``consume``: the caller gives the seed up, and the loader may let go of its records as it
        reads them (the seeds kept for ``reset`` are never given up).
        """
        data = self.fresh(namespace)
        self._loaders[namespace](data, seed, consume)
        return data

    def state(self, namespace: str) -> ApiData:
        """The namespace's data, outside any transaction (tests and tools that only read)."""
        return self._data[namespace]

    def transaction(self, namespace: str) -> _Transaction:
        """Hold the lock while working on one namespace; on an exception, undo every write made inside.

        Transactions nest: an inner one joins the outer, which alone commits or rolls back.
        """
        return _Transaction(self, namespace)

    use = transaction

    def reset(self, namespace: str | None = None) -> None:
        """Rebuild one namespace (or all) from its fixture data."""
        with self._lock:
            for name in [namespace] if namespace else list(self._data):
                self._data[name] = self.build(name, self._seeds[name])

    def install(self, data: t.Mapping[str, ApiData]) -> None:
        """Put whole namespaces in place at once (data built by ``build`` or ``fresh``)."""
        with self._lock:
            unknown = set(data) - set(self._tables)
            if unknown:
                raise KeyError(f"no such namespace: {', '.join(sorted(unknown))}")
            self._data.update(data)

    def dump(self, namespace: str) -> RawData:
        with self._lock:
            return self._data[namespace].dump()

    def snapshot(self) -> dict[str, ApiData]:
        """A copy of every namespace, for ``restore``."""
        with self._lock:
            return {name: data.clone() for name, data in self._data.items()}

    def restore(self, snapshot: t.Mapping[str, ApiData]) -> None:
        with self._lock:
            for name, data in snapshot.items():
                self._data[name] = data.clone()


class _Transaction:
    """``Store.transaction``: a plain context manager, as a generator-based one costs every request a few
    microseconds more."""

    __slots__ = ("_store", "_namespace", "_data", "_outermost")

    def __init__(self, store: Store, namespace: str) -> None:
        self._store = store
        self._namespace = namespace

    def __enter__(self) -> ApiData:
        store = self._store
        store._lock.acquire()
        try:
            data = store._data[self._namespace]
            self._outermost = store._depth == 0
            if self._outermost:
                data.begin()
        except BaseException:
            store._lock.release()
            raise
        store._depth += 1
        self._data = data
        return data

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: t.Any) -> None:
        store = self._store
        try:
            store._depth -= 1
            if self._outermost:
                if kind is None:
                    self._data.commit()
                else:
                    self._data.rollback()
        finally:
            store._lock.release()
