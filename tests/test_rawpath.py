"""Paths split before they are decoded (``rawpath.routing_path``)."""

from __future__ import annotations

import pytest

from mockserver.rawpath import escape_segment, routing_path


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        pytest.param(b"/api/v4/projects/24/releases/v1.0", "/api/v4/projects/24/releases/v1.0", id="plain"),
        pytest.param(b"/api/v4/projects/24/releases?page=2", "/api/v4/projects/24/releases", id="query-cut"),
        pytest.param(b"/releases/release%2F1.0", "/releases/release%2F1.0", id="escaped-slash-kept"),
        pytest.param(b"/releases/a%20b", "/releases/a b", id="escape-decoded"),
        pytest.param(b"/releases/a%25b", "/releases/a%25b", id="escaped-percent-kept"),
        pytest.param(b"/releases/a\x01b", "/releases/a%01b", id="control-character-escaped"),
        pytest.param("/releases/é".encode(), "/releases/é", id="utf-8"),
    ],
)
def test_routing_path_splits_before_decoding(raw: bytes, path: str) -> None:
    assert routing_path(raw) == path


@pytest.mark.parametrize("raw", [b"/a/b.c-d_e~f", b"/projects/24/releases/v0.1/assets/links/1", b"/x\x7f/y"])
def test_the_shortcut_for_unescaped_paths_agrees_with_the_segment_walk(raw: bytes) -> None:
    text = raw.decode("ascii")
    assert routing_path(raw) == "/".join(escape_segment(segment) for segment in text.split("/"))
