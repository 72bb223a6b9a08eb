"""Which OpenAPI documents already passed the meta-schema check: content hashes in a small file in the user's cache.

Checking our three specs against the OpenAPI 3.1 meta-schema took about two thirds of a second of
every start, for documents that rarely change. A document whose exact bytes passed before, under
the same validator, is taken as valid; any other document is checked. The file lives under
``$XDG_CACHE_HOME/release-mock/`` (``~/.cache/release-mock/`` by default), never beside the code,
and a cache that cannot be read or written only means the check runs every time.

Beside it, each such document is kept as it was read, in JSON (``documents/<hash>.json``): reading
the YAML took a tenth of a second of every start, JSON a millisecond. Only a document that JSON
holds exactly is kept (a YAML date or a number as a key would come back changed).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import pathlib
import typing as t

import orjson
import yaml

CACHE_FILE = "validated-specs.txt"
DOCUMENTS = "documents"
"""The folder, beside ``CACHE_FILE``, of the documents known valid, as read (JSON, by hash)."""
KEPT_ENTRIES = 64
"""Enough for every spec of a few checkouts and versions; older hashes are dropped first."""
RULES = "openapi-3.1-meta-schema+version-3.1.x/1"
"""Bump when ``OpenAPI31Specification._validate_spec`` checks something new: older entries stop counting."""


def user_cache_dir() -> pathlib.Path | None:
    """``$XDG_CACHE_HOME/release-mock``, else ``~/.cache/release-mock``; None when there is no home to speak of."""
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return pathlib.Path(base) / "release-mock"
    try:
        return pathlib.Path.home() / ".cache" / "release-mock"
    except RuntimeError:
        return None


def validator_fingerprint() -> bytes:
    """The installed ``openapi-spec-validator``, told apart by its ``__init__.py`` (which holds its version).

    A new validator may find what the old one missed, so its hashes start afresh. Read from the file
    because importing the validator (an eighth of a second) is what the cache is there to avoid.
    """
    found = importlib.util.find_spec("openapi_spec_validator")
    if found is None or found.origin is None:
        return b"openapi_spec_validator: not found"
    return pathlib.Path(found.origin).read_bytes()


class ValidatedSpecs:
    """The set of document hashes known to pass the check, read once and written back on ``add``."""

    def __init__(self, directory: pathlib.Path | None) -> None:
        self._file = directory / CACHE_FILE if directory is not None else None
        self._salt = hashlib.sha256(RULES.encode() + b"\0" + validator_fingerprint()).digest()
        self._known = self._read()

    @classmethod
    def in_user_cache(cls) -> ValidatedSpecs:
        return cls(user_cache_dir())

    def key(self, content: bytes) -> str:
        """The hash a document's bytes are known by, under this validator and these rules."""
        return hashlib.sha256(self._salt + content).hexdigest()

    def __contains__(self, key: str) -> bool:
        return key in self._known

    def add(self, key: str) -> None:
        """Remember ``key``; a cache that cannot be written is left as it is (the check simply runs next time)."""
        if key in self._known or self._file is None:
            return
        self._known = [*self._known, key][-KEPT_ENTRIES:]
        scratch = self._file.with_name(f"{CACHE_FILE}.{os.getpid()}.tmp")
        try:
            self._file.parent.mkdir(parents=True, exist_ok=True)
            scratch.write_text("".join(f"{known}\n" for known in self._known), encoding="ascii")
            # Atomic, so two servers starting at once never leave a half-written file.
            os.replace(scratch, self._file)
        except OSError:
            with contextlib.suppress(OSError):
                scratch.unlink(missing_ok=True)

    def document(self, key: str) -> dict[str, t.Any] | None:
        """The document known by ``key`` as it was read when it was found valid, or None when it is not kept."""
        path = self._document_path(key)
        if path is None or key not in self._known:
            return None
        try:
            document = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        return document if isinstance(document, dict) else None

    def keep_document(self, key: str, document: t.Any) -> None:
        """Keep the document of ``key`` (one known valid) for the next start, if JSON holds it exactly."""
        path = self._document_path(key)
        if path is None or key not in self._known:
            return
        try:
            content = orjson.dumps(document)
        except TypeError:
            return
        if orjson.loads(content) != document:
            return
        scratch = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            scratch.write_bytes(content)
            os.replace(scratch, path)
            # The documents of hashes no longer listed go with them.
            for kept in path.parent.glob("*.json"):
                if kept.name.split("-", 1)[0] not in self._known:
                    kept.unlink(missing_ok=True)
        except OSError:
            with contextlib.suppress(OSError):
                scratch.unlink(missing_ok=True)

    def _document_path(self, key: str) -> pathlib.Path | None:
        # The YAML reader's version is in the name: another might read the same bytes differently.
        return self._file.parent / DOCUMENTS / f"{key}-{yaml.__version__}.json" if self._file is not None else None

    def _read(self) -> list[str]:
        if self._file is None:
            return []
        try:
            text = self._file.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            return []
        return [line for line in text.split() if len(line) == 64]
