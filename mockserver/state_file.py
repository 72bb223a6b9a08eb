"""The server's state file (``serve --state-file``): a state document read at start and written whole.

Written to a temporary file in the same folder, flushed to disk, then renamed over the old one, so
a reader (or a crash) only ever sees the previous document or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import pathlib
import tempfile
import typing as t


class StateFileUnreadable(ValueError):
    """The state file is there but is not a JSON document."""


def read_state_file(path: pathlib.Path) -> t.Any | None:
    """The document in ``path``; ``None`` when there is no such file yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise StateFileUnreadable(f"{path}: not JSON: {error}") from None


def write_state_file(path: pathlib.Path, document: t.Any) -> pathlib.Path:
    """Replace ``path`` with ``document`` in one step; returns the path written."""
    path = path.absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(document, file, ensure_ascii=False, separators=(",", ":"))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        pathlib.Path(temporary).unlink(missing_ok=True)
        raise
    return path
