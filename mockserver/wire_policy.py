"""``WirePolicy``: the headers an API's real server puts on every answer, and its CORS rules, as data.

An API plugin declares one (``ApiPlugin.wire``); ``wire_headers.WireHeadersMiddleware`` applies
it to each answer under the API's mount. Nothing here knows HTTP frameworks or an API by name.
"""

from __future__ import annotations

import dataclasses
import typing as t

__all__ = ["Cors", "RequestId", "WirePolicy", "DJANGO_METHOD_ORDER"]

# The order Django's views list their methods in (``View.http_method_names``), which
# Django REST framework's ``Allow`` keeps.
DJANGO_METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


@dataclasses.dataclass(frozen=True)
class RequestId:
    """A fresh id on every answer, in ``header``, and repeated in ``also`` (templates with ``{id}``)."""

    header: str = "X-Request-Id"
    form: t.Literal["ulid", "uuid4"] = "uuid4"
    """``ulid``: 26 characters of Crockford base32, time first (GitLab's correlation ids); ``uuid4``: RFC 4122 text."""
    echo: bool = False
    """Whether a client's own ``header`` value is kept (when it is a short, plain token) instead of a fresh one."""
    also: tuple[tuple[str, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class Cors:
    """How the API's server answers browsers: which answers carry CORS headers, and how a preflight is answered."""

    expose: tuple[str, ...]
    """``Access-Control-Expose-Headers``: what a script on another origin may read (pagination headers)."""
    origin: t.Literal["star", "echo"] = "star"
    """``star``: ``Access-Control-Allow-Origin: *``; ``echo``: the request's ``Origin`` (``*`` without one)."""
    only_with_origin: bool = True
    """Whether CORS headers are only added when the request has an ``Origin`` (else on every endpoint answer)."""
    allow_methods: tuple[str, ...] | None = None
    """A fixed ``Access-Control-Allow-Methods``; ``None``: the methods the path serves."""
    allow_headers: tuple[str, ...] | None = None
    """A fixed ``Access-Control-Allow-Headers``; ``None``: the preflight's ``Access-Control-Request-Headers`` echoed."""
    max_age: int = 7200
    max_age_on_every_answer: bool = True
    """``Access-Control-Max-Age`` on every CORS answer, or on preflight answers only."""
    preflight: t.Literal["request_method", "any_options"] = "request_method"
    """``request_method``: an ``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method`` is answered 200
    before the API, for any path under the mount; ``any_options``: every ``OPTIONS`` on a path the API serves is
    answered 200 with an empty body, before authentication."""
    allow_header: bool = False
    """Whether every answer of a path the API serves carries ``Allow`` (the path's methods, then ``OPTIONS``)."""
    method_order: tuple[str, ...] = DJANGO_METHOD_ORDER


@dataclasses.dataclass(frozen=True)
class WirePolicy:
    """What an API's server adds to each answer besides what the operation produced."""

    headers: tuple[tuple[str, str], ...] = ()
    """On every answer under the mount, except a preflight answered before the API."""
    request_id: RequestId | None = None
    """On every answer under the mount, preflights included."""
    cors: Cors | None = None
    etag: bool = False
    """Rack's ``ETag`` middleware: a 200 or 201 with a body gets a weak ``ETag`` of it and
    ``Cache-Control: max-age=0, private, must-revalidate``; other answers ``Cache-Control: no-cache``."""
    runtime_header: str | None = None
    """A header with the seconds the answer took (Rack's ``X-Runtime``)."""
