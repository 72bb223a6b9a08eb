"""Time as the APIs write it, and lenient ISO 8601 reading (no zone means UTC)."""

from __future__ import annotations

import datetime as dt

UTC = dt.UTC


def now() -> dt.datetime:
    return dt.datetime.now(UTC)


def iso_millis(moment: dt.datetime) -> str:
    """``2019-01-03T01:56:19.539Z``: GitLab's shape."""
    # isoformat pads the year to four digits, where strftime would write year 880 as "880".
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def parse_iso(text: str) -> dt.datetime:
    """Read an ISO 8601 date or date-time; a value without a zone is taken as UTC. ValueError if unreadable."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    if len(value) > 10 and value[10] == " ":
        value = value[:10] + "T" + value[11:]
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
