"""Everything the mock's default world holds that a contract run may read but must not change, read over HTTP.

``world(url)`` maps a resource's name (``"gitlab project 25 release v1.0"``) to what the API answers
for it, read with the owner/admin tokens of the fixtures. It covers every GitLab project (the
sandbox project 24 too, whose releases are the docs' examples) and group with their releases,
links and tags; every Sentry organization with its releases (open and archived), their deploys,
files and commits, each project's release list and the repositories; every Chkk project's
releases. ``differences(before, after)`` lists, resource by resource, what a run changed, removed
or left behind.
"""

from __future__ import annotations

import typing as t
import urllib.parse

import httpx

GITLAB_ADMIN = "glpat-admin-0000000000000001"
SENTRY_ADMIN = "sntrys-mock-admin-00000000000000001"
CHKK_ALL = "chkk-all-projects-token-0001"
GITLAB_PROJECTS = ("24", "25", "26")
GITLAB_GROUPS = ("9",)
SENTRY_PROJECTS = {"my-org": ("sentry", "my-project", "mobile"), "other-org": ("other-project",)}
CHKK_PROJECTS = (
    "proj_a858f4d4-6e5b-4ab5-8d92-e9715b584ec1",
    "proj_c42014e7-baf5-4ec6-a502-858f98dca7c8",
    "proj_5d1e9a7b-3c4f-4e2a-9b8d-7f6e5a4b3c2d",
)

World = dict[str, t.Any]


def _segment(value: t.Any) -> str:
    return urllib.parse.quote(str(value), safe="")


def _get(client: httpx.Client, path: str, **params: t.Any) -> t.Any:
    response = client.get(path, params={"per_page": 100, **params})
    return {"status": response.status_code, "body": response.json() if response.content else None}


def gitlab(url: str) -> World:
    found: World = {}
    with httpx.Client(base_url=f"{url}/api/v4", headers={"PRIVATE-TOKEN": GITLAB_ADMIN}, timeout=30) as client:
        for project in GITLAB_PROJECTS:
            base = f"/projects/{project}"
            found[f"gitlab project {project}"] = _get(client, base)
            tags = _get(client, f"{base}/repository/tags")
            for tag in tags["body"]:
                found[f"gitlab project {project} tag {tag['name']}"] = tag
            releases = _get(client, f"{base}/releases")
            for release in releases["body"]:
                name = release["tag_name"]
                found[f"gitlab project {project} release {name}"] = _get(client, f"{base}/releases/{_segment(name)}")
                links = _get(client, f"{base}/releases/{_segment(name)}/assets/links")
                for link in links["body"]:
                    found[f"gitlab project {project} release {name} link {link['id']}"] = link
        for group in GITLAB_GROUPS:
            found[f"gitlab group {group} releases"] = _get(client, f"/groups/{group}/releases")
    return found


def sentry(url: str) -> World:
    found: World = {}
    headers = {"Authorization": f"Bearer {SENTRY_ADMIN}"}
    with httpx.Client(base_url=f"{url}/api/0", headers=headers, timeout=30) as client:
        for org, projects in SENTRY_PROJECTS.items():
            base = f"/organizations/{org}/releases/"
            for status in ("open", "archived"):
                for release in _get(client, base, status=status)["body"]:
                    version = release["version"]
                    path = f"{base}{_segment(version)}/"
                    found[f"sentry {org} release {version}"] = _get(client, path)
                    for part in ("deploys", "commits", "files"):
                        found[f"sentry {org} release {version} {part}"] = _get(client, f"{path}{part}/")
            for project in projects:
                listing = _get(client, f"/projects/{org}/{project}/releases/")
                found[f"sentry {org} project {project} releases"] = sorted(item["version"] for item in listing["body"])
            found[f"sentry {org} repos"] = _get(client, f"/organizations/{org}/repos/")
    return found


def chkk(url: str) -> World:
    found: World = {}
    headers = {"Authorization": f"Bearer {CHKK_ALL}"}
    with httpx.Client(base_url=f"{url}/chkk", headers=headers, timeout=30) as client:
        for project in CHKK_PROJECTS:
            listing = client.get(f"/projects/{project}/releases/", params={"page_size": 1000})
            found[f"chkk project {project} releases"] = listing.json()
    return found


def world(url: str) -> World:
    """Read twice; a value that differs between the two reads (a time computed per request) is left out."""
    first = {**gitlab(url), **sentry(url), **chkk(url)}
    second = {**gitlab(url), **sentry(url), **chkk(url)}
    return {name: _settled(value, second.get(name, VOLATILE)) for name, value in first.items()}


VOLATILE = "<differs from one read to the next>"


def _settled(first: t.Any, second: t.Any) -> t.Any:
    if isinstance(first, dict) and isinstance(second, dict) and first.keys() == second.keys():
        return {key: _settled(value, second[key]) for key, value in first.items()}
    if isinstance(first, list) and isinstance(second, list) and len(first) == len(second):
        return [_settled(a, b) for a, b in zip(first, second, strict=True)]
    return first if first == second else VOLATILE


def differences(before: World, after: World) -> list[str]:
    """What a run changed, one line per resource: gone, changed, or new."""
    lines = []
    for name, value in before.items():
        if name not in after:
            lines.append(f"gone: {name}")
        elif _settled(value, after[name]) != value:
            lines.append(f"changed: {name}: {value!r:.300} -> {after[name]!r:.300}")
    lines += [f"new: {name}" for name in after if name not in before]
    return lines
