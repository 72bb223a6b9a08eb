"""``WireHeadersMiddleware``: each API's ``WirePolicy`` on every answer under its mount.

It sits outside the error handling, so rejections carry the headers too, and answers CORS
preflights itself where the real server answers them before the API (rack-cors in front of
GitLab's Grape, Sentry's endpoint wrapper before authentication). Header lists are encoded once,
when the API is added; per request it adds a request id and, where the policy says, CORS
headers, the path's ``Allow`` and an ``ETag`` of the body.
"""

from __future__ import annotations

import dataclasses
import random
import re
import time
import typing as t
import uuid
import zlib

from connexion.middleware.abstract import SpecMiddleware
from connexion.spec import Specification
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .dispatch import MethodTable
from .openapi31 import HTTP_METHODS
from .plans import operation_key
from .swagger_ui import SPEC_PATH, UI_PATH
from .wire_policy import Cors, WirePolicy

ROUTING_CONTEXT = "connexion_routing"
Pairs = list[tuple[bytes, bytes]]

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""The base32 alphabet ULIDs are written in."""
# Every 10-bit value as its two characters: a ULID is 13 lookups, where base64's pure-Python base32
# took a tenth of a request's time.
_CROCKFORD_PAIRS = tuple(first + second for first in CROCKFORD for second in CROCKFORD)
# A client's request id is kept only as a plain token, as Rails' RequestId middleware keeps it.
_PLAIN_ID = re.compile(rb"[\w\-@]{1,255}")
_CACHE_REVALIDATE = b"max-age=0, private, must-revalidate"
_NO_CACHE = b"no-cache"


def new_ulid(randoms: int) -> str:
    """48 bits of milliseconds then ``randoms`` (80 bits) in Crockford's base32: sorted by time, as GitLab's ids are."""
    # 26 characters hold 130 bits: two zero bits and the 48 of the time in the first 10, the 80 random in the rest.
    pairs = _CROCKFORD_PAIRS
    millis = time.time_ns() // 1_000_000
    return "".join(
        (
            pairs[millis >> 40],
            pairs[(millis >> 30) & 1023],
            pairs[(millis >> 20) & 1023],
            pairs[(millis >> 10) & 1023],
            pairs[millis & 1023],
            pairs[randoms >> 70],
            pairs[(randoms >> 60) & 1023],
            pairs[(randoms >> 50) & 1023],
            pairs[(randoms >> 40) & 1023],
            pairs[(randoms >> 30) & 1023],
            pairs[(randoms >> 20) & 1023],
            pairs[(randoms >> 10) & 1023],
            pairs[randoms & 1023],
        )
    )


def _pairs(headers: t.Iterable[tuple[str, str]]) -> Pairs:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]


@dataclasses.dataclass
class _Mount:
    """One API's policy, encoded for the wire, with the methods of each of its paths."""

    mount: str
    policy: WirePolicy
    headers: Pairs
    methods: MethodTable
    by_operation: dict[str, bytes]
    """Routing's operation key -> the path's methods, as ``Allow`` lists them."""
    cors_fixed: Pairs
    """The CORS headers that do not depend on the request (all but the origin and the methods)."""
    id_names: tuple[bytes, tuple[tuple[bytes, str], ...]] | None = None
    """The request id's header and the headers that repeat it (with their templates), encoded."""
    added_names: frozenset[bytes] = frozenset()
    """Every header name the policy may add to an answer: an answer's own header of such a name gives way."""

    def __post_init__(self) -> None:
        rule = self.policy.request_id
        names = {name for name, _ in self.headers} | {name for name, _ in self.cors_fixed}
        if rule is not None:
            also = tuple((name.lower().encode("latin-1"), template) for name, template in rule.also)
            self.id_names = (rule.header.lower().encode("latin-1"), also)
            names |= {self.id_names[0], *(name for name, _ in also)}
        if self.policy.cors is not None:
            names |= {
                b"access-control-allow-origin",
                b"access-control-allow-methods",
                b"access-control-max-age",
                b"allow",
            }
        if self.policy.runtime_header:
            names.add(self.policy.runtime_header.lower().encode("latin-1"))
        self.added_names = frozenset(names)

    def allow_for(self, scope: Scope, path: str) -> bytes | None:
        """The methods the request's path serves, listed in the API's order; ``None`` for a path it does not serve."""
        routed = scope.get("extensions", {}).get(ROUTING_CONTEXT, {})
        found = self.by_operation.get(routed.get("operation_id")) if routed.get("api_base_path") == self.mount else None
        if found is not None:
            return found
        allowed = self.methods.allowed(path)
        return _listed(allowed, self.policy.cors) if allowed else None


def _listed(methods: t.Collection[str], cors: Cors | None) -> bytes:
    order = cors.method_order if cors is not None else ()
    listed = [method for method in order if method in methods or method == "OPTIONS"]
    listed += sorted(set(methods) - set(listed))
    return ", ".join(listed).encode("latin-1")


class WireHeadersMiddleware(SpecMiddleware):
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._mounts: list[_Mount] = []
        # Request ids need uniqueness, not secrecy: a generator of this layer's own, seeded from the system's.
        self._random = random.Random()
        self._plain: list[str] = []
        """Mounts of APIs without a policy (the admin API): their answers stay as they are, under any mount."""

    def add_api(self, specification: Specification, base_path: str | None = None, **kwargs: t.Any) -> None:
        policy = kwargs.get("wire")
        mount = (base_path or "").rstrip("/")
        if not isinstance(policy, WirePolicy):
            self._plain.append(mount)
            return
        paths = specification.raw.get("paths", {})
        table = MethodTable(mount, paths)
        by_operation: dict[str, bytes] = {}
        for template, item in paths.items():
            served = {method.upper() for method in item if method in HTTP_METHODS}
            if "GET" in served:
                served.add("HEAD")  # Django and Grape serve HEAD wherever GET is
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    by_operation[operation_key(method, template, item[method])] = _listed(served, policy.cors)
        cors_fixed: list[tuple[str, str]] = []
        if policy.cors is not None:
            cors = policy.cors
            if cors.allow_headers is not None:
                cors_fixed.append(("Access-Control-Allow-Headers", ", ".join(cors.allow_headers)))
            cors_fixed.append(("Access-Control-Expose-Headers", ", ".join(cors.expose)))
        self._mounts.append(_Mount(mount, policy, _pairs(policy.headers), table, by_operation, _pairs(cors_fixed)))
        self._mounts.sort(key=lambda known: len(known.mount), reverse=True)

    def _owner(self, path: str) -> _Mount | None:
        for mount in self._plain:
            if _under(path, mount):
                return None
        for known in self._mounts:
            if _under(path, known.mount):
                below = path[len(known.mount) :]
                if below in _PAGES or below.startswith(_UI_ASSETS):
                    return None  # pages for people and the spec documents are the mock's, not the API's
                return known
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._mounts:
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        known = self._owner(path)
        if known is None:
            await self.app(scope, receive, send)
            return
        policy = known.policy
        started = time.perf_counter()
        request = _request_headers(scope)
        common = _request_id_pairs(known, request, self._random)
        cors = policy.cors
        origin = request.get(b"origin")
        scope.setdefault("extensions", {})  # routing, further in, leaves the operation in this shared dict

        if cors is not None and scope["method"] == "OPTIONS":
            preflight = self._preflight(known, cors, path, request, origin)
            if preflight is not None:
                headers = common + preflight
                if cors.preflight == "any_options":
                    headers += known.headers
                await _answer_empty(send, headers, policy, started)
                return

        fresh = request.get(b"if-none-match") if policy.etag and scope["method"] in ("GET", "HEAD") else None
        held: Message | None = None

        def with_policy(start: Message) -> Message:
            added = common + known.headers
            if cors is not None:
                added += _cors_pairs(known, cors, scope, path, origin)
            headers = start.get("headers") or []
            if any(name in known.added_names for name, _ in headers):
                headers = _merged(headers, added)
            else:
                headers = [*headers, *added]
            if policy.runtime_header:
                headers.append(_runtime(policy.runtime_header, started))
            start["headers"] = headers
            return start

        # One wrapper of ``send`` does it all: each layer's wrapper costs every answer an extra await per message.
        async def send_with_policy(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                if policy.etag and _etag_waits_for_body(message):
                    held = message  # Rack's ETag is the body's: the start waits for it
                    return
                await send(with_policy(_with_cache_control(message) if policy.etag else message))
                return
            if held is not None and message["type"] == "http.response.body":
                start, held = held, None
                message = _tagged(start, message, fresh)
                await send(with_policy(start))
            await send(message)

        await self.app(scope, receive, send_with_policy)

    def _preflight(
        self, known: _Mount, cors: Cors, path: str, request: dict[bytes, bytes], origin: bytes | None
    ) -> Pairs | None:
        """The headers of a preflight the server answers before the API, or ``None`` when the API answers."""
        if cors.preflight == "request_method":
            wanted = request.get(b"access-control-request-method")
            allowed = cors.allow_methods or ()
            if origin is None or wanted is None or wanted.decode("latin-1").upper() not in allowed:
                return None  # rack-cors lets it through: the API answers OPTIONS itself
            methods = ", ".join(allowed).encode("latin-1")
            headers = [(b"access-control-allow-origin", _origin_value(cors, origin)), *known.cors_fixed]
            headers.append((b"access-control-allow-methods", methods))
            headers.append((b"access-control-max-age", str(cors.max_age).encode()))
            asked = request.get(b"access-control-request-headers")
            if cors.allow_headers is None and asked is not None:
                headers.append((b"access-control-allow-headers", asked))
            return headers
        allow = known.allow_for({}, path)
        if allow is None:
            return None  # a path the API does not serve: its 404
        headers = [(b"allow", allow), (b"access-control-allow-methods", allow), *known.cors_fixed]
        headers.append((b"access-control-allow-origin", _origin_value(cors, origin)))
        headers.append((b"access-control-max-age", str(cors.max_age).encode()))
        return headers


_PAGES = frozenset((UI_PATH, SPEC_PATH, SPEC_PATH.replace(".json", ".yaml")))
_UI_ASSETS = UI_PATH + "/"
_READ_HEADERS = frozenset(
    (b"origin", b"x-request-id", b"access-control-request-method", b"access-control-request-headers", b"if-none-match")
)


def _under(path: str, mount: str) -> bool:
    return path.startswith(mount) and (len(path) == len(mount) or path[len(mount)] == "/")


def _request_headers(scope: Scope) -> dict[bytes, bytes]:
    # Only the few a policy reads; ASGI servers give names in lower case.
    return {name: value for name, value in scope.get("headers", ()) if name in _READ_HEADERS}


def _request_id_pairs(known: _Mount, request: dict[bytes, bytes], randoms: random.Random) -> Pairs:
    rule = known.policy.request_id
    if rule is None or known.id_names is None:
        return []
    header, also = known.id_names
    sent = request.get(header) if rule.echo else None
    if sent is not None and _PLAIN_ID.fullmatch(sent):
        value = sent.decode("latin-1")
    else:
        value = (
            new_ulid(randoms.getrandbits(80))
            if rule.form == "ulid"
            else str(uuid.UUID(int=randoms.getrandbits(128), version=4))
        )
    pairs = [(header, value.encode("latin-1"))]
    for name, template in also:
        pairs.append((name, template.format(id=value).encode()))
    return pairs


def _origin_value(cors: Cors, origin: bytes | None) -> bytes:
    if cors.origin == "echo" and origin is not None and origin != b"null":
        return origin
    return b"*"


def _cors_pairs(known: _Mount, cors: Cors, scope: Scope, path: str, origin: bytes | None) -> Pairs:
    if cors.only_with_origin and origin is None:
        return []
    if cors.allow_methods is not None:
        methods = ", ".join(cors.allow_methods).encode("latin-1")
        allow = None
    else:
        allow = methods = known.allow_for(scope, path)  # type: ignore[assignment]
        if methods is None:
            return []  # no endpoint of the API answered: its router's 404 carries no CORS headers
    pairs = [(b"access-control-allow-origin", _origin_value(cors, origin)), *known.cors_fixed]
    pairs.append((b"access-control-allow-methods", methods))
    if cors.max_age_on_every_answer:
        pairs.append((b"access-control-max-age", str(cors.max_age).encode()))
    if cors.allow_header and allow is not None:
        pairs.append((b"allow", allow))
    return pairs


def _merged(headers: t.Iterable[tuple[bytes, bytes]], added: Pairs) -> Pairs:
    """The answer's headers with ``added`` in place of any of the same names the answer had."""
    names = {name for name, _ in added}
    return [pair for pair in headers if pair[0].lower() not in names] + added


def _runtime(name: str, started: float) -> tuple[bytes, bytes]:
    return name.lower().encode("latin-1"), f"{time.perf_counter() - started:.6f}".encode()


async def _answer_empty(send: Send, headers: Pairs, policy: WirePolicy, started: float) -> None:
    headers = [*headers, (b"content-length", b"0")]
    if policy.etag:
        headers.append((b"cache-control", _NO_CACHE))
    if policy.runtime_header:
        headers.append(_runtime(policy.runtime_header, started))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def _etag_waits_for_body(start: Message) -> bool:
    """Whether Rack's ETag rule applies to this answer: a 200 or 201 without a validator of its own."""
    if start["status"] not in (200, 201):
        return False
    # Header names in an ASGI answer are in lower case: Starlette and our pipeline write them so.
    return not any(name == b"etag" or name == b"last-modified" for name, _ in start.get("headers", ()))


def _with_cache_control(start: Message) -> Message:
    """An answer Rack gives no ETag keeps its own ``Cache-Control``, or gets ``no-cache``."""
    headers = start.setdefault("headers", [])
    if not any(name == b"cache-control" for name, _ in headers):
        headers.append((b"cache-control", _NO_CACHE))
    return start


def _tagged(start: Message, body_message: Message, if_none_match: bytes | None) -> Message:
    """The held ``start`` given its ETag and ``Cache-Control`` from the body; the body to send after it.

    With Rack's conditional GET behind it: a GET or HEAD whose ``If-None-Match`` names the ETag is a 304
    without a body.
    """
    body = body_message.get("body", b"")
    headers = start.setdefault("headers", [])
    has_control = any(name == b"cache-control" for name, _ in headers)
    if not body or body_message.get("more_body", False):
        if not has_control:
            headers.append((b"cache-control", _NO_CACHE))
        return body_message
    # Rack digests the body with SHA-256; any digest that changes with the body serves the client
    # alike (an ETag is opaque), and CRC-32 with the length costs a fifth of it on a page of 20.
    etag = b'W/"%08x%08x"' % (zlib.crc32(body), len(body))
    headers.append((b"etag", etag))
    if not has_control:
        headers.append((b"cache-control", _CACHE_REVALIDATE))
    if (
        if_none_match is not None
        and start["status"] == 200
        and (if_none_match.strip() == b"*" or etag in (tag.strip() for tag in if_none_match.split(b",")))
    ):
        start["status"] = 304
        start["headers"] = [pair for pair in headers if pair[0].lower() not in (b"content-length", b"content-type")]
        return {"type": "http.response.body", "body": b"", "more_body": False}
    return body_message
