"""The sandbox guard: a write a run sends must act inside the sandbox, on nothing there that the run did not make.

Every request of every part of a run passes ``SandboxGuard.verdict`` before it is sent:
Schemathesis' cases through a ``filter_case`` hook (a refused case is never sent, and is counted),
the semantic checks and the state machines through the transport of their ``Session`` (a refused
request is a failure of the check that tried it). Reads may go anywhere. A write is allowed when

- its path lies below one of the API's sandbox scopes (``/projects/{id}/...`` with ``id`` the
  sandbox project), never on the scope itself;
- the first resource its path names after the scope (a release's ``tag_name`` or ``version``) was
  created by this run, or does not exist (a probe, a GET, answers 404); a path that names no such
  resource is allowed only for the operations that create one, under the same rule for the name in
  their body, or, where the server names what it creates (a milestone's ``id``), always: it is new,
  and the name in its answer becomes the run's;
- the body links nothing outside the sandbox (Sentry's ``projects``);
- or it stores content by its checksum (Sentry's chunks and artifact bundles), which no one owns,
  attached to nothing or to a resource of the run's (or none yet), or takes such content away from
  the sandbox alone (Sentry's bundle delete).

The rules are data (``SandboxRules`` in each API's profile), so that a new operation in a spec is
refused until the rules say whom its resources belong to.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import re
import threading
import typing as t
import urllib.parse

import httpx

from .operations import READ_METHODS, OperationIndex, fill, segment

SAFE_METHODS = READ_METHODS | {"OPTIONS", "TRACE"}
"""Methods that change nothing (RFC 9110); any other one, known or not, is treated as a write."""


@dataclasses.dataclass(frozen=True)
class SandboxRules:
    """Where an API's sandbox is, and how a write names the resource it acts on."""

    scopes: t.Mapping[str, t.Mapping[str, str]]
    """Path prefix -> {its path parameter: the sandbox key whose value it must have}."""
    resources: t.Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Path parameter naming a resource -> the path (a template) that reads it: 404 there means absent."""
    creates: t.Mapping[str, str] = dataclasses.field(default_factory=dict)
    """operationId -> the body field that names the resource it creates (one of ``resources``)."""
    body_scope: t.Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Body field -> the sandbox key every item of it (a list) must equal."""
    named_by_server: t.Mapping[str, tuple[str, str]] = dataclasses.field(default_factory=dict)
    """operationId -> (the path parameter naming what it creates, one of ``resources``; the answer's field
    that holds its value): creates whose resource the server names, so nothing existing can be hit."""
    fresh: frozenset[str] = frozenset()
    """operationIds that always create a new resource under a name the server makes up (GitLab's
    uploads, under a random secret): inside a scope they touch nothing that exists, so they may go."""
    stores_content: t.Mapping[str, str | None] = dataclasses.field(default_factory=dict)
    """operationId -> for a write that stores content by its checksum (the same bytes are the same
    chunk or bundle for everyone, so no one owns them), the body field naming a resource it attaches
    them to, which must be the run's or absent (None: it attaches them to nothing)."""
    unbinds_content: frozenset[str] = frozenset()
    """operationIds that take content no one owns away from the scope in their path and nothing else
    (Sentry's bundle delete: the bundle leaves the sandbox project, and is dropped only when no other
    project has it), so they may go."""
    query_names: t.Mapping[str, t.Mapping[str, str]] = dataclasses.field(default_factory=dict)
    """operationId -> {query parameter: the resource (one of ``resources``) it names}, for a write
    whose path names no resource but whose query does (Sentry's ``?name=<version>``)."""
    scalar_name: t.Callable[[bool | int | float], str] | None = None
    """How the server names a resource whose body gives the name as a JSON number or boolean (GitLab's
    Grape takes the text Ruby writes: ``5`` creates tag "5"); None: such a name is the server's to refuse."""


class SandboxViolation(RuntimeError):
    """A check or state machine tried a write that the guard refused: a bug in the suite, never sent."""


Probe = t.Callable[[str], int]
"""GET a path relative to the API's base URL and return the status (the guard's only requests)."""


class SandboxGuard:
    """Decides, for one API and one run, whether a write may be sent; remembers what the run created."""

    def __init__(self, rules: SandboxRules, index: OperationIndex, sandbox: t.Mapping[str, str], probe: Probe) -> None:
        self.rules = rules
        self.index = index
        self.sandbox = dict(sandbox)
        self._probe = probe
        self._created: set[tuple[str, str]] = set()
        self._foreign: set[tuple[str, str]] = set()
        """Found to exist and not the run's: it stays someone else's for the whole run, so one probe is enough."""
        self._absent: set[tuple[str, str]] = set()
        """Found not to exist: only this run creates in the sandbox, so it stays absent or becomes the run's."""
        self._lock = threading.Lock()
        self.refused: collections.Counter[tuple[str, str]] = collections.Counter()
        """(operation label, reason) -> how many writes were refused for it."""

    # -- deciding ------------------------------------------------------------------------------

    def verdict(
        self,
        method: str,
        template: str | None,
        params: t.Mapping[str, t.Any],
        body: t.Any,
        query: t.Mapping[str, t.Any] | None = None,
    ) -> str | None:
        """None when the request may be sent; otherwise why not. ``template`` is the spec's path, if any."""
        method = method.upper()
        if method in SAFE_METHODS:
            return None
        if template is None:
            return "the path is not one of the spec's"
        scope = self._scope(template)
        if scope is None:
            return "the path is outside every sandbox scope"
        for name, key in self.rules.scopes[scope].items():
            if str(params.get(name)) != self.sandbox.get(key):
                return f"{name}={params.get(name)!r} is not the sandbox's {key}"
        below = _parameters(template[len(scope) :])
        for linked, key in self.rules.body_scope.items():
            items = body.get(linked) if isinstance(body, dict) else None
            if isinstance(items, list) and any(str(item) != self.sandbox.get(key) for item in items):
                return f"the body's {linked} {items!r} reach beyond the sandbox's {key}"
        if below:
            if below[0] not in self.rules.resources:
                return f"no rule says who owns {{{below[0]}}}"
            return self._unowned(below[0], params.get(below[0]), params)
        operation = self._operation(method, template)
        if operation in self.rules.named_by_server or operation in self.rules.fresh:
            return None
        if operation in self.rules.unbinds_content:
            return None
        if operation is not None and operation in self.rules.stores_content:
            attached = self.rules.stores_content[operation]
            value = body.get(attached) if attached and isinstance(body, dict) else None
            return self._unowned(attached, value, params) if attached and isinstance(value, str) else None
        named = self.rules.query_names.get(operation) if operation else None
        if named is not None:
            for parameter, resource in named.items():
                value = (query or {}).get(parameter)
                # Several values, or none: the server acts on none of them, or refuses.
                if isinstance(value, str) and (reason := self._unowned(resource, value, params)):
                    return reason
            return None
        field = self.rules.creates.get(operation) if operation else None
        if field is None:
            return f"{method} on {template} creates nothing the guard can follow"
        created = self._name(body.get(field)) if isinstance(body, dict) else None
        # A malformed name is the server's to reject; it cannot be anyone's resource.
        return self._unowned(field, created, params) if created is not None else None

    def pinned(self, template: str, params: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
        """``params`` (percent-encoded, as Schemathesis keeps them) with the scope's parameters set to the sandbox."""
        scope = self._scope(template)
        pins = self.rules.scopes[scope] if scope else {}
        return {**params, **{name: segment(self.sandbox[key]) for name, key in pins.items() if key in self.sandbox}}

    def _scope(self, template: str) -> str | None:
        for prefix in self.rules.scopes:
            if template.startswith(prefix + "/"):
                return prefix
        return None

    def _operation(self, method: str, template: str) -> str | None:
        for operation in self.index.operations:
            if operation.method == method and operation.path == template:
                return operation.operation_id
        return None

    def _name(self, value: t.Any) -> str | None:
        """The name a body's value gives the resource it creates, or None where it names nothing."""
        if isinstance(value, str):
            return value
        if isinstance(value, (bool, int, float)) and self.rules.scalar_name is not None:
            return self.rules.scalar_name(value)
        return None

    def _unowned(self, name: str, value: t.Any, params: t.Mapping[str, t.Any]) -> str | None:
        """None when ``name=value`` was created by this run or does not exist."""
        if value is None:
            return None
        value = str(value)
        with self._lock:
            if (name, value) in self._created or (name, value) in self._absent:
                return None
            if (name, value) in self._foreign:
                return f"{name}={value!r} exists and this run did not create it"
        path = fill(self.rules.resources[name], {**{k: str(v) for k, v in params.items()}, name: value})
        try:
            status = self._probe(path)
        except httpx.HTTPError as error:
            return f"could not tell whether {name}={value!r} exists: {error!r}"
        if status == 404:
            with self._lock:
                self._absent.add((name, value))
            return None
        if status == 200:
            with self._lock:
                self._foreign.add((name, value))
            return f"{name}={value!r} exists and this run did not create it"
        return f"could not tell whether {name}={value!r} exists (GET answered {status})"

    # -- remembering ---------------------------------------------------------------------------

    def record(self, method: str, template: str | None, body: t.Any, status: int, answer: t.Any = None) -> None:
        """After an answer: a successful create makes its resource the run's (named in ``body`` or in ``answer``)."""
        operation = self._operation(method.upper(), template) if template else None
        if operation is None or not 200 <= status < 300:
            return
        field = self.rules.creates.get(operation)
        created = self._name(body.get(field)) if field is not None and isinstance(body, dict) else None
        if field is not None and created is not None:
            with self._lock:
                self._created.add((field, created))
        if operation in self.rules.named_by_server and isinstance(answer, dict):
            name, answer_field = self.rules.named_by_server[operation]
            if answer.get(answer_field) is not None:
                with self._lock:
                    self._created.add((name, str(answer[answer_field])))

    def names_by_server(self, method: str, template: str | None) -> bool:
        """Whether the answer to this request names what it created (so the answer must be read)."""
        return template is not None and self._operation(method.upper(), template) in self.rules.named_by_server

    def refuse(self, label: str, reason: str) -> None:
        with self._lock:
            self.refused[(label, reason)] += 1

    # -- for httpx requests (the checks' and machines' Session) --------------------------------

    def route(self, url: str, base_url: str) -> tuple[str | None, dict[str, str]]:
        """The spec's path template that ``url`` falls on (any method), and its decoded parameters."""
        path = urllib.parse.urlsplit(url).path
        base = urllib.parse.urlsplit(base_url).path.rstrip("/")
        return self.route_path(path[len(base) :]) if path.startswith(base) else (None, {})

    def route_path(self, path: str) -> tuple[str | None, dict[str, str]]:
        """Like ``route``, for a path below the API's base URL as it goes on the wire (percent-encoded)."""
        path = path.split("?", 1)[0]
        for template in sorted({op.path for op in self.index.operations}, key=lambda path: path.count("{")):
            match = _template_pattern(template).fullmatch(path)
            if match:
                values = [urllib.parse.unquote(value) for value in match.groups()]
                return template, dict(zip(_parameters(template), values, strict=True))
        return None, {}

    def summary(self) -> str:
        """One line per refused (operation, reason), most frequent first."""
        return "; ".join(f"{label}: {reason} (x{count})" for (label, reason), count in self.refused.most_common())


def _parameters(template: str) -> list[str]:
    return re.findall(r"\{([^}]+)\}", template)


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("([^/]+)" if part.startswith("{") else re.escape(part) for part in parts))


def _query_lists(url: httpx.URL) -> list[tuple[str, list[str]]]:
    params = url.params
    return [(key, params.get_list(key)) for key in dict.fromkeys(params.keys())]


def json_body(content: bytes, content_type: str) -> t.Any:
    """A request body as the guard reads it: JSON when it is JSON, else None (form fields name nothing it follows)."""
    if not content or "json" not in content_type:
        return None
    try:
        return json.loads(content)
    except ValueError:  # json.JSONDecodeError and UnicodeDecodeError both are
        return None


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that asks the guard before every request and tells it every answer."""

    def __init__(self, guard: SandboxGuard, base_url: str, inner: httpx.BaseTransport | None = None) -> None:
        self.guard = guard
        self.base_url = base_url
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        template, params = self.guard.route(str(request.url), self.base_url)
        body = json_body(request.read(), request.headers.get("content-type", ""))
        query = {key: values[0] if len(values) == 1 else values for key, values in _query_lists(request.url)}
        reason = self.guard.verdict(request.method, template, params, body, query)
        if reason is not None:
            label = f"{request.method} {template or request.url.path}"
            self.guard.refuse(label, reason)
            raise SandboxViolation(f"refused to send {request.method} {request.url}: {reason}")
        response = self.inner.handle_request(request)
        answer = None
        if self.guard.names_by_server(request.method, template):
            answer = json_body(response.read(), response.headers.get("content-type", ""))
        self.guard.record(request.method, template, body, response.status_code, answer)
        return response

    def close(self) -> None:
        self.inner.close()
