"""The server's clock (real, frozen, set or offset, for tests), and time as the APIs write and read it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import typing as t

UTC = dt.UTC


@dataclasses.dataclass(frozen=True)
class _Setting:
    """How the clock relates to real time: shifted by ``offset``, or stopped at ``frozen_at``."""

    offset: dt.timedelta = dt.timedelta(0)
    frozen_at: dt.datetime | None = None


class Clock:
    """The time every API handler reads: real by default, and steerable so tests can fix "now".

    One belongs to each app and travels with each request (``Call.clock``); domain code gets the
    moment from it and never reads the system time, so a test controls every date the mock writes.
    """

    def __init__(self) -> None:
        # Requests read the clock on the server's thread while a test steers it from its own.
        self._lock = threading.Lock()
        self._setting = _Setting()

    def now(self) -> dt.datetime:
        setting = self._setting
        if setting.frozen_at is not None:
            return setting.frozen_at
        return _real_now() + setting.offset

    @property
    def frozen(self) -> bool:
        return self._setting.frozen_at is not None

    def freeze(self, moment: dt.datetime | None = None) -> dt.datetime:
        """Stop the clock at ``moment`` (by default where it is now); returns the frozen moment."""
        with self._lock:
            frozen_at = _aware(moment) if moment is not None else self.now()
            self._setting = _Setting(frozen_at=frozen_at)
            return frozen_at

    def set(self, moment: dt.datetime) -> None:
        """Make it ``moment`` now, and let the clock run on from there."""
        with self._lock:
            self._setting = _Setting(offset=_aware(moment) - _real_now())

    def offset(self, delta: dt.timedelta) -> None:
        """Run ``delta`` ahead of real time (behind if negative)."""
        with self._lock:
            self._setting = _Setting(offset=delta)

    def advance(self, seconds: float) -> dt.datetime:
        """Move the clock ``seconds`` forward (back if negative), frozen or running; returns the new now."""
        delta = dt.timedelta(seconds=seconds)
        with self._lock:
            setting = self._setting
            if setting.frozen_at is not None:
                self._setting = _Setting(frozen_at=setting.frozen_at + delta)
            else:
                self._setting = _Setting(offset=setting.offset + delta)
            return self.now()

    def reset(self) -> None:
        """Back to real time."""
        with self._lock:
            self._setting = _Setting()


def _real_now() -> dt.datetime:
    return dt.datetime.now(UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    """A moment without a zone is taken as UTC, as ``parse_iso`` reads one."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


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


def iso_stored(moment: dt.datetime) -> str:
    """``2019-01-03T01:56:19.539000Z``: how rows in the store keep a moment.

    UTC, always six fractional digits and a ``Z``, so that comparing two such strings compares
    the moments (indexes sort on them) and ``parse_iso`` reads them back exactly.
    """
    # The clock's own moments are in UTC already: the common case skips the conversion.
    utc = moment if moment.tzinfo is UTC else _aware(moment)
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def stored_from(value: t.Any) -> str:
    """A fixture's or an import's moment (a string, or a datetime YAML made) in the stored form.

    A string already in that form is given back itself, not an equal copy: rows loaded from a
    large import then share the one string their record used for several moments.
    """
    stored = iso_stored(value if isinstance(value, dt.datetime) else parse_iso(str(value)))
    return value if stored == value else stored
