"""JSON bodies as the mock sends them: compact, UTF-8 as is, written by orjson (json's bytes where orjson refuses)."""

from __future__ import annotations

import json
import typing as t

import orjson


def dump_json(body: t.Any) -> bytes:
    """``body`` as compact UTF-8 JSON: the bytes ``json.dumps(ensure_ascii=False, separators=(",", ":"))`` gives.

    orjson writes the same bytes for what our APIs send (str keys, ints within 64 bits, unicode
    kept, floats in their shortest form) at a fraction of the cost. Where it refuses a value
    (an int beyond 64 bits, which a client may send and read back; a key that is not a string),
    the standard library writes it, as before. Two spellings still differ, both from values no
    API of ours produces: orjson writes NaN and infinities as ``null`` (json wrote ``NaN``, not
    JSON at all) and a tiny float as ``1e-7`` (json: ``1e-07``, the same number).
    """
    try:
        return orjson.dumps(body)
    except orjson.JSONEncodeError:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
