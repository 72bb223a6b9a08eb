"""Who is calling and which Projects they see: Chkk's bearer tokens (§C: 401 for a bad token, 404 out of scope)."""

from __future__ import annotations

from ...errors import NotFound, Unauthorized
from ...exchange import Call
from .state import ChkkState, Project, Token

UNAUTHORIZED = "A valid bearer token is required."


def authenticate(call: Call) -> Token:
    """The caller's token; none, another scheme, an unknown or a revoked token is a 401."""
    scheme, _, credentials = call.headers.get("authorization", "").strip().partition(" ")
    state: ChkkState = call.state
    token = state.tokens.get(credentials.strip()) if scheme.lower() == "bearer" else None
    if token is None or not token.active:
        raise Unauthorized(UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    return token


def find_project(state: ChkkState, token: Token, project_id: str) -> Project:
    """The Project, if the token sees it: one outside its scope is as missing as one that does not exist."""
    project = state.projects.get(project_id)
    if project is None or not token.sees(project.id):
        raise NotFound(f"Project {project_id} not found or out of scope.")
    return project
