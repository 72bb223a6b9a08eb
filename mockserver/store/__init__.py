"""The store: every API's state as data (JSON rows in tables with indexes, counters, file contents).

Layout: ``tables`` (declarations and the in-memory table), ``data`` (one API's tables, counters
and blobs, with the journal a transaction rolls back), ``blobs`` (contents by digest), ``memory``
(the ``Store``: namespaces, the lock, one transaction per request), ``memo`` (what an API derived
from its data, such as rendered views, kept until the data changes). APIs declare their tables as
field names (``TableSpec``, ``Index``), so that a Redis backend can implement the same interface
(a hash per row, a sorted set per index partition, counters, MULTI/EXEC per request) without
touching them.
"""

from .blobs import Blobs, BlobTooLarge, digest_of
from .data import ApiData, RawData, UnknownTable
from .memo import Memo
from .memory import Store
from .tables import Index, Row, Table, TableSpec

__all__ = [
    "ApiData",
    "BlobTooLarge",
    "Blobs",
    "Index",
    "Memo",
    "RawData",
    "Row",
    "Store",
    "Table",
    "TableSpec",
    "UnknownTable",
    "digest_of",
]
