"""What is Chkk-specific on the wire: RFC 9457 problem documents (``ErrorModel``) and continuation tokens."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import http
import re
import typing as t

from ...errors import InvalidParameter, MockError
from ...exchange import Reply
from .auth import UNAUTHORIZED

PROBLEM_JSON = "application/problem+json"

_DEFAULT_DETAIL = {
    400: "The request is not valid.",
    401: UNAUTHORIZED,
    404: "Nothing is found at this path.",
    405: "The method is not allowed here; the Allow header lists those that are.",
    413: "The request body is too large.",
    415: "The request's content type is not supported.",
    500: "The server could not answer the request.",
}

_REASON_TEXT = {
    "missing": "required value is missing",
    "invalid": "value is not of the expected type",
    "not_allowed": "value is not allowed",
    "malformed": "value cannot be parsed",
}


def render_error(error: MockError) -> Reply:
    """Every rejection as an ``ErrorModel``; parameter problems listed in ``errors``."""
    status = error.status_code
    body: dict[str, t.Any] = {"type": "about:blank", "title": _title(status), "status": status}
    if isinstance(error, InvalidParameter):
        body["detail"] = "validation failed"
        detail: dict[str, t.Any] = {
            "message": error.detail or _REASON_TEXT[error.reason],
            "location": error_location(error.location, error.name),
        }
        if error.value is not None:
            detail["value"] = error.value
        body["errors"] = [detail]
    elif error.message is not None:
        body["detail"] = error.message if isinstance(error.message, str) else str(error.message)
    else:
        body["detail"] = _DEFAULT_DETAIL.get(status, body["title"])
    return Reply(body, status=status, headers=dict(error.headers), media_type=PROBLEM_JSON)


def _title(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_location(location: str, name: str) -> str:
    """``query`` + ``page_size`` -> ``query.page_size``; ``body`` + ``items.3.tags`` -> ``body.items[3].tags``."""
    parts = [location]
    for part in name.split(".") if name else []:
        if part.isdigit() and len(parts) > 1:
            parts[-1] += f"[{part}]"
        else:
            parts.append(part)
    return ".".join(parts)


# Continuation tokens: the offset of the next page, with a check that ties it to the listing
# (the Project) it came from. Opaque to clients; only tokens issued here are accepted.
_TOKEN_KEY = b"release-mock/chkk/continuation-token"
_PAYLOAD = re.compile(r"(0|[1-9][0-9]{0,8}):([0-9a-f]{16})")


def continuation_token(listing: str, offset: int) -> str:
    check = hashlib.blake2b(f"{listing}\n{offset}".encode(), key=_TOKEN_KEY, digest_size=8).hexdigest()
    return base64.urlsafe_b64encode(f"{offset}:{check}".encode()).decode("ascii").rstrip("=")


def read_continuation_token(listing: str, token: str | None) -> int:
    """The offset a token stands for (0 without one); a 400 naming ``query.continuation_token`` otherwise."""
    if token is None:
        return 0
    payload = _decode(token)
    match = _PAYLOAD.fullmatch(payload) if payload is not None else None
    if match is None or not hmac.compare_digest(continuation_token(listing, int(match.group(1))), token):
        raise InvalidParameter(
            "query", "continuation_token", "invalid", "not a continuation token issued for this listing", value=token
        )
    return int(match.group(1))


def _decode(token: str) -> str | None:
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
        return raw.decode("ascii")
    except (binascii.Error, ValueError):
        return None
