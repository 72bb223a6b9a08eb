"""Errors a handler or validator raises; each API's renderer turns them into its own wire shape.

    MockError
    ├── BadRequest (400)
    │   └── InvalidParameter (400)      a parameter or body field failed the spec
    ├── Unauthorized (401)
    ├── Forbidden (403)
    ├── NotFound (404)
    ├── MethodNotAllowed (405)
    ├── Conflict (409)
    ├── PayloadTooLarge (413)
    ├── UnsupportedMediaType (415)
    ├── Unprocessable (422)
    └── StatusError (any)           a status the HTTP framework raised that no class above stands for

An error carries an optional ``message`` in the owning API's own words (a string, or for
APIs that report per-field errors, a dict or list). Errors raised by the shared layers
(routing, validation) leave it ``None`` and the renderer supplies the API's default text.
"""

from __future__ import annotations

import typing as t

Message = str | dict | list | None


class MockError(Exception):
    status_code: int = 500

    def __init__(self, message: Message = None, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message if message is not None else type(self).__name__)
        self.message = message
        self.headers = dict(headers or {})


class BadRequest(MockError):
    status_code = 400


class InvalidParameter(BadRequest):
    """A request parameter or body field that does not satisfy the spec.

    ``location`` is ``query``, ``path``, ``header`` or ``body``; ``name`` is the parameter name
    or the dotted path inside the body (``assets.links.0.url``); ``reason`` is one of
    ``missing``, ``invalid`` (wrong type or shape) or ``not_allowed`` (outside an enum or range).
    ``value`` is the value found there, when there is one to report (APIs that echo it, like Chkk).
    """

    REASONS = ("missing", "invalid", "not_allowed", "malformed")

    def __init__(self, location: str, name: str, reason: str, detail: str = "", *, value: t.Any = None) -> None:
        if reason not in self.REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(None)
        self.location = location
        self.name = name
        self.reason = reason
        self.detail = detail
        self.value = value

    def __str__(self) -> str:
        return f"{self.location} {self.name or '(body)'}: {self.reason} {self.detail}".strip()


class Unauthorized(MockError):
    status_code = 401


class Forbidden(MockError):
    status_code = 403


class NotFound(MockError):
    status_code = 404


class MethodNotAllowed(MockError):
    status_code = 405

    def __init__(self, allowed: t.Iterable[str], method: str | None = None) -> None:
        allow = ", ".join(sorted(set(allowed)))
        super().__init__(None, headers={"Allow": allow})
        self.allowed = allow
        self.method = method
        """The method that was refused, for the APIs whose message names it."""


class Conflict(MockError):
    status_code = 409


class PayloadTooLarge(MockError):
    status_code = 413


class UnsupportedMediaType(MockError):
    status_code = 415


class Unprocessable(MockError):
    status_code = 422


class StatusError(MockError):
    """A status Starlette or Connexion raised that has no class of its own (406, 411, 414, 431, ...).

    It keeps the status; each API's renderer words it as that API words any error.
    """

    def __init__(self, status_code: int, message: Message = None, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, headers=headers)
        self.status_code = status_code
