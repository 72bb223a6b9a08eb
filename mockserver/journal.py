"""The request journal: the latest requests the vendor APIs answered, in a ring owned by the app.

``JournalMiddleware`` sits outside the error handling, so it records the status the client got
(an API's own 404 for a method a path does not serve included), and reads the operation routing
put into the scope once the answer is sent. It keeps what a request costs it small: one tuple
per request, holding the scope's header list and query bytes as they are (no copy, no decoding,
no body); redaction and decoding happen when someone reads the journal. The ring
(``collections.deque`` with a ``maxlen``) drops the oldest entry once full, so memory stays
flat however long the server runs.
"""

from __future__ import annotations

import collections
import typing as t

from connexion.middleware.abstract import SpecMiddleware
from connexion.spec import Specification
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .clock import Clock, iso_millis
from .swagger_ui import SPEC_PATH, UI_PATH

__all__ = ["DEFAULT_SIZE", "REDACTED", "Journal", "JournalMiddleware"]

DEFAULT_SIZE = 1000
REDACTED = "[redacted]"
# Headers that carry credentials, whatever the API; any other header whose name holds "token" too.
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "private-token", "job-token", "x-api-key"}
)
ROUTING_CONTEXT = "connexion_routing"


class _Entry(t.NamedTuple):
    moment: t.Any
    method: str
    path: bytes
    query: bytes
    headers: t.Sequence[tuple[bytes, bytes]]
    status: int
    api: str | None
    operation: str | None


class Journal:
    """The latest ``size`` requests; ``entries()`` reads them newest first, ``clear()`` forgets them."""

    def __init__(self, clock: Clock, size: int = DEFAULT_SIZE) -> None:
        self.clock = clock
        self._ring: collections.deque[_Entry] = collections.deque(maxlen=max(size, 0))

    @property
    def capacity(self) -> int:
        return self._ring.maxlen or 0

    def __len__(self) -> int:
        return len(self._ring)

    def record(self, entry: _Entry) -> None:
        # A deque's append is atomic: requests and readers on other threads need no lock.
        self._ring.append(entry)

    def clear(self) -> None:
        self._ring.clear()

    def entries(
        self,
        api: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, t.Any]]:
        """Entries newest first, each filter narrowing them (``path``: the path starts with it)."""
        wanted_method = method.upper() if method else None
        found: list[dict[str, t.Any]] = []
        for entry in reversed(list(self._ring)):
            if limit is not None and len(found) >= limit:
                break
            if api is not None and entry.api != api:
                continue
            if wanted_method is not None and entry.method != wanted_method:
                continue
            if status is not None and entry.status != status:
                continue
            entry_path = entry.path.decode("utf-8", errors="replace")
            if path is not None and not entry_path.startswith(path):
                continue
            found.append(_as_json(entry, entry_path))
        return found


def _as_json(entry: _Entry, path: str) -> dict[str, t.Any]:
    headers: dict[str, str] = {}
    for raw_name, raw_value in entry.headers:
        name = raw_name.decode("latin-1").lower()
        value = REDACTED if _is_secret(name) else raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return {
        "time": iso_millis(entry.moment),
        "api": entry.api,
        "operation": entry.operation,
        "request": {
            "method": entry.method,
            "path": path,
            "query": entry.query.decode("latin-1"),
            "headers": headers,
        },
        "response": {"status": entry.status},
    }


def _is_secret(name: str) -> bool:
    return name in SECRET_HEADERS or "token" in name


class JournalMiddleware(SpecMiddleware):
    """Records every request that reaches it (behind routing) into ``journal``, after its answer started.

    ``unrecorded`` names APIs whose requests are left out (the admin API: reading the journal is not news).
    """

    def __init__(self, app: ASGIApp, journal: Journal | None = None, unrecorded: t.Collection[str] = ()) -> None:
        self.app = app
        self.journal = journal
        self._unrecorded = frozenset(unrecorded)
        self._names: dict[str, str] = {}
        self._skipped: set[str] = set()

    def add_api(self, specification: Specification, base_path: str | None = None, **kwargs: t.Any) -> None:
        mount = (base_path or "").rstrip("/")
        name = str(kwargs.get("name") or mount)
        if name in self._unrecorded:
            self._skipped.add(mount)
        else:
            self._names[mount] = name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        journal = self.journal
        if journal is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status: int | None = None
        # Layers further in may copy the scope; they share this dict, where routing puts the operation.
        extensions = scope.setdefault("extensions", {})

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        except BaseException as error:
            # Only what no layer inside answered gets here (the server then answers 500, or nothing).
            status = status or getattr(error, "status_code", 500)
            raise
        finally:
            # Read after the answer: routing, further in, has put the operation into this same scope.
            routed = extensions.get(ROUTING_CONTEXT, {})
            path = scope.get("raw_path") or scope["path"].encode()
            mount = routed.get("api_base_path")
            if mount is None:
                mount = self._mount_of(path)
            if mount not in self._skipped and not (not routed and self._is_page(path, mount)):
                journal.record(
                    _Entry(
                        journal.clock.now(),
                        scope["method"],
                        path,
                        scope.get("query_string", b""),
                        scope.get("headers", ()),
                        status or 500,
                        self._names.get(mount) if mount is not None else None,
                        routed.get("operation_id"),
                    )
                )

    def _mount_of(self, path: bytes) -> str | None:
        """The API mount a path falls under (the longest), for requests routing answered without an operation."""
        text = path.decode("utf-8", errors="replace")
        under = [mount for mount in [*self._names, *self._skipped] if text == mount or text.startswith(mount + "/")]
        return max(under, key=len) if under else None

    @staticmethod
    def _is_page(path: bytes, mount: str | None) -> bool:
        """The index, an API's Swagger UI or its spec document: pages for people, not calls to record."""
        text = path.decode("utf-8", errors="replace").split("?", 1)[0]
        if text == "/":
            return True
        if mount is None:
            return False
        below = text[len(mount) :]
        return below in (UI_PATH, SPEC_PATH, SPEC_PATH.replace(".json", ".yaml")) or below.startswith(UI_PATH + "/")
