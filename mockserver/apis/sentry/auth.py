"""Bearer tokens with scopes, and which organizations and projects a token may see (§B.1, §B.2, §B.5)."""

from __future__ import annotations

import dataclasses
import typing as t

from ...errors import Forbidden, NotFound, Unauthorized
from ...exchange import Call
from ...store import Row
from .state import SentryState

NOT_PROVIDED = "Authentication credentials were not provided."
INVALID_TOKEN = "Invalid token"
NO_PERMISSION = "You do not have permission to perform this action."
DOES_NOT_EXIST = "The requested resource does not exist"


@dataclasses.dataclass(frozen=True)
class Access:
    """One token's view of one organization, over the API's state."""

    token: Row
    organization: Row
    state: SentryState

    @property
    def organization_id(self) -> int:
        return t.cast(int, self.organization["id"])

    @property
    def sees_every_project(self) -> bool:
        """A token that names no projects sees all of its organizations' projects."""
        return self.token.get("projects") is None

    def can_see(self, project: Row) -> bool:
        return self.sees_every_project or project["slug"] in self.token["projects"]

    def project(self, id_or_slug: t.Any) -> Row | None:
        return self.state.project(self.organization_id, id_or_slug)

    def can_see_release(self, release: Row) -> bool:
        """A release is visible if the token sees one of its projects (or it has none yet)."""
        if self.sees_every_project:
            return True
        projects = [self.state.table("projects").get(pid) for pid in self.state.project_ids(release)]
        known = [project for project in projects if project is not None]
        return not known or any(self.can_see(project) for project in known)


def authenticate(call: Call) -> Row:
    state = SentryState(call.state)
    authorization = call.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthorized(NOT_PROVIDED)
    token = state.token(credentials.strip())
    if token is None or token.get("revoked", False):
        raise Unauthorized(INVALID_TOKEN)
    required = call.operation.get("x-required-scopes") or []
    if required and not set(token.get("scopes", [])).intersection(required):
        raise Forbidden(NO_PERMISSION)
    return token


def organization_access(call: Call) -> Access:
    """The caller's access to the organization in the path: unknown is 404, not a member is 403."""
    token = authenticate(call)
    state = SentryState(call.state)
    organization = state.organization(str(call.params["organization_id_or_slug"]))
    if organization is None:
        raise NotFound(DOES_NOT_EXIST)
    if organization["slug"] not in token.get("organizations", []):
        raise Forbidden(NO_PERMISSION)
    return Access(token, organization, state)


def project_access(call: Call) -> tuple[Access, Row]:
    """The caller's access and the project in the path, as Sentry's project endpoints find them.

    An unknown project is 404; one the token may not see is 403, because Sentry checks its
    permission on the project once the project is found.
    """
    access = organization_access(call)
    project = access.project(call.params["project_id_or_slug"])
    if project is None:
        raise NotFound(DOES_NOT_EXIST)
    if not access.can_see(project):
        raise Forbidden(NO_PERMISSION)
    return access, project
