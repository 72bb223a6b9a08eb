"""Numeric ids as clients send them: decimal text read into an int without tripping Python's digit limit.

``int()`` refuses a numeral of more than 4,300 digits (``ValueError``), so a client sending
``/projects/999…9`` would otherwise meet a 500. The services mimicked keep ids in 64-bit
columns, so a numeral above ``MAX_ID`` names no row there, and none here: it reads as
``BEYOND_EVERY_ID``, and the lookup answers as for any unknown id.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1
"""The largest id a 64-bit key holds (GitLab's and Sentry's primary keys)."""

BEYOND_EVERY_ID = MAX_ID + 1
"""What a numeral above ``MAX_ID`` reads as: an id no table holds."""

_MAX_ID_DIGITS = len(str(MAX_ID))


def read_integer(text: str) -> int:
    """An ASCII decimal numeral with an optional sign, its size capped at ``BEYOND_EVERY_ID``.

    ``ValueError`` when ``text`` is not such a numeral.
    """
    sign, digits = (text[0], text[1:]) if text[:1] in ("+", "-") else ("+", text)
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"not a decimal integer: {text[:40]!r}")
    significant = digits.lstrip("0")
    # Cut off by length first: int() itself is what refuses very long numerals.
    size = BEYOND_EVERY_ID if len(significant) > _MAX_ID_DIGITS else min(int(significant or "0"), BEYOND_EVERY_ID)
    return -size if sign == "-" else size


def numeric_id(text: str) -> int | None:
    """The id an unsigned numeral names (``"24"`` -> 24), or ``None`` when ``text`` is no numeral (a path, a slug)."""
    if not (text.isascii() and text.isdigit()):
        return None
    return read_integer(text)
