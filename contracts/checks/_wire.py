"""What several APIs' header checks do alike: required headers and their values, HEAD against GET, CORS exposure."""

from __future__ import annotations

import typing as t

import httpx

from ..session import Session

ORIGIN = "https://contract-check.example"
"""An origin no service knows: the answer is what any third-party page would get."""


def expect_headers(session: Session, response: httpx.Response, required: t.Mapping[str, str | None]) -> None:
    """Each header of ``required`` is on the answer, with the value given (any value for ``None``)."""
    for name, value in required.items():
        sent = response.headers.get(name)
        if sent is None:
            session.fail(f"the answer has no {name} header", response)
        if value is not None and sent != value:
            session.fail(f"{name} is {sent!r}, not {value!r}", response)


def expect_exposed(session: Session, response: httpx.Response, names: t.Iterable[str]) -> None:
    """Every header of ``names`` that the answer carries is listed in ``Access-Control-Expose-Headers``."""
    exposed = {item.strip().lower() for item in response.headers.get("access-control-expose-headers", "").split(",")}
    hidden = [name for name in names if name in response.headers and name.lower() not in exposed]
    if hidden:
        session.fail(f"a script on another origin cannot read {', '.join(hidden)}: not exposed by CORS", response)


def expect_head_is_get(session: Session, path: str, params: t.Mapping[str, t.Any], compared: t.Iterable[str]) -> None:
    """``HEAD`` answers as ``GET`` does (status, length and the ``compared`` headers), with no body."""
    got = session.get(path, params=params)
    head = session.request("HEAD", path, params=params)
    if head.status_code != got.status_code:
        session.fail(f"HEAD answered {head.status_code} where GET answers {got.status_code}", head)
    if head.content:
        session.fail(f"HEAD answered with a body of {len(head.content)} bytes", head)
    for name in ("content-length", *compared):
        if head.headers.get(name) != got.headers.get(name):
            session.fail(f"HEAD's {name} is {head.headers.get(name)!r}, GET's {got.headers.get(name)!r}", head)
