"""What is Sentry-specific on the wire: DRF-style error bodies, cursor pagination (§B.5), file downloads.

Release lists page with Sentry's offset paginator (``OffsetPage``); the other lists with
absolute offsets and a count (``CursorPage``).
"""

from __future__ import annotations

import dataclasses
import email.header
import http
import posixpath
import re
import sys
import typing as t
from urllib.parse import urlencode

from ...errors import BadRequest, InvalidParameter, MethodNotAllowed, MockError
from ...exchange import Call, Reply
from ...ids import read_integer

DEFAULT_PER_PAGE = 100
PERIODS = "1h, 24h, 1d, 48h, 2d, 7d, 14d, 30d, 90d"

# Query parameters Sentry checks by hand, with the words it uses.
_QUERY_MESSAGES = {
    ("per_page", "invalid"): "Invalid per_page parameter.",
    ("per_page", "not_allowed"): "Invalid per_page value. Must be between 1 and 100.",
    ("cursor", "invalid"): "Invalid cursor parameter.",
    ("cursor", "not_allowed"): "Invalid cursor parameter.",
    ("status", "not_allowed"): "invalid value for status",
    ("sort", "not_allowed"): "invalid sort",
    ("summaryStatsPeriod", "not_allowed"): f"Invalid summaryStatsPeriod. Valid choices are '{PERIODS}'",
    ("healthStatsPeriod", "not_allowed"): f"Invalid healthStatsPeriod. Valid choices are '{PERIODS}'",
    ("healthStat", "not_allowed"): "invalid healthStat",
    ("project", "invalid"): "Invalid project",
    ("project_id", "invalid"): "Invalid project",
}

# Django REST framework's field messages.
_FIELD_MESSAGES = {
    "missing": "This field is required.",
    "invalid": "Incorrect type.",
    "not_allowed": "Ensure this value is valid.",
    "malformed": "Malformed request.",
}

_DEFAULT_DETAIL = {
    400: "Invalid request.",
    401: "Authentication credentials were not provided.",
    403: "You do not have permission to perform this action.",
    404: "The requested resource does not exist",
    405: "Method not allowed.",
    409: "Conflict.",
    413: "Request entity too large.",
    415: "Unsupported media type in request.",
    500: "Internal Error",
}


def render_error(error: MockError) -> Reply:
    """``{"detail": ...}`` for request-level problems, ``{"field": ["..."]}`` for body fields."""
    status = error.status_code
    if isinstance(error, InvalidParameter):
        if error.location == "body" and error.reason == "malformed":
            body: t.Any = {"detail": f"JSON parse error - {error.detail}" if error.detail else "Malformed request."}
        elif error.location == "body":
            field = error.name.split(".")[0] if error.name else "non_field_errors"
            body = {field: [_FIELD_MESSAGES[error.reason]]}
        else:
            default = f"Invalid {error.name} parameter."
            body = {"detail": _QUERY_MESSAGES.get((error.name, error.reason), default)}
    elif isinstance(error, MethodNotAllowed) and error.method:
        # Django REST framework names the refused method.
        body = {"detail": f'Method "{error.method}" not allowed.'}
    elif isinstance(error.message, dict):
        body = error.message
    elif error.message is not None:
        body = {"detail": error.message}
    else:
        body = {"detail": _DEFAULT_DETAIL.get(status) or _reason(status)}
    return Reply(body, status=status, headers=dict(error.headers))


def _reason(status: int) -> str:
    """A sentence for a status the list above does not name (``Not Acceptable.``)."""
    try:
        return f"{http.HTTPStatus(status).phrase}."
    except ValueError:
        return "Error."


@dataclasses.dataclass(frozen=True)
class Cursor:
    value: int
    offset: int
    is_prev: bool

    def __str__(self) -> str:
        return f"{self.value}:{self.offset}:{int(self.is_prev)}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor:
        if not text:
            return cls(0, 0, False)
        try:
            value, offset, is_prev = text.split(":")
            # Numerals of any length: float() makes a long value infinite, int() refuses 4,300 digits.
            return cls(read_integer(value.partition(".")[0]), read_integer(offset), bool(int(is_prev)))
        except ValueError:
            raise InvalidParameter("query", "cursor", "invalid") from None


@dataclasses.dataclass(frozen=True)
class CursorPage:
    offset: int
    limit: int
    total: int

    @classmethod
    def of(cls, call: Call, total: int) -> CursorPage:
        cursor = Cursor.parse(call.params.get("cursor"))
        return cls(offset=cursor.offset, limit=call.params.get("per_page") or DEFAULT_PER_PAGE, total=total)

    @property
    def previous(self) -> Cursor:
        return Cursor(0, max(0, self.offset - self.limit), True)

    @property
    def next(self) -> Cursor:
        return Cursor(0, self.offset + self.limit, False)

    def slice(self, rows: t.Sequence[t.Any]) -> list[t.Any]:
        return list(rows[self.offset : self.offset + self.limit])


@dataclasses.dataclass(frozen=True)
class OffsetPage:
    """A page of a release list, as Sentry's offset paginator reads its cursor: ``limit:page:is_prev``.

    The cursor's value is the page size it was made for and its offset the page number, so the
    page starts at their product. Rows are asked for one past the page (``stop``), which says
    whether a next page exists; nothing counts the whole list, and no ``X-Hits`` is sent.
    """

    cursor: Cursor
    limit: int

    @classmethod
    def of(cls, call: Call) -> OffsetPage:
        page = cls(Cursor.parse(call.params.get("cursor")), call.params.get("per_page") or DEFAULT_PER_PAGE)
        if page.start < 0:
            raise BadRequest("Pagination offset cannot be negative")
        return page

    @property
    def start(self) -> int:
        return self.cursor.offset * self.cursor.value

    @property
    def stop(self) -> int:
        """One past the page: the extra row says whether another page follows."""
        return self.start + (self.cursor.value or self.limit) + 1

    def split(self, fetched: t.Sequence[t.Any]) -> tuple[list[t.Any], bool]:
        """The page's rows out of rows ``start`` to ``stop``, and whether more follow.

        A cursor made for another page size fetches that many; Sentry then keeps the last
        ``limit + 1`` of them, which this repeats.
        """
        rows = list(fetched)
        if self.cursor.value != self.limit:
            rows = rows[-(self.limit + 1) :]
        return rows[: self.limit], len(rows) > self.limit

    def links(self, call: Call, has_next: bool) -> str:
        page = self.cursor.offset
        previous = Cursor(self.limit, page - 1, True)
        following = Cursor(self.limit, page + 1, False)
        return link_header(call, (previous, page > 0), (following, has_next))


def link_header(call: Call, previous: tuple[Cursor, bool], following: tuple[Cursor, bool]) -> str:
    """Both ``previous`` and ``next`` always, each with ``results`` and ``cursor``, as Sentry writes them."""
    query = urlencode([(key, value) for key, value in call.query if key != "cursor"])
    base = f"{call.api_url}{call.path}?{query}&cursor="
    return ", ".join(
        f'<{base}{cursor}>; rel="{rel}"; results="{str(results).lower()}"; cursor="{cursor}"'
        for rel, (cursor, results) in (("previous", previous), ("next", following))
    )


def paged_reply(call: Call, items: list[t.Any], page: CursorPage) -> Reply:
    """A page of a list whose paginator counts: ``X-Hits`` says how many there are."""
    has_previous = page.offset > 0
    has_next = page.offset + page.limit < page.total
    link = link_header(call, (page.previous, has_previous), (page.next, has_next))
    return Reply(items, headers={"Link": link, "X-Hits": str(page.total), "X-Max-Hits": str(page.total)})


def offset_reply(call: Call, items: list[t.Any], page: OffsetPage, has_next: bool) -> Reply:
    return Reply(items, headers={"Link": page.links(call, has_next)})


# Control characters other than whitespace (which the name's split() already turned into spaces):
# no HTTP field value may carry them, and uvicorn drops the connection rather than send one.
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def attachment(name: str) -> str:
    """``Content-Disposition`` of a release file download, as Sentry writes it (whitespace runs become one space).

    Django MIME-encodes a header value that latin-1 cannot carry, rather than failing.
    """
    value = f'attachment; filename="{posixpath.basename(_CONTROL.sub("", " ".join(name.split())))}"'
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        value = email.header.Header(value, "utf-8", maxlinelen=sys.maxsize).encode()
    return value
