"""Generators of fixture data, one module per API: each fills records in that API's fixture form.

``GENERATORS`` maps an API's name to its generator; a scenario's ``generate`` block on a record is
handed to the generator of the API the record belongs to.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t

from faker import Faker

from ..moments import Span, moment

Extra = dict[str, list[dict[str, t.Any]]]
"""Generated records for other fixture parts than the generating record's, by part."""


class Ids:
    """Hands out ids after every id the fixture data already holds, so generated ones never collide."""

    def __init__(self, last: int) -> None:
        self.last = last

    def next(self) -> int:
        self.last += 1
        return self.last


@dataclasses.dataclass(frozen=True)
class Context:
    """What a generator needs besides the block: the seeded Faker, the clock's now, the id source, the data so far."""

    fake: Faker
    now: dt.datetime
    ids: Ids
    data: t.Mapping[str, t.Any]
    """The API's fixture data as merged so far (what generated names must not repeat)."""

    def span(self, block: t.Mapping[str, t.Any]) -> Span:
        chosen = block.get("released_at", {})
        return Span(moment(chosen.get("from", "-2y"), self.now), moment(chosen.get("to", "now"), self.now), self.now)


class Generator(t.Protocol):
    @property
    def keys(self) -> t.Mapping[str, str]:
        """Per fixture part, the field that names a record: a scenario's record with a base record's name extends it."""

    def last_id(self, seed: t.Mapping[str, t.Any]) -> int:
        """The largest id the seed already uses where generated ids go."""

    def generate(self, record: dict[str, t.Any], block: t.Mapping[str, t.Any], context: Context) -> Extra:
        """Add what ``block`` asks for to ``record`` (one fixture record, changed in place).

        Returns records that belong to other parts of the fixture data, by part (Chkk's releases).
        """


def generators() -> dict[str, Generator]:
    from . import chkk, gitlab, sentry

    return {"chkk": chkk.GENERATOR, "gitlab": gitlab.GENERATOR, "sentry": sentry.GENERATOR}
