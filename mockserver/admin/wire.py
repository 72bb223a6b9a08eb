"""What the admin API says on the wire: ``{"message": ..., "problems": [...]}`` for every error, and its token."""

from __future__ import annotations

import hmac
import http
import typing as t

from ..errors import InvalidParameter, MockError, Unauthorized
from ..exchange import Reply

_REASON_TEXT = {
    "missing": "a value is required",
    "invalid": "the value is not of the expected type or shape",
    "not_allowed": "the value is not allowed",
    "malformed": "the value cannot be read",
}


def render_error(error: MockError) -> Reply:
    """Every rejection in one shape; a message that is already that shape (an import's) goes out as it is."""
    status = error.status_code
    if isinstance(error.message, dict):
        body: dict[str, t.Any] = {**error.message}
        body.setdefault("problems", [])
    elif isinstance(error, InvalidParameter):
        where = f"{error.location} {error.name}".strip() if error.name else error.location
        body = {
            "message": "the request is not valid",
            "problems": [{"where": where, "reason": error.detail or _REASON_TEXT[error.reason]}],
        }
    else:
        body = {"message": error.message if isinstance(error.message, str) else _phrase(status), "problems": []}
    return Reply(body, status=status, headers=dict(error.headers))


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"status {status}"


def require_token(headers: t.Mapping[str, str], token: str | None) -> None:
    """``Unauthorized`` unless the server has no admin token, or ``Authorization: Bearer <token>`` carries it."""
    if token is None:
        return
    scheme, _, sent = (headers.get("authorization") or "").partition(" ")
    # Compared in constant time: the admin token guards the whole state.
    if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), token.encode()):
        raise Unauthorized(
            "this server needs its admin token: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": 'Bearer realm="release-mock admin"'},
        )
