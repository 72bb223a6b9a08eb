"""Who is calling, and what they may see and do: GitLab's tokens, visibility and role rules (§A.2, §A.8)."""

from __future__ import annotations

import dataclasses
import typing as t

from ...errors import Forbidden, NotFound, Unauthorized
from ...exchange import Call
from ...ids import numeric_id
from .state import DEVELOPER, GUEST, REPORTER, GitLabState, Group, Project, Token

UNAUTHORIZED = "401 Unauthorized"
FORBIDDEN = "403 Forbidden"
PROJECT_NOT_FOUND = "404 Project Not Found"
GROUP_NOT_FOUND = "404 Group Not Found"


@dataclasses.dataclass(frozen=True)
class Principal:
    user: dict[str, t.Any] | None
    token: Token | None

    @property
    def anonymous(self) -> bool:
        return self.user is None

    @property
    def can_write(self) -> bool:
        return self.token is None or self.token.kind == "job" or "api" in self.token.scopes


ANONYMOUS = Principal(user=None, token=None)


def _presented_token(call: Call) -> str | None:
    headers = call.headers
    for header in ("private-token", "job-token"):
        if headers.get(header):
            return headers[header]
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    query = dict(call.query)
    for name in ("private_token", "access_token", "job_token"):
        if query.get(name):
            return query[name]
    return None


def authenticate(call: Call, *, required: bool = False) -> Principal:
    """The caller; an unknown, revoked or finished-job token is a 401 even where anonymous access is fine."""
    state: GitLabState = call.state
    presented = _presented_token(call)
    if presented is None:
        if required:
            raise Unauthorized(UNAUTHORIZED)
        return ANONYMOUS
    token = state.tokens.get(presented)
    if token is None or not token.active:
        raise Unauthorized(UNAUTHORIZED)
    return Principal(user=state.users[token.user_id], token=token)


class InsufficientScope(Forbidden):
    """A read-only token (``read_api``) used for a write: GitLab answers in OAuth's shape."""

    def __init__(self) -> None:
        super().__init__(
            {
                "error": "insufficient_scope",
                "error_description": "The request requires higher privileges than provided by the access token.",
                "scope": "api",
            }
        )


def require_write_scope(principal: Principal) -> None:
    if not principal.can_write:
        raise InsufficientScope()


def project_access(state: GitLabState, principal: Principal, project: Project) -> int:
    if principal.user is None:
        return 0
    token = principal.token
    if token is not None and token.kind == "job" and token.project_id not in (None, project.id):
        # A job token carries its user's rights only in its own project (GitLab's job token
        # allowlist starts empty); elsewhere it is as good as anonymous-with-a-login.
        return 0
    if principal.user.get("admin"):
        return 50
    user_id = principal.user["id"]
    level = project.members.get(user_id, 0)
    if project.group_id is not None and project.group_id in state.groups:
        level = max(level, state.groups[project.group_id].members.get(user_id, 0))
    return level


def _visible(visibility: str, principal: Principal, level: int) -> bool:
    return visibility == "public" or (visibility == "internal" and not principal.anonymous) or level >= GUEST


def find_project(state: GitLabState, principal: Principal, project_id: str) -> Project:
    """By numeric id or full path; a project the caller may not see does not exist for them."""
    number = numeric_id(project_id)
    project = state.projects.get(number) if number is not None else state.project_by_path(project_id)
    if project is None or not _visible(project.visibility, principal, project_access(state, principal, project)):
        raise NotFound(PROJECT_NOT_FOUND)
    return project


def find_group(state: GitLabState, principal: Principal, group_id: str) -> Group:
    number = numeric_id(group_id)
    group = state.groups.get(number) if number is not None else state.group_by_path(group_id)
    level = 0 if group is None or principal.user is None else group.members.get(principal.user["id"], 0)
    if principal.user is not None and principal.user.get("admin"):
        level = 50
    if group is None or not _visible(group.visibility, principal, level):
        raise NotFound(GROUP_NOT_FOUND)
    return group


@dataclasses.dataclass(frozen=True)
class Permissions:
    """What one caller may do with one project's releases."""

    read_release: bool
    read_code: bool
    write_release: bool

    @classmethod
    def of(cls, state: GitLabState, principal: Principal, project: Project) -> Permissions:
        level = project_access(state, principal, project)
        public = project.visibility == "public" or (project.visibility == "internal" and not principal.anonymous)
        return cls(
            read_release=public or level >= GUEST,
            read_code=public or level >= REPORTER,
            write_release=level >= DEVELOPER,
        )

    def require_read_code(self) -> None:
        if not self.read_code:
            raise Forbidden(FORBIDDEN)

    def require_write(self, principal: Principal) -> None:
        if not self.write_release:
            raise Forbidden(FORBIDDEN)
        require_write_scope(principal)
