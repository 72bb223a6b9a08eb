"""A project's Git tags and refs: enough of a repository for a CI job to tag, then release (§A.4)."""

from __future__ import annotations

import re
import typing as t

from ...errors import BadRequest, Conflict, NotFound
from ...store import Row
from .state import GitLabState

_SHA = re.compile(r"\A[0-9a-fA-F]{7,40}\Z")
# git check-ref-format, reduced to what a tag name can break.
_BAD_REF = re.compile(r"(\.\.|[\x00-\x20\x7f~^:?*\[\\]|@\{|//|\A[-/.]|[/.]\Z|\.lock\Z|/\.)")


def valid_tag_name(name: str) -> bool:
    return bool(name) and name != "HEAD" and not _BAD_REF.search(name)


def branch_or_tag(state: GitLabState, project: Row, ref: str) -> str | None:
    """The commit SHA a branch or tag of the project points at; None if ``ref`` is neither."""
    if ref in project["branches"]:
        return t.cast(str, project["branches"][ref])
    tag = state.tag(project["id"], ref)
    return None if tag is None else t.cast(str, tag["target"])


def resolve_ref(state: GitLabState, project: Row, ref: str) -> str | None:
    """A branch, a tag or a commit SHA -> the commit SHA, or None if it names nothing.

    Any well-formed SHA is accepted: a CI job tags the commit it runs on, which no fixture knows.
    """
    named = branch_or_tag(state, project, ref)
    if named is not None:
        return named
    if _SHA.match(ref):
        wanted = ref.lower()
        return next(
            (commit["id"] for commit in state.commits_of(project["id"]) if commit["id"].startswith(wanted)), wanted
        )
    return None


def check_new_tag(state: GitLabState, project: Row, name: str, ref: str | None) -> str:
    """Validate a tag about to be created from ``ref``; the target SHA. Changes nothing."""
    if not valid_tag_name(name):
        raise BadRequest("Tag name invalid")
    if state.tag(project["id"], name) is not None:
        raise Conflict(f"Tag {name} already exists")
    target = resolve_ref(state, project, ref or "")
    if target is None:
        raise BadRequest(f"Target {ref} is invalid")
    return target


def add_tag(state: GitLabState, project: Row, name: str, target: str, message: str | None, now: str) -> Row:
    """``now``: the moment in the stored form."""
    return state.tags.put(
        {"project_id": project["id"], "name": name, "target": target, "message": message or None, "created_at": now}
    )


def find_tag(state: GitLabState, project: Row, name: str) -> Row:
    tag = state.tag(project["id"], name)
    if tag is None:
        raise NotFound("404 Tag Not Found")
    return tag


def delete_tag(state: GitLabState, project: Row, name: str) -> None:
    """Deleting a tag deletes its release too, as in GitLab."""
    find_tag(state, project, name)
    state.tags.delete(project["id"], name)
    state.delete_release_links(project["id"], name)
    state.releases.delete(project["id"], name)


def list_tags(state: GitLabState, project: Row, *, order_by: str, sort: str, search: str | None) -> list[Row]:
    tags = list(state.tags.ordered("project", (project["id"],)))
    if search:
        if search.startswith("^"):
            tags = [tag for tag in tags if tag["name"].startswith(search[1:])]
        elif search.endswith("$"):
            tags = [tag for tag in tags if tag["name"].endswith(search[:-1])]
        else:
            tags = [tag for tag in tags if search.lower() in tag["name"].lower()]
    keys: dict[str, t.Callable[[dict[str, t.Any]], t.Any]] = {
        "name": lambda tag: tag["name"],
        "updated": lambda tag: (tag["created_at"], tag["name"]),
        "version": lambda tag: _version_key(tag["name"]),
    }
    return sorted(tags, key=keys[order_by], reverse=(sort == "desc"))


def _version_key(name: str) -> tuple[t.Any, ...]:
    return tuple(_version_part(part) for part in re.split(r"[.\-+]", name.lstrip("vV")))


def _version_part(part: str) -> tuple[int, int, str]:
    """Numbers before words; numbers by length, then digits (int() refuses more than 4,300 digits)."""
    if part.isascii() and part.isdigit():
        number = part.lstrip("0")
        return (0, len(number), number)
    return (1, 0, part)
