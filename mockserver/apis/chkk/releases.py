"""ProjectReleases: finding one by version or full identifier, and pages of a Project's releases."""

from __future__ import annotations

import re

from ...errors import NotFound
from .state import ChkkState, Release

# "<project id>@<version>": the identifier Chkk gives a release. Project ids have no "@", so
# the first "@" ends the Project part and the version may hold more of them.
_FULL_ID = re.compile(r"(proj_[^@]*)@(.*)", re.DOTALL)


def find_release(state: ChkkState, project_id: str, release: str) -> Release:
    """By version, or by full identifier, whose Project part must be this Project."""
    version = release
    full_id = _FULL_ID.fullmatch(release)
    if full_id is not None:
        if full_id.group(1) != project_id:
            raise NotFound(f"ProjectRelease {release} not found in Project {project_id}.")
        version = full_id.group(2)
    found = state.release(project_id, version)
    if found is None:
        raise NotFound(f"ProjectRelease {project_id}@{version} not found.")
    return found


def page_of_releases(state: ChkkState, project_id: str, *, offset: int, limit: int) -> tuple[list[Release], bool]:
    """Newest ``created_on`` first; the rows at ``offset``, and whether more follow them."""
    rows, total = state.releases_newest_first(project_id, offset=offset, limit=limit)
    return rows, offset + len(rows) < total
