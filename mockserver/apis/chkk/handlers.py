"""Thin Chkk handlers: authenticate, one domain call, shape the reply. Registered in ``HANDLERS``."""

from __future__ import annotations

import typing as t

from ...exchange import Call, Reply
from . import releases, wire
from .auth import authenticate, find_project
from .state import ChkkState

DEFAULT_PAGE_SIZE = 100


def get_project_release(call: Call) -> Reply:
    state = ChkkState(call.state)
    project = find_project(state, authenticate(call), call.params["project"])
    return Reply(releases.find_release(state, project["id"], call.params["release"]))


def list_project_releases(call: Call) -> Reply:
    state = ChkkState(call.state)
    project_id = find_project(state, authenticate(call), call.params["project"])["id"]
    offset = wire.read_continuation_token(project_id, call.params.get("continuation_token"))
    page_size = call.params.get("page_size", DEFAULT_PAGE_SIZE)
    rows, more = releases.page_of_releases(state, project_id, offset=offset, limit=page_size)
    body: dict[str, t.Any] = {"data": rows}
    if more:
        body["continuation_token"] = wire.continuation_token(project_id, offset + len(rows))
    return Reply(body)


HANDLERS = {
    "getProjectRelease": get_project_release,
    "listProjectReleases": list_project_releases,
}
