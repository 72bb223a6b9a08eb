"""What is GitLab-specific on the wire: error bodies and offset pagination headers (§A.7, §A.9)."""

from __future__ import annotations

import http
import typing as t

from ...errors import InvalidParameter, InvalidParameters, MockError, NotAcceptable
from ...exchange import Call, RenderedJson, Reply
from ...pagination import OffsetPage

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_COUNTED = 10_000
"""Above this many rows GitLab stops counting: no ``X-Total``, ``X-Total-Pages`` or ``rel="last"``."""

_DEFAULT_TEXT = {
    400: "400 Bad request",
    401: "401 Unauthorized",
    403: "403 Forbidden",
    404: "404 Not Found",
    405: "405 Not Allowed",
    409: "409 Conflict",
    413: "413 Request Entity Too Large",
    415: "415 Unsupported Media Type",
    422: "422 Unprocessable Entity",
    500: "500 Internal Server Error",
}

_REASON_TEXT = {
    "missing": "is missing",
    "invalid": "is invalid",
    "not_allowed": "does not have a valid value",
}
# Grape's word for a rule where it is not the reason's: a value that does not read as its type
# (a date that does not parse) or fails a pattern is "is invalid", not outside the allowed values.
# A value a parameter excludes (``not``) is Grape's except_values.
_RULE_TEXT = {
    "type": "is invalid",
    "format": "is invalid",
    "pattern": "is invalid",
    "required": "is missing",
    "not": "has a value not allowed",
}


def render_error(error: MockError) -> Reply:
    """GitLab's shapes: ``{"error": ...}`` for parameter checks and routing, ``{"message": ...}`` otherwise."""
    status = error.status_code
    if isinstance(error, InvalidParameter):
        if error.reason == "malformed":
            body: t.Any = {"error": "The request body is not valid JSON" if error.location == "body" else "is invalid"}
        else:
            problems = error.problems if isinstance(error, InvalidParameters) else [error]
            body = {"error": _grape_messages(problems)}
    elif isinstance(error, NotAcceptable):
        # Grape's formatter refuses a format before GitLab's code runs, in Grape's own shape.
        body = {"error": error.message or _status_line(status)}
    elif isinstance(error.message, dict) and "error" in error.message:
        body = error.message
    elif error.message is not None:
        body = {"message": error.message}
    elif status in (404, 405):
        # Grape's catch-all route and its method check answer with "error", not "message".
        body = {"error": _DEFAULT_TEXT[status]}
    else:
        body = {"message": _DEFAULT_TEXT.get(status) or _status_line(status)}
    return Reply(body, status=status, headers=dict(error.headers))


def _grape_messages(problems: t.Sequence[InvalidParameter]) -> str:
    """``tag_name is missing, ref is missing``: Grape's messages grouped by parameter, each once, joined."""
    by_name: dict[str, list[str]] = {}
    for problem in problems:
        text = _RULE_TEXT.get(problem.rule) or _REASON_TEXT[problem.reason]
        by_name.setdefault(_grape_name(problem.name) or "body", []).append(text)
    messages = [f"{name} {text}" for name, texts in by_name.items() for text in texts]
    return ", ".join(dict.fromkeys(messages))


def _status_line(status: int) -> str:
    """``406 Not Acceptable``: how Rack words a status the list above does not name."""
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _grape_name(dotted: str) -> str:
    """``assets.links.0.url`` -> ``assets[links][0][url]``, as Grape names nested parameters."""
    head, *rest = dotted.split(".") if dotted else [""]
    return head + "".join(f"[{part}]" for part in rest)


def paginate(call: Call, total: int) -> OffsetPage:
    """Kaminari's reading: a page below 1 is the first; a negative page size is ignored (the default)."""
    per_page = call.params.get("per_page")
    if per_page is not None and per_page < 0:
        per_page = None
    return OffsetPage.clamp(call.params.get("page"), per_page, total, default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)


def page_headers(call: Call, page: OffsetPage, *, route_params: t.Iterable[str] = ()) -> dict[str, str]:
    """``X-*`` headers and a ``Link`` header with absolute URLs on the host the client used."""
    counted = page.total <= MAX_COUNTED
    headers = {
        "X-Page": str(page.page),
        "X-Per-Page": str(page.per_page),
        "X-Next-Page": str(page.next_page or ""),
        "X-Prev-Page": str(page.prev_page or ""),
    }
    if counted:
        headers["X-Total"] = str(page.total)
        headers["X-Total-Pages"] = str(page.total_pages)
    # Like Rails' to_query: every parameter of the request, route ones included, keys sorted.
    params = {key: value for key, value in call.query if key not in ("page", "per_page")}
    params.update({name: str(call.params[name]) for name in route_params if name in call.params})
    params["per_page"] = str(page.per_page)

    def url(number: int) -> str:
        return call.url_with_query(sorted({**params, "page": str(number)}.items()))

    links = []
    if page.prev_page:
        links.append(f'<{url(page.prev_page)}>; rel="prev"')
    if page.next_page:
        links.append(f'<{url(page.next_page)}>; rel="next"')
    links.append(f'<{url(1)}>; rel="first"')
    if counted:
        links.append(f'<{url(page.total_pages)}>; rel="last"')
    headers["Link"] = ", ".join(links)
    return headers


def paged_reply(
    call: Call, items: list[t.Any] | RenderedJson, page: OffsetPage, *, route_params: t.Iterable[str] = ()
) -> Reply:
    return Reply(items, headers=page_headers(call, page, route_params=route_params))
