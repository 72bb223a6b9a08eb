"""Who is calling, and what they may see and do: GitLab's tokens, visibility and role rules (§A.2, §A.8)."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import typing as t

from ...errors import Forbidden, NotFound, Unauthorized
from ...exchange import Call
from ...ids import numeric_id
from ...store import Row
from .state import DEVELOPER, GUEST, OWNER, REPORTER, GitLabState, role_level

UNAUTHORIZED = "401 Unauthorized"
FORBIDDEN = "403 Forbidden"
PROJECT_NOT_FOUND = "404 Project Not Found"
GROUP_NOT_FOUND = "404 Group Not Found"


@dataclasses.dataclass(frozen=True)
class Principal:
    user: Row | None
    token: Row | None

    @property
    def anonymous(self) -> bool:
        return self.user is None

    @property
    def can_write(self) -> bool:
        return self.token is None or self.token["kind"] == "job" or "api" in self.token["scopes"]


ANONYMOUS = Principal(user=None, token=None)


def _presented_token(call: Call, basic: bool) -> str | None:
    headers = call.headers
    for header in ("private-token", "job-token"):
        if headers.get(header):
            return headers[header]
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    if basic and authorization.lower().startswith("basic "):
        return _basic_password(authorization[6:].strip())
    query = dict(call.query)
    for name in ("private_token", "access_token", "job_token"):
        if query.get(name):
            return query[name]
    return None


def _basic_password(credentials: str) -> str:
    """The password of HTTP Basic credentials (the user name is not checked); unreadable ones match no token."""
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[2]


def authenticate(state: GitLabState, call: Call, *, required: bool = False, basic: bool = False) -> Principal:
    """The caller; an unknown, revoked or finished-job token is a 401 even where anonymous access is fine.

    ``basic``: the route also takes a token as the password of HTTP Basic credentials (GitLab's
    package registry routes do).
    """
    presented = _presented_token(call, basic)
    if presented is None:
        if required:
            raise Unauthorized(UNAUTHORIZED)
        return ANONYMOUS
    token = state.tokens.get(presented)
    if token is None or token["revoked"]:
        raise Unauthorized(UNAUTHORIZED)
    return Principal(user=state.user(token["user_id"]), token=token)


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


def project_access(state: GitLabState, principal: Principal, project: Row) -> int:
    if principal.user is None:
        return 0
    token = principal.token
    if token is not None and token["kind"] == "job" and token["project_id"] not in (None, project["id"]):
        # A job token carries its user's rights only in its own project (GitLab's job token
        # allowlist starts empty); elsewhere it is as good as anonymous-with-a-login.
        return 0
    if principal.user.get("admin"):
        return OWNER
    username = principal.user["username"]
    level = role_level(project["members"], username)
    group = state.group(project["group_id"])
    if group is not None:
        level = max(level, role_level(group["members"], username))
    return level


def _visible(visibility: str, principal: Principal, level: int) -> bool:
    return visibility == "public" or (visibility == "internal" and not principal.anonymous) or level >= GUEST


def find_project(state: GitLabState, principal: Principal, project_id: str) -> Row:
    """By numeric id or full path; a project the caller may not see does not exist for them."""
    number = numeric_id(project_id)
    project = state.project(number) if number is not None else state.project_by_path(project_id)
    if project is None or not _visible(project["visibility"], principal, project_access(state, principal, project)):
        raise NotFound(PROJECT_NOT_FOUND)
    return project


def access_to_project(state: GitLabState, call: Call, *, basic: bool = False) -> tuple[Principal, Row, Permissions]:
    """The caller, the project the call names (``id``) and their rights on it: 401 or 404 as above.

    Kept in the data's memo by the token presented and the project named: all three depend on
    nothing else but stored rows, and the memo is emptied at every write. (``basic``: as in
    ``authenticate``; the token it finds is the key.)
    """
    key = ("access", _presented_token(call, basic), call.params["id"])
    memo = state.data.memo
    known = memo.get(key)
    if known is None:
        principal = authenticate(state, call, basic=basic)
        # The project is looked up first: to an anonymous caller a private project is a 404 on every route.
        project = find_project(state, principal, call.params["id"])
        known = memo.put(key, (principal, project, Permissions.of(state, principal, project)))
    return t.cast(tuple[Principal, Row, Permissions], known)


def find_group(state: GitLabState, principal: Principal, group_id: str) -> Row:
    number = numeric_id(group_id)
    group = state.group(number) if number is not None else state.group_by_path(group_id)
    level = 0 if group is None or principal.user is None else role_level(group["members"], principal.user["username"])
    if principal.user is not None and principal.user.get("admin"):
        level = OWNER
    if group is None or not _visible(group["visibility"], principal, level):
        raise NotFound(GROUP_NOT_FOUND)
    return group


@dataclasses.dataclass(frozen=True)
class Permissions:
    """What one caller may do with one project's releases."""

    read_release: bool
    read_code: bool
    write_release: bool

    @classmethod
    def of(cls, state: GitLabState, principal: Principal, project: Row) -> Permissions:
        level = project_access(state, principal, project)
        visibility = project["visibility"]
        public = visibility == "public" or (visibility == "internal" and not principal.anonymous)
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
