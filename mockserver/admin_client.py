"""``AdminClient``: a running mock's admin API (``/__admin``) over HTTP, for the CLI and tools (stdlib only)."""

from __future__ import annotations

import json
import typing as t
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
ADMIN_PATH = "/__admin"


class AdminError(Exception):
    """The admin API refused a call (``status``, its ``{"message", "problems"}`` body), or could not be reached."""

    def __init__(self, message: str, status: int | None = None, body: t.Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body

    @property
    def problems(self) -> list[dict[str, t.Any]]:
        return list(self.body.get("problems", [])) if isinstance(self.body, dict) else []


class AdminClient:
    def __init__(self, base_url: str = DEFAULT_BASE_URL, token: str | None = None, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def export_state(self) -> t.Any:
        return self.call("GET", "/state")

    def import_state(self, document: t.Any) -> None:
        self.call("PUT", "/state", document)

    def load_scenario(self, name: str, seed: int | None = None) -> None:
        self.call("POST", f"/scenarios/{urllib.parse.quote(name, safe='')}", {} if seed is None else {"seed": seed})

    def reset(self) -> None:
        self.call("POST", "/reset")

    def health(self) -> t.Any:
        return self.call("GET", "/health")

    def call(self, method: str, path: str, body: t.Any = None) -> t.Any:
        """One admin call; its JSON answer (``None`` for none), or ``AdminError``."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        url = f"{self.base_url}{ADMIN_PATH}{path}"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read()
        except urllib.error.HTTPError as error:
            answer = _json_or_text(error.read())
            message = answer.get("message") if isinstance(answer, dict) else None
            raise AdminError(f"{method} {url}: {error.code} {message or answer}", error.code, answer) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise AdminError(f"cannot reach {self.base_url}: {reason}") from None
        return _json_or_text(text) if text else None


def _json_or_text(raw: bytes) -> t.Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", errors="replace")
