"""A check's view of one API over HTTP: the token, the sandbox, and a record of the operations it reached."""

from __future__ import annotations

import typing as t

import httpx

from .failures import ContractFailure
from .operations import READ_METHODS, OperationIndex
from .profiles import ApiProfile


class WriteInReadOnlyMode(RuntimeError):
    """A check tried to send something other than GET or HEAD under ``--read-only``: a bug in the check."""


class Session:
    """Sends a check's requests; ``fail()`` raises a ``ContractFailure`` naming the check, operation and request."""

    def __init__(
        self,
        profile: ApiProfile,
        base_url: str,
        token: str,
        sandbox: t.Mapping[str, str],
        *,
        read_only: bool,
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
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

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
        authenticated: bool = True,
        headers: t.Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """``path`` is relative to the API's base URL and already percent-encoded (see ``operations.fill``)."""
        if self.read_only and method.upper() not in READ_METHODS:
            raise WriteInReadOnlyMode(f"{self.check} sent {method} {path} in read-only mode")
        all_headers = {**(self.auth_headers if authenticated else {}), **(headers or {})}
        response = self._client.request(
            method, self.base_url + path, params=params, json=json, files=files, headers=all_headers
        )
        self.exercised.append(self.operation_of(response.request))
        self.last = response
        return response

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
        except httpx.HTTPError:
            pass

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


def _excerpt(response: httpx.Response, limit: int = 300) -> str:
    text = response.text
    return repr(text if len(text) <= limit else text[:limit] + "...")
