"""What a handler receives (``Call``) and what it returns (``Reply``): plain records, no framework."""

from __future__ import annotations

import dataclasses
import re
import typing as t
from urllib.parse import quote_plus

from .clock import Clock
from .json_body import dump_json


@dataclasses.dataclass(frozen=True)
class Call:
    """One request as a handler sees it: decoded parameters, the body, where it came from, and the app's clock."""

    params: t.Mapping[str, t.Any]
    body: t.Any
    headers: t.Mapping[str, str]
    query: t.Sequence[tuple[str, str]]
    """The query string as sent, decoded, in order, with repeats (for links that echo it)."""
    base_url: str
    """``scheme://host[:port]`` as the client addressed the server (from ``Host``)."""
    mount: str
    """The API's mount point, e.g. ``/api/v4``."""
    path: str
    """The request path below the mount point, still percent-encoded as sent."""
    state: t.Any
    clock: Clock
    """The app's clock: the only time a handler reads, so tests can freeze or move it."""
    operation: t.Mapping[str, t.Any] = dataclasses.field(default_factory=dict)
    """The spec's operation object, for what a handler reads from it (e.g. ``x-required-scopes``)."""

    @property
    def api_url(self) -> str:
        return f"{self.base_url}{self.mount}"

    def url_with_query(self, pairs: t.Iterable[tuple[str, t.Any]]) -> str:
        """This request's absolute URL with another query string."""
        query = "&".join(f"{_query_part(key)}={_query_part(str(value))}" for key, value in pairs)
        return f"{self.api_url}{self.path}?{query}" if query else f"{self.api_url}{self.path}"


class RenderedJson:
    """A JSON body already written as the pipeline would write it (``json_body.dump_json``), sent as it is.

    For what an API renders once and serves many times (a release, kept in its data's ``memo``);
    ``json_array`` joins such parts into a list without reading them again.
    """

    __slots__ = ("content",)

    def __init__(self, content: bytes) -> None:
        self.content = content

    @classmethod
    def of(cls, value: t.Any) -> RenderedJson:
        return cls(dump_json(value))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RenderedJson) and other.content == self.content

    def __hash__(self) -> int:
        return hash(self.content)

    def __repr__(self) -> str:
        return f"RenderedJson({self.content[:60]!r}, {len(self.content)} bytes)"


def json_array(items: t.Sequence[RenderedJson]) -> RenderedJson:
    """The JSON list of ``items``: the bytes ``dump_json`` gives for the list of the values they were made of."""
    if not items:
        return RenderedJson(b"[]")
    parts = [b","] * (2 * len(items) + 1)
    parts[0] = b"["
    parts[-1] = b"]"
    parts[1::2] = [item.content for item in items]
    return RenderedJson(b"".join(parts))


@dataclasses.dataclass
class Reply:
    body: t.Any = None
    """A JSON value (written by ``json_body.dump_json``), a ``RenderedJson``, or bytes/text for other media types."""
    status: int = 200
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    media_type: str = "application/json"


def redirect(location: str) -> Reply:
    return Reply(body=None, status=302, headers={"Location": location})


# What a query string carries as it is: most names and values (page, per_page, 20) are made of these alone.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def _query_part(text: str) -> str:
    """``text`` encoded as ``urlencode`` encodes a name or a value (``quote_plus``), quickly where nothing needs it."""
    return text if _UNRESERVED.fullmatch(text) else quote_plus(text)
