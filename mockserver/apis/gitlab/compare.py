"""Comparing two refs of a project's repository, over the commit graph the world keeps.

Each commit names its parents (``parent_ids``); a branch or tag points at a commit. A SHA that a
branch or tag names but no commit row describes is a commit without known parents. The commits
between ``from`` and ``to`` are those reachable from ``to`` and not from ``from``, oldest first
(parents before children), as ``git log --reverse from..to`` lists them; ``straight`` only changes
what the diffs are taken against, and the world keeps no file contents, so ``diffs`` is always an
empty list.
"""

from __future__ import annotations

import re
import typing as t

from ...errors import BadRequest, NotFound
from ...store import Row
from .state import GitLabState
from .tags import branch_or_tag

REF_NOT_FOUND = "404 Ref Not Found"
_SHA = re.compile(r"\A[0-9a-fA-F]{7,40}\Z")


class Comparison(t.NamedTuple):
    from_sha: str
    to_sha: str
    base_sha: str
    """What the web page compares against: ``from`` itself when straight, else the merge base."""
    commits: list[str]
    """SHAs, oldest first."""

    @property
    def same(self) -> bool:
        return self.from_sha == self.to_sha


def compare(
    state: GitLabState,
    project: Row,
    from_ref: str,
    to_ref: str,
    *,
    straight: bool,
    from_project_id: str | None,
    project_param: str,
) -> Comparison:
    if from_project_id is not None and from_project_id != str(project["id"]):
        # The mock keeps no forks: the project itself is the only one ``from`` may come from.
        raise BadRequest(f"Target project id:{from_project_id} is not a fork of project id:{project_param}")
    graph = _parents(state, project)
    from_sha, to_sha = resolve(graph, project, state, from_ref), resolve(graph, project, state, to_ref)
    if from_sha is None or to_sha is None:
        raise NotFound(REF_NOT_FOUND)
    if from_sha == to_sha:
        return Comparison(from_sha, to_sha, from_sha, [])
    reachable_from = _ancestors(graph, from_sha)
    commits = _newer(graph, to_sha, reachable_from)
    base = from_sha if straight else _merge_base(graph, to_sha, reachable_from) or from_sha
    return Comparison(from_sha, to_sha, base, commits)


def resolve(graph: dict[str, list[str]], project: Row, state: GitLabState, ref: str) -> str | None:
    """A branch, a tag, or (a prefix of) a SHA the repository knows -> the commit SHA."""
    named = branch_or_tag(state, project, ref)
    if named is not None:
        return named
    if _SHA.match(ref):
        wanted = ref.lower()
        return next((sha for sha in graph if sha.startswith(wanted)), None)
    return None


def _parents(state: GitLabState, project: Row) -> dict[str, list[str]]:
    graph = {commit["id"]: list(commit.get("parent_ids", [])) for commit in state.commits_of(project["id"])}
    targets = [
        *project["branches"].values(),
        *(tag["target"] for tag in state.tags.ordered("project", (project["id"],))),
    ]
    for sha in targets:
        graph.setdefault(sha, [])
    return graph


def _ancestors(graph: dict[str, list[str]], sha: str) -> set[str]:
    seen, stack = set(), [sha]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(graph.get(current, []))
    return seen


def _newer(graph: dict[str, list[str]], head: str, excluded: set[str]) -> list[str]:
    """Commits reachable from ``head`` but not in ``excluded``, each after its parents (post-order)."""
    ordered: list[str] = []
    done: set[str] = set(excluded)
    stack: list[tuple[str, bool]] = [(head, False)]
    while stack:
        sha, expanded = stack.pop()
        if expanded:
            ordered.append(sha)
            continue
        if sha in done:
            continue
        done.add(sha)
        stack.append((sha, True))
        stack.extend((parent, False) for parent in reversed(graph.get(sha, [])) if parent not in done)
    return ordered


def _merge_base(graph: dict[str, list[str]], head: str, reachable_from: set[str]) -> str | None:
    """The first commit reachable from both, walking back from ``head`` breadth first."""
    seen, queue = set(), [head]
    while queue:
        sha = queue.pop(0)
        if sha in reachable_from:
            return sha
        if sha not in seen:
            seen.add(sha)
            queue.extend(graph.get(sha, []))
    return None
