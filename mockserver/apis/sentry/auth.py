"""Bearer tokens with scopes, and which organizations and projects a token may see (§B.1, §B.2, §B.5)."""

from __future__ import annotations

import dataclasses

from ...errors import Forbidden, NotFound, Unauthorized
from ...exchange import Call
from .state import Organization, Project, SentryState, Token

NOT_PROVIDED = "Authentication credentials were not provided."
INVALID_TOKEN = "Invalid token"
NO_PERMISSION = "You do not have permission to perform this action."
DOES_NOT_EXIST = "The requested resource does not exist"


@dataclasses.dataclass(frozen=True)
class Access:
    """One token's view of one organization."""

    token: Token
    organization: Organization

    def can_see(self, project: Project) -> bool:
        return self.token.projects is None or project.slug in self.token.projects

    def visible_projects(self) -> list[Project]:
        return [project for project in self.organization.projects.values() if self.can_see(project)]

    def can_see_release(self, release: dict) -> bool:
        """A release is visible if the token sees one of its projects (or it has none yet)."""
        projects = [
            self.organization.projects[pid] for pid in release["project_ids"] if pid in self.organization.projects
        ]
        return not projects or any(self.can_see(project) for project in projects)


def authenticate(call: Call) -> Token:
    state: SentryState = call.state
    authorization = call.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthorized(NOT_PROVIDED)
    token = state.tokens.get(credentials.strip())
    if token is None or not token.active:
        raise Unauthorized(INVALID_TOKEN)
    required = call.operation.get("x-required-scopes") or []
    if required and not token.scopes.intersection(required):
        raise Forbidden(NO_PERMISSION)
    return token


def organization_access(call: Call) -> Access:
    """The caller's access to the organization in the path: unknown is 404, not a member is 403."""
    token = authenticate(call)
    organization = call.state.organization(str(call.params["organization_id_or_slug"]))
    if organization is None:
        raise NotFound(DOES_NOT_EXIST)
    if organization.slug not in token.organizations:
        raise Forbidden(NO_PERMISSION)
    return Access(token, organization)
