"""What several APIs' checks do alike: names for what they create, order, media types, unauthenticated probes."""

from __future__ import annotations

import datetime as dt
import secrets
import typing as t

import httpx

from ..operations import fill
from ..session import Session

T = t.TypeVar("T")


def unique_name(prefix: str = "contract") -> str:
    """A name no earlier run used, so that write checks never touch what they did not create."""
    return f"{prefix}-{secrets.token_hex(5)}"


def timestamp(value: t.Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def first_disorder(keys: t.Sequence[T], *, descending: bool) -> int | None:
    """The index of the first key out of order (ties allowed), or None when the sequence is sorted."""
    for index in range(1, len(keys)):
        before, after = keys[index - 1], keys[index]
        if (before < after) if descending else (after < before):  # type: ignore[operator]
            return index
    return None


def media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def expect_media_type(session: Session, response: httpx.Response, expected: str) -> None:
    if media_type(response) != expected:
        session.fail(f"an error of status {response.status_code} is {media_type(response)!r}, not {expected}", response)


def probe_without_credentials(
    session: Session,
    values: t.Mapping[str, str],
    bodies: t.Mapping[str, t.Mapping[str, t.Any]],
    rejections: t.Collection[int],
) -> None:
    """Each operation that needs credentials, called without them, answers one of ``rejections``.

    In read-only mode only the reading operations are called. ``values`` fill the path templates;
    ``bodies`` gives a request body by operationId, as ``{"json": ...}`` or ``{"files": ...}``: a
    well-formed one, so that only the missing credentials can explain a rejection.
    """
    for operation in session.index.operations:
        if not operation.requires_auth or (session.read_only and not operation.reads):
            continue
        body = bodies.get(operation.operation_id, {})
        response = session.request(operation.method, fill(operation.path, values), authenticated=False, **body)
        if response.status_code not in rejections:
            allowed = ", ".join(map(str, sorted(rejections)))
            session.fail(
                f"without credentials this answered {response.status_code} instead of rejecting the request "
                f"({allowed})",
                response,
            )
