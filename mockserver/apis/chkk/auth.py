"""Who is calling and which Projects they see: Chkk's bearer tokens (§C: 401 for a bad token, 404 out of scope)."""

from __future__ import annotations

from ...errors import NotFound, Unauthorized
from ...exchange import Call
from ...store import Row
from .state import ChkkState

UNAUTHORIZED = "A valid bearer token is required."


def authenticate(call: Call) -> Row:
    """The caller's token row; none, another scheme, an unknown or a revoked token is a 401."""
    scheme, _, credentials = call.headers.get("authorization", "").strip().partition(" ")
    token = ChkkState(call.state).token(credentials.strip()) if scheme.lower() == "bearer" else None
    if token is None or token.get("revoked", False):
        raise Unauthorized(UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    return token


def sees(token: Row, project_id: str) -> bool:
    """``projects`` is ``"*"`` for every Project, or the list of those the token sees."""
    return token["projects"] == "*" or project_id in token["projects"]


def find_project(state: ChkkState, token: Row, project_id: str) -> Row:
    """The Project, if the token sees it: one outside its scope is as missing as one that does not exist."""
    project = state.project(project_id)
    if project is None or not sees(token, project_id):
        raise NotFound(f"Project {project_id} not found or out of scope.")
    return project
