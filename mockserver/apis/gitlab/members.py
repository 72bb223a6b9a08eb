"""A project's members, from the roles the world keeps: direct ones (the project's own members) and
all of them (with the members of the project's group, each user once at their highest level)."""

from __future__ import annotations

import typing as t

from ...errors import NotFound
from ...store import Row
from .state import ROLE_LEVELS, GitLabState
from .views import user_basic

MEMBER_NOT_FOUND = "404 Not found"
"""``members.find_by!(user_id:)`` raises ActiveRecord's RecordNotFound: GitLab's generic lower-case 404."""


class Member(t.NamedTuple):
    user: Row
    access_level: int
    since: str
    """When the membership began, in the stored form: the mock keeps no such date, so the
    project's (or group's) creation stands in for it."""


def project_members(state: GitLabState, project: Row, *, inherited: bool) -> list[Member]:
    """Members by user id; ``inherited``: the group's members too, each user at their highest level."""
    found: dict[int, Member] = {}
    sources: list[t.Mapping[str, str]] = [project["members"]]
    if inherited:
        group = state.group(project.get("group_id"))
        if group is not None:
            sources.append(group["members"])
    for members in sources:
        for username, role in members.items():
            user = state.user_by_name(username)
            if user is None:
                continue
            level = ROLE_LEVELS[role]
            known = found.get(user["id"])
            if known is None or level > known.access_level:
                found[user["id"]] = Member(user, level, project["created_at"])
    return [found[user_id] for user_id in sorted(found)]


def filter_members(members: list[Member], query: str | None, user_ids: t.Collection[int]) -> list[Member]:
    """``query`` matches a username or name (any case); ``user_ids`` keeps only those users."""
    wanted = query.lower() if query else None
    return [
        member
        for member in members
        if (not user_ids or member.user["id"] in user_ids)
        and (wanted is None or wanted in member.user["username"].lower() or wanted in member.user["name"].lower())
    ]


def find_member(state: GitLabState, project: Row, user_id: int, *, inherited: bool) -> Member:
    member = next((m for m in project_members(state, project, inherited=inherited) if m.user["id"] == user_id), None)
    if member is None:
        raise NotFound(MEMBER_NOT_FOUND)
    return member


def member_view(member: Member, base_url: str) -> dict[str, t.Any]:
    """GitLab's member entity: the user's basic fields merged with the membership's."""
    return {
        **user_basic(member.user, base_url),
        "access_level": member.access_level,
        "created_at": member.since[:23] + "Z",
        "expires_at": None,
        "membership_state": "active",
    }
