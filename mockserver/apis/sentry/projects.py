"""An organization's projects as its project list shows them: visible ones by slug, narrowed by ``query``.

``query`` is Sentry's plain search syntax (``tokenize_query``): words match a project's name or
slug (the words joined by one space, any case), ``id:`` and ``slug:`` name projects (repeat a
key for several), ``team:`` keeps projects of those teams (the mock has no teams: none), ``!team:``
drops them (none to drop), ``is_member:`` keeps the projects the caller is a member of (those it
sees), and any other key matches nothing.
"""

from __future__ import annotations

import typing as t

from ...errors import BadRequest
from ...store import Row
from .auth import Access
from .releases import Listing

STATS_PERIODS = ("", "1h", "24h", "7d", "14d", "30d", "90d")
DATASETS = ("", "discover", "metricsEnhanced", "metrics")


def _legacy_error(message: str) -> BadRequest:
    """The nested body this endpoint answers its parameter errors with (under ``stats_period``, whatever the cause)."""
    return BadRequest({"error": {"params": {"stats_period": {"message": message}}}})


def check_parameters(params: t.Mapping[str, t.Any]) -> None:
    """``statsPeriod`` and ``dataset`` as Sentry checks them, each with the body it answers with."""
    period = params.get("statsPeriod")
    if period is not None and period not in STATS_PERIODS:
        choices = ", ".join(f"'{choice}'" for choice in STATS_PERIODS[:-1])
        raise _legacy_error(f"Invalid stats_period. Valid choices are {choices}, and '{STATS_PERIODS[-1]}'")
    dataset = params.get("dataset", "discover")
    if dataset not in DATASETS:
        raise BadRequest(f"dataset must be one of: {', '.join(DATASETS)}")


def split_tokens(query: str) -> list[str]:
    """Words split on whitespace, except inside quotes or after a word that ends in ``:`` (``user: x``)."""
    tokens: list[str] = []
    token, quote, previous_end = "", None, None
    index = 0
    while index < len(query):
        char = query[index]
        following = query[index + 1] if index + 1 < len(query) else None
        token += char
        if following and not char.isspace() and following.isspace():
            previous_end = char
        if char.isspace() and quote is None and previous_end != ":":
            if not token.isspace():
                tokens.append(token.strip(" "))
            token = ""
        if char in "'\"" and (quote is None or quote == char):
            quote = None if quote else char
        elif quote is not None and char == "\\" and following == quote:
            token += following
            index += 1
        index += 1
    if token and not token.isspace():
        tokens.append(token.strip(" "))
    return tokens


def tokenize(query: str) -> dict[str, list[str]]:
    """``{"query": [words], key: [values]}``, as Sentry's ``tokenize_query`` reads a search."""
    words: list[str] = []
    tagged: dict[str, list[str]] = {}
    for token in split_tokens(query):
        if token.upper() in ("OR", "AND") or not token.strip("()"):
            continue
        colon = token.find(":")
        is_tag = colon > 0 and token[0] not in "\"'" and token[colon + 1 : colon + 2] not in (":", " ")
        if not is_tag:
            words.append(token.strip('"()'))
            continue
        key = _unquoted(token[:colon].lstrip("("))
        tagged.setdefault(key, []).append(_unquoted(token[colon + 1 :].rstrip(")")))
    return ({"query": words} if words else {}) | tagged


def _unquoted(text: str) -> str:
    return text[1:-1] if len(text) > 1 and text[0] == text[-1] == '"' else text


def list_projects(access: Access, query: str, params: t.Mapping[str, t.Any] | None = None) -> Listing:
    """The caller's visible projects of the organization matching ``query``, by slug."""
    check_parameters(params or {})
    rows = sorted(
        (project for project in access.state.projects_of(access.organization_id) if access.can_see(project)),
        key=lambda project: project["slug"],
    )
    for key, values in tokenize(query).items():
        rows = _filtered(rows, key, values)
    return Listing(lambda offset, limit: rows[offset : offset + limit])


def _filtered(rows: list[Row], key: str, values: list[str]) -> list[Row]:
    if key == "query":
        text = " ".join(values).lower()
        return [row for row in rows if text in row["name"].lower() or text in row["slug"].lower()]
    if key == "id":
        if not all(value.isdigit() for value in values):
            raise _legacy_error("All 'id' values must be integers.")
        return [row for row in rows if str(row["id"]) in {value.lstrip("0") or "0" for value in values}]
    if key == "slug":
        return [row for row in rows if row["slug"] in values]
    if key in ("!team", "is_member"):
        return rows
    return []  # ``team:`` (no project has a team here) and every key Sentry does not know
