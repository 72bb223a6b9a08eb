"""Our endpoint application, behind Connexion's routing: one pass through named stages per request.

    route     the operation's plan, by what Connexion's routing put in the scope
    validate  parameters and body, by the plan's compiled checks -> the handler's ``Call`` (when they
              fail, what the real server checks before them runs first: ``ApiPlugin.checked_first``)
    choose    which producer answers (``choose_response``: the seam for ``Prefer``, scenarios, faults)
    produce   the handler, or the spec's example, inside the store
    render    ``Reply`` -> an ``Answer``: status, header pairs and bytes (``json_body``), sent as two ASGI messages
    check     the reply against the spec, when ``settings.validate_responses``

Failures are raised as ``MockError``s (or Connexion's ``NonConformingResponse``) and rendered
by ``dispatch.ErrorDispatcher`` in the owning API's shape.
"""

from __future__ import annotations

import json
import typing as t
from urllib.parse import parse_qsl

from connexion.exceptions import NonConformingResponseBody, NonConformingResponseHeaders
from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from .bodies import Body, split_content_type
from .clock import Clock
from .errors import InvalidParameter, MockError, NotFound, reported
from .exchange import Call, RenderedJson, Reply
from .json_body import dump_json
from .plans import OperationPlan
from .plugin import Handler
from .rawpath import unescape_segment
from .store import Store
from .validation import ABSENT

ROUTING_CONTEXT = "connexion_routing"


class ValidRequest:
    """What validation made of one request: everything of the ``Call`` but the state."""

    __slots__ = ("plan", "scope", "headers", "query", "params", "body")

    def __init__(self, plan: OperationPlan, scope: Scope, headers: Headers, query: list[tuple[str, str]]) -> None:
        self.plan = plan
        self.scope = scope
        self.headers = headers
        self.query = query
        self.params: dict[str, t.Any] = {}
        self.body = Body()

    def call(self, state: t.Any, clock: Clock) -> Call:
        scope = self.scope
        raw_path = scope.get("raw_path") or scope["path"].encode()
        path = raw_path.decode("utf-8", errors="replace").split("?", 1)[0]
        mount = self.plan.mount
        return Call(
            params={**self.params, **self.body.files} if self.body.files else self.params,
            body=self.body.value,
            headers=self.headers,
            query=self.query,
            base_url=_base_url(scope, self.headers),
            mount=mount,
            path=path[len(mount) :] if path.startswith(mount) else path,
            state=state,
            clock=clock,
            operation=self.plan.operation,
        )


def choose_response(plan: OperationPlan, request: ValidRequest) -> Handler:
    """Which producer answers this request: the API's handler, else the spec's example.

    The one place that decides; a client's ``Prefer``, a scenario or an injected fault will be
    read here, while producing the reply stays the producer's business.
    """
    return plan.handler if plan.handler is not None else plan.example


class Pipeline:
    """The ASGI app behind Connexion's routing: route -> validate -> choose -> produce -> render -> check."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._plans: dict[tuple[str, str], OperationPlan] = {}

    def add(self, plans: t.Mapping[str, OperationPlan]) -> None:
        for key, plan in plans.items():
            self._plans[(plan.mount, key)] = plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        plan = self.route(scope)
        try:
            request = await self.validate(plan, scope, receive)
        except MockError:
            if plan.checked_first is not None:
                self.check_first(plan, scope)
            raise
        produce = choose_response(plan, request)
        try:
            with self.store.transaction(plan.api) as state:
                reply = produce(request.call(state, self.clock))
        finally:
            await request.body.close()
        answer = render(reply)
        if plan.responses is not None:
            check_reply(plan, answer)
        await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
        await send({"type": "http.response.body", "body": answer.body})

    def check_first(self, plan: OperationPlan, scope: Scope) -> None:
        """What the real server checks before reading the parameters, for a request whose parameters failed:
        its refusal, if any, is raised in place of theirs."""
        assert plan.checked_first is not None
        query_string = scope.get("query_string")
        pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True) if query_string else []
        request = ValidRequest(plan, scope, Headers(scope=scope), pairs)
        with self.store.transaction(plan.api) as state:
            plan.checked_first(request.call(state, self.clock))

    def route(self, scope: Scope) -> OperationPlan:
        routed = scope.get("extensions", {}).get(ROUTING_CONTEXT, {})
        plan = self._plans.get((routed.get("api_base_path"), routed.get("operation_id")))
        if plan is None:
            # No operation of any API matched the path (a method mismatch raised in routing).
            raise NotFound(None)
        return plan

    async def validate(self, plan: OperationPlan, scope: Scope, receive: Receive) -> ValidRequest:
        headers = Headers(scope=scope)
        query_string = scope.get("query_string")
        pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True) if query_string else []
        request = ValidRequest(plan, scope, headers, pairs)
        sent: dict[str, list[str]] = {}
        for name, value in pairs:
            sent.setdefault(name, []).append(value)
        path_params = scope.get("path_params", {})
        if plan.every_problem:
            _check_every_parameter(plan, sent, headers, path_params)
        else:
            for check in plan.checks:
                check.check(_sent(check.location, check.name, sent, headers, path_params))
        params = request.params
        for check in plan.path:
            value = path_params.get(check.name)
            if value is not None:
                value = check.handler_value([value])
                params[check.name] = unescape_segment(value) if isinstance(value, str) else value
        for check in plan.query:
            value = check.handler_value(sent.get(check.name, ()))
            if value is not ABSENT:
                params[check.name] = value
        if plan.body is not None:
            request.body = await plan.body.read(headers, receive, pairs)
        return request


def _check_every_parameter(plan: OperationPlan, sent: dict, headers: Headers, path_params: dict) -> None:
    problems: list[InvalidParameter] = []
    for check in plan.checks:
        try:
            check.check(_sent(check.location, check.name, sent, headers, path_params))
        except InvalidParameter as problem:
            problems.append(problem)
    if problems:
        raise reported(problems)


def _sent(location: str, name: str, query: dict, headers: Headers, path_params: dict) -> list[str]:
    if location == "query":
        return query.get(name, [])
    if location == "header":
        value = headers.get(name)
        return [] if value is None else [value]
    # Validate the text as sent: an integer segment the router converted goes back to text (an API
    # whose routes leave segments untyped hands on the text itself, its type checked here).
    value = path_params.get(name)
    return [] if value is None else [str(value)]


def _base_url(scope: Scope, headers: Headers) -> str:
    """``scheme://host[:port]`` (and root path) as the client addressed the server, as Starlette reads it."""
    scheme = scope.get("scheme", "http")
    root_path = scope.get("app_root_path", scope.get("root_path", ""))
    host = headers.get("host")
    if host is None:
        server = scope.get("server")
        if server is None:
            return root_path.rstrip("/")
        host_name, port = server
        default_port = {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(scheme)
        host = host_name if port == default_port else f"{host_name}:{port}"
    return f"{scheme}://{host}{root_path}".rstrip("/")


class Answer:
    """A reply as it goes on the wire: status, header pairs, body bytes."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name: bytes) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode("latin-1")
        return None


def render(reply: Reply) -> Answer:
    """The reply as bytes and header pairs, ``Content-Length`` and ``Content-Type`` added as Starlette adds them."""
    status = reply.status
    body = reply.body
    media_type: str | None = reply.media_type
    if body is None and status in (204, 302, 304):
        content, media_type = b"", None
    elif isinstance(body, RenderedJson):
        content = body.content
    elif isinstance(body, bytes):
        content = body
    elif reply.media_type.endswith("json"):
        content = dump_json(body)
    else:
        content = str(body or "").encode()
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in reply.headers.items()]
    named = {name for name, _ in headers} if headers else ()
    if b"content-length" not in named and not (status < 200 or status in (204, 304)):
        headers.append((b"content-length", str(len(content)).encode("latin-1")))
    if media_type is not None and b"content-type" not in named:
        if media_type.startswith("text/") and "charset=" not in media_type.lower():
            media_type += "; charset=utf-8"
        headers.append((b"content-type", media_type.encode("latin-1")))
    return Answer(status, headers, content)


def check_reply(plan: OperationPlan, answer: Answer) -> None:
    """The reply against the operation's responses in the spec: media type, required headers, JSON body."""
    assert plan.responses is not None
    media_type, charset = split_content_type(answer.header(b"content-type"))
    if media_type is None:
        media_type = plan.produces_first or "application/octet-stream"
    if answer.status < 400 and plan.produces_first is not None and media_type.lower() not in plan.produces:
        raise NonConformingResponseHeaders(
            detail=f"Invalid Response Content-type ({media_type}), expected {list(plan.produces_listed)}"
        )
    expected = plan.responses.get(str(answer.status)) or plan.responses.get("default")
    if expected is None:
        return
    missing = expected.required_headers - {key.decode("latin-1") for key, _ in answer.headers}
    if missing:
        raise NonConformingResponseHeaders(
            detail=f"Keys in response header don't match response specification. Difference: {', '.join(missing)}"
        )
    body_check = expected.bodies.get(media_type)
    if body_check is None or not _is_json_range(media_type):
        return
    text = answer.body.decode(charset or "utf-8")
    try:
        body = json.loads(text) if text else None
    except json.JSONDecodeError as error:
        raise NonConformingResponseBody(str(error)) from None
    body_check.check(body)


def _is_json_range(media_type: str) -> bool:
    return media_type.endswith("json")
