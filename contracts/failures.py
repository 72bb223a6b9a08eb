"""What a contract check raises: ``ContractFailure``, with the request that shows it, and token redaction."""

from __future__ import annotations

import dataclasses
import typing as t

import httpx

from . import curl

# ContractFailure           a departure from the contract, raised by a check (or returned by a state machine)
#   .request: RequestRecord the request that showed it, enough to replay it with curl


@dataclasses.dataclass(frozen=True)
class RequestRecord:
    """One HTTP request as sent: what a report needs to print a ``curl`` command that replays it."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None

    @classmethod
    def of(cls, request: httpx.Request | RequestRecord | None) -> RequestRecord | None:
        if request is None or isinstance(request, RequestRecord):
            return request
        body = request.read() or None
        return cls(request.method, str(request.url), tuple(request.headers.multi_items()), body)

    def redacted(self, secrets: t.Mapping[str, str]) -> RequestRecord:
        """A copy where every secret (a token) is replaced by its placeholder, wherever it appears."""
        body = self.body
        if body is not None:
            for secret, placeholder in secrets.items():
                body = body.replace(secret.encode(), placeholder.encode())
        return RequestRecord(
            self.method,
            redact(self.url, secrets),
            tuple((name, redact(value, secrets)) for name, value in self.headers),
            body,
        )

    def as_curl(self, variables: t.Iterable[str] = ()) -> str:
        """A shell command that sends this request again; ``variables`` (``$GITLAB_TOKEN``) expand in the shell."""
        return curl.command(self, variables)


def redact(text: str, secrets: t.Mapping[str, str]) -> str:
    for secret, placeholder in secrets.items():
        if secret:
            text = text.replace(secret, placeholder)
    return text


class ContractFailure(AssertionError):
    """A server departed from the contract: which check saw it, on which operation, and the request that showed it."""

    def __init__(
        self,
        check: str,
        operation: str,
        message: str,
        request: httpx.Request | RequestRecord | None = None,
        *,
        steps: t.Sequence[RequestRecord] = (),
    ) -> None:
        super().__init__(f"{check} on {operation}: {message}")
        self.check = check
        self.operation = operation
        self.message = message
        self.request = RequestRecord.of(request)
        self.steps = tuple(steps)
        """Requests sent before ``request`` that reproducing the failure needs (a stateful sequence)."""

    def redacted(self, secrets: t.Mapping[str, str]) -> ContractFailure:
        return ContractFailure(
            self.check,
            self.operation,
            redact(self.message, secrets),
            self.request.redacted(secrets) if self.request else None,
            steps=[step.redacted(secrets) for step in self.steps],
        )

    def __repr__(self) -> str:
        return f"ContractFailure({self.check!r}, {self.operation!r}, {self.message!r})"
