"""ProjectReleases: finding one by version or full identifier, and pages of a Project's releases."""

from __future__ import annotations

import re

from ...errors import NotFound
from .state import Project, Release

# "<project id>@<version>": the identifier Chkk gives a release. Project ids have no "@", so
# the first "@" ends the Project part and the version may hold more of them.
_FULL_ID = re.compile(r"(proj_[^@]*)@(.*)", re.DOTALL)


def find_release(project: Project, release: str) -> Release:
    """By version, or by full identifier, whose Project part must be this Project."""
    version = release
    full_id = _FULL_ID.fullmatch(release)
    if full_id is not None:
        if full_id.group(1) != project.id:
            raise NotFound(f"ProjectRelease {release} not found in Project {project.id}.")
        version = full_id.group(2)
    row = project.releases.get(version)
    if row is None:
        raise NotFound(f"ProjectRelease {project.id}@{version} not found.")
    return dict(row)


def page_of_releases(project: Project, *, offset: int, limit: int) -> tuple[list[Release], bool]:
    """Newest ``created_on`` first; the rows at ``offset``, and whether more follow them."""
    rows = project.releases.window("created_on", offset=offset, limit=limit, descending=True)
    return [dict(row) for row in rows], offset + len(rows) < len(project.releases)
