"""One API over HTTP for the checks and the state machines: the token, the sandbox guard, the operations reached."""

from __future__ import annotations

import dataclasses
import typing as t

import httpx

from .failures import ContractFailure, RequestRecord
from .operations import READ_METHODS, OperationIndex
from .profiles import ApiProfile
from .sandbox import GuardedTransport, SandboxGuard, SandboxViolation


class WriteInReadOnlyMode(RuntimeError):
    """A check tried to send something other than GET or HEAD under ``--read-only``: a bug in the check."""


@dataclasses.dataclass(frozen=True)
class Reply:
    """A state machine's answer: the response with the operation it reached, so any check on it can fail precisely.

    ``fail`` raises ``raise_as(check)``: the state machines give each check an exception type of its
    own (a ``ContractFailure`` subclass) so that Hypothesis shrinks each broken property apart.
    """

    operation: str
    response: httpx.Response
    raise_as: t.Callable[[str], type[ContractFailure]] = dataclasses.field(default=lambda check: ContractFailure)

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def request(self) -> RequestRecord | None:
        return RequestRecord.of(self.response.request)

    def fail(self, check: str, message: str) -> t.NoReturn:
        raise self.raise_as(check)(check, self.operation, message, self.response.request)

    def expect_status(self, check: str, *expected: int) -> None:
        if self.status not in expected:
            wanted = " or ".join(str(code) for code in expected)
            self.fail(check, f"expected status {wanted}, got {self.status}: {self.response.text[:200]}")

    def json(self, check: str) -> t.Any:
        try:
            return self.response.json()
        except ValueError:  # json.JSONDecodeError and UnicodeDecodeError both are
            self.fail(check, f"the body is not JSON: {self.response.text[:200]!r}")

    def object(self, check: str) -> dict[str, t.Any]:
        body = self.json(check)
        if not isinstance(body, dict):
            self.fail(check, f"expected a JSON object, got {type(body).__name__}")
        return body

    def array(self, check: str) -> list[t.Any]:
        body = self.json(check)
        if not isinstance(body, list):
            self.fail(check, f"expected a JSON array, got {type(body).__name__}")
        return body


class Session:
    """Sends a check's requests; ``fail()`` raises a ``ContractFailure`` naming the check, operation and request.

    ``base_url`` is the API's (the server's root and the API's mount). Every request goes through
    the run's ``SandboxGuard``: a write it refuses is never sent and fails the check as ``sandbox_guard``.
    """

    def __init__(
        self,
        profile: ApiProfile,
        base_url: str,
        token: str,
        sandbox: t.Mapping[str, str],
        *,
        read_only: bool,
        guard: SandboxGuard | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.profile = profile
        self.base_url = base_url.rstrip("/")
        self.sandbox = dict(sandbox)
        self.read_only = read_only
        self.index = OperationIndex.load(profile.spec)
        self.check = "setup"
        self.exercised: list[str] = []
        self.last: httpx.Response | None = None
        """The latest answer, which a failure without a response of its own points at."""
        self._token = token
        # The guard's probes are reads, on a client of their own that the guard does not watch.
        self._probes = httpx.Client(timeout=timeout, follow_redirects=False, headers=self.auth_headers)
        self.guard = guard or SandboxGuard(
            profile.sandbox_rules,
            self.index,
            self.sandbox,
            lambda path: self._probes.get(self.base_url + path).status_code,
        )
        transport = GuardedTransport(self.guard, self.base_url)
        self._client = httpx.Client(timeout=timeout, follow_redirects=False, transport=transport)

    def close(self) -> None:
        self._client.close()
        self._probes.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def auth_headers(self) -> dict[str, str]:
        return self.profile.auth_headers(self._token)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: t.Any = None,
        json: t.Any = None,
        files: t.Any = None,
        content: bytes | None = None,
        authenticated: bool = True,
        headers: t.Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """``path`` is relative to the API's base URL and already percent-encoded (see ``operations.fill``)."""
        if self.read_only and method.upper() not in READ_METHODS:
            raise WriteInReadOnlyMode(f"{self.check} sent {method} {path} in read-only mode")
        all_headers = {**(self.auth_headers if authenticated else {}), **(headers or {})}
        url = path if _absolute(path) else self.base_url + path
        request = self._client.build_request(
            method, url, params=params, json=json, files=files, content=content, headers=all_headers
        )
        try:
            response = self._client.send(request)
        except SandboxViolation as refused:
            raise ContractFailure("sandbox_guard", self.operation_of(request), str(refused), request) from None
        self.exercised.append(self.operation_of(response.request))
        self.last = response
        return response

    def call(
        self,
        method: str,
        path: str,
        *,
        raise_as: t.Callable[[str], type[ContractFailure]] | None = None,
        **options: t.Any,
    ) -> Reply:
        """A state machine's request: ``path`` below the base URL, or a URL the server gave (same origin only).

        A transport error fails the check ``transport``; the answer comes back as a ``Reply``.
        """
        kind = raise_as or (lambda check: ContractFailure)
        if _absolute(path) and not self.same_origin(path):
            # Sending our headers to a host a server named would hand it the token.
            raise kind("same_origin")(
                "same_origin", f"{method} {path}", f"refusing to follow a link away from {self.base_url}"
            )
        try:
            response = self.request(method, path, **options)
        except httpx.HTTPError as error:
            request = error.request if isinstance(error, httpx.RequestError) else None
            operation = self.operation_of(request) if request is not None else f"{method} {path}"
            raise kind("transport")("transport", operation, f"{type(error).__name__}: {error}", request) from None
        return Reply(self.operation_of(response.request), response, kind)

    def same_origin(self, url: str) -> bool:
        """Whether ``url`` (a link the server gave) is on the server we were pointed at."""
        given, base = httpx.URL(self.base_url).join(url), httpx.URL(self.base_url)
        return (given.scheme, given.host, given.port) == (base.scheme, base.host, base.port)

    def get(self, path: str, **options: t.Any) -> httpx.Response:
        return self.request("GET", path, **options)

    def post(self, path: str, **options: t.Any) -> httpx.Response:
        return self.request("POST", path, **options)

    def put(self, path: str, **options: t.Any) -> httpx.Response:
        return self.request("PUT", path, **options)

    def delete(self, path: str, **options: t.Any) -> httpx.Response:
        return self.request("DELETE", path, **options)

    def cleanup(self, method: str, path: str) -> None:
        """Best effort, for ``finally`` blocks: a failure here must not hide the check's own failure."""
        try:
            self._client.request(method, self.base_url + path, headers=self.auth_headers)
        except (httpx.HTTPError, SandboxViolation):
            pass  # a refusal is counted by the guard

    def operation_of(self, request: httpx.Request) -> str:
        return self.index.match(request.method, str(request.url), self.base_url)

    # -- assertions --------------------------------------------------------------------------

    def fail(self, message: str, response: httpx.Response | None = None) -> t.NoReturn:
        response = response if response is not None else self.last
        request = response.request if response is not None else None
        operation = self.operation_of(request) if request is not None else "-"
        raise ContractFailure(self.check, operation, message, request)

    def expect_status(self, response: httpx.Response, *statuses: int) -> None:
        if response.status_code not in statuses:
            expected = " or ".join(map(str, statuses))
            self.fail(f"expected status {expected}, got {response.status_code}: {_excerpt(response)}", response)

    def json(self, response: httpx.Response) -> t.Any:
        try:
            return response.json()
        except ValueError:  # json.JSONDecodeError and UnicodeDecodeError both are
            self.fail(f"the body is not JSON: {_excerpt(response)}", response)

    def json_list(self, response: httpx.Response) -> list[t.Any]:
        body = self.json(response)
        if not isinstance(body, list):
            self.fail(f"expected a JSON array, got {_excerpt(response)}", response)
        return body

    def json_object(self, response: httpx.Response) -> dict[str, t.Any]:
        body = self.json(response)
        if not isinstance(body, dict):
            self.fail(f"expected a JSON object, got {_excerpt(response)}", response)
        return body


def _absolute(path: str) -> bool:
    return path.startswith(("http://", "https://"))


def _excerpt(response: httpx.Response, limit: int = 300) -> str:
    text = response.text
    return repr(text if len(text) <= limit else text[:limit] + "...")
