"""Errors a handler or validator raises; each API's renderer turns them into its own wire shape.

    MockError
    ├── BadRequest (400)
    │   └── InvalidParameter (400)      a parameter or body field failed the spec
    │       └── InvalidParameters (400) several at once, for APIs that report every problem
    ├── Unauthorized (401)
    ├── Forbidden (403)
    ├── NotFound (404)
    ├── MethodNotAllowed (405)
    ├── NotAcceptable (406)         a format the API does not serve was asked for
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
    ``rule`` is the schema keyword that failed (``type``, ``pattern``, ``enum``, ...), for APIs that
    word each rule their own way; ``type`` also stands for a value that could not be read as its type.
    """

    REASONS = ("missing", "invalid", "not_allowed", "malformed")

    def __init__(
        self, location: str, name: str, reason: str, detail: str = "", *, value: t.Any = None, rule: str = ""
    ) -> None:
        if reason not in self.REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(None)
        self.location = location
        self.name = name
        self.reason = reason
        self.detail = detail
        self.value = value
        self.rule = rule

    def __str__(self) -> str:
        return f"{self.location} {self.name or '(body)'}: {self.reason} {self.detail}".strip()


class InvalidParameters(InvalidParameter):
    """Several parameters failed at once. It reads as the first of them, so a renderer that
    reports one problem needs nothing more; ``problems`` lists all, in the order found."""

    def __init__(self, problems: t.Sequence[InvalidParameter]) -> None:
        first = problems[0]
        super().__init__(first.location, first.name, first.reason, first.detail, value=first.value, rule=first.rule)
        self.problems = list(problems)


def reported(problems: t.Sequence[MockError]) -> MockError:
    """What to raise for the problems found: the first alone, or every parameter problem at once.

    A problem worded by the spec (``x-error``) or by no parameter stands alone, as it does where
    one problem is reported.
    """
    first = problems[0]
    parameters = [problem for problem in problems if isinstance(problem, InvalidParameter)]
    if not isinstance(first, InvalidParameter) or len(parameters) == 1:
        return first
    return InvalidParameters(parameters)


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


class NotAcceptable(MockError):
    status_code = 406


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
