"""Times a scenario writes: relative to the clock's now (``-2y``, ``+30d``, ``now``) or absolute, and drawn at random.

Nothing here reads the system time: ``now`` is always passed in, so a frozen clock gives the same
moments on every run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random as _random
import re

from ..clock import parse_iso

RELATIVE = re.compile(r"^(?P<sign>[+-])(?P<amount>[0-9]+)(?P<unit>s|min|h|d|w|mo|y)$")
UNITS = {
    "s": dt.timedelta(seconds=1),
    "min": dt.timedelta(minutes=1),
    "h": dt.timedelta(hours=1),
    "d": dt.timedelta(days=1),
    "w": dt.timedelta(weeks=1),
    "mo": dt.timedelta(days=30),
    "y": dt.timedelta(days=365),
}


def moment(text: str, now: dt.datetime) -> dt.datetime:
    """``now``, ``-2y``, ``+30d``, ``-90min`` from ``now``; else an ISO 8601 date or date-time (ValueError if not)."""
    if text == "now":
        return now
    match = RELATIVE.match(text)
    if match:
        delta = UNITS[match["unit"]] * int(match["amount"])
        return now + delta if match["sign"] == "+" else now - delta
    return parse_iso(text)


@dataclasses.dataclass(frozen=True)
class Span:
    """A stretch of time releases are spread over, with a share of them after ``now`` (upcoming)."""

    start: dt.datetime
    end: dt.datetime
    now: dt.datetime

    def draw(self, random: _random.Random, count: int, upcoming: float | None = None) -> list[dt.datetime]:
        """``count`` moments, oldest first, in whole seconds, spread over the span.

        With ``upcoming``, exactly ``round(count * upcoming)`` of them fall after now and the rest
        before it (the share is then not left to chance).
        """
        if self.start > self.end:
            raise ValueError("released_at.from is after released_at.to")
        if upcoming is None:
            return sorted(self._between(random, self.start, self.end) for _ in range(count))
        ahead = round(count * upcoming)
        if ahead and self.end <= self.now:
            raise ValueError("upcoming releases need released_at.to after now (e.g. +30d)")
        if ahead < count and self.start > self.now:
            raise ValueError("released_at.from is after now, so no release can be in the past (upcoming below 1)")
        past = [self._between(random, self.start, min(self.end, self.now)) for _ in range(count - ahead)]
        future = [self._between(random, self.now + dt.timedelta(seconds=1), self.end) for _ in range(ahead)]
        return sorted(past) + sorted(future)

    @staticmethod
    def _between(random: _random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        seconds = max(0, int((end - start).total_seconds()))
        return start.replace(microsecond=0) + dt.timedelta(seconds=random.randint(0, seconds))
