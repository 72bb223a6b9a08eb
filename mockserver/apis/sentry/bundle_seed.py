"""Chunks, artifact bundles and assemble outcomes in the fixture form, in and out of the store.

Organizations and projects are named by slug; contents travel in base64 (a bundle's is its zip,
kept as the blob of its checksum). The dump says every field the tables hold, so loading it
gives the same rows, and the association counter goes under ``sequences``.
"""

from __future__ import annotations

import base64
import binascii
import pathlib
import typing as t

from ...clock import stored_from
from ...fixtures import FixtureError
from ...store import ApiData, Row, digest_of
from .bundles import LINK_COUNTER, NULL_DIST
from .state import SentryState

Seed = dict[str, t.Any]
Where = t.Callable[[str], pathlib.Path]
PARTS = ("chunks", "artifact_bundles", "assemble_statuses")


def load_bundles(data: ApiData, seed: Seed) -> None:
    state = SentryState(data)
    org_ids = {organization["slug"]: organization["id"] for organization in data.table("organizations")}
    for raw in seed.get("chunks", []):
        content = base64.b64decode(raw["content"])
        data.blobs.put(content)
        data.table("chunks").put(
            {"organization_id": org_ids[raw["organization"]], "sha1": digest_of(content), "size": len(content)}
        )
    for raw in seed.get("artifact_bundles", []):
        org = org_ids[raw["organization"]]
        content = base64.b64decode(raw["content"])
        data.blobs.put(content)
        key = {"organization_id": org, "bundle_id": raw["bundleId"]}
        data.table("artifact_bundles").put(
            {
                **key,
                "checksum": digest_of(content),
                "artifact_count": raw["artifactCount"],
                "date_added": stored_from(raw["dateAdded"]),
                "date_uploaded": stored_from(raw["dateUploaded"]),
                "date_last_modified": stored_from(raw["dateLastModified"]),
            }
        )
        for file in raw.get("files", []):
            data.table("artifact_bundle_files").put(
                {
                    **key,
                    **{name: file.get(name) for name in ("path", "url", "type", "size")},
                    "headers": file["headers"],
                }
            )
        for link in raw.get("releases", []):
            data.table("release_artifact_bundles").put(
                {
                    **key,
                    "release": link["release"],
                    "dist": link.get("dist") or NULL_DIST,
                    "position": link["position"],
                    "date_added": stored_from(link["dateAdded"]),
                }
            )
        for link in raw.get("projects", []):
            project = state.project(org, link["project"])
            assert project is not None  # check_bundle_references made sure
            data.table("project_artifact_bundles").put(
                {
                    **key,
                    "project_id": project["id"],
                    "date_added": stored_from(link["dateAdded"]),
                    "date_uploaded": stored_from(raw["dateUploaded"]),
                }
            )
    for raw in seed.get("assemble_statuses", []):
        data.table("assemble_statuses").put(
            {
                "organization_id": org_ids[raw["organization"]],
                "checksum": raw["checksum"],
                "state": raw["state"],
                "detail": raw.get("detail"),
                "started": stored_from(raw["started"]) if raw.get("started") is not None else None,
            }
        )
    links = [link["position"] for link in data.table("release_artifact_bundles")]
    data.set_counter(LINK_COUNTER, max([seed.get("sequences", {}).get(LINK_COUNTER, 0), *links]))


def dump_bundles(data: ApiData) -> Seed:
    slugs = {organization["id"]: organization["slug"] for organization in data.table("organizations")}
    project_slugs = {project["id"]: project["slug"] for project in data.table("projects")}

    def base64_of(digest: str) -> str:
        return base64.b64encode(data.blobs.get(digest) or b"").decode("ascii")

    def hanging(table: str, bundle: Row) -> list[Row]:
        return list(data.table(table).ordered("bundle", (bundle["organization_id"], bundle["bundle_id"])))

    dumped = {
        "chunks": [
            {
                "organization": slugs[chunk["organization_id"]],
                "sha1": chunk["sha1"],
                "content": base64_of(chunk["sha1"]),
            }
            for chunk in data.table("chunks")
        ],
        "artifact_bundles": [
            {
                "organization": slugs[bundle["organization_id"]],
                "bundleId": bundle["bundle_id"],
                "checksum": bundle["checksum"],
                "artifactCount": bundle["artifact_count"],
                "dateAdded": bundle["date_added"],
                "dateUploaded": bundle["date_uploaded"],
                "dateLastModified": bundle["date_last_modified"],
                "content": base64_of(bundle["checksum"]),
                "files": [
                    {name: file[name] for name in ("path", "url", "type", "headers", "size")}
                    for file in hanging("artifact_bundle_files", bundle)
                ],
                "releases": [
                    {
                        "release": link["release"],
                        "dist": link["dist"] or None,
                        "position": link["position"],
                        "dateAdded": link["date_added"],
                    }
                    for link in hanging("release_artifact_bundles", bundle)
                ],
                "projects": [
                    {"project": project_slugs[link["project_id"]], "dateAdded": link["date_added"]}
                    for link in hanging("project_artifact_bundles", bundle)
                ],
            }
            for bundle in data.table("artifact_bundles")
        ],
        "assemble_statuses": [
            {
                "organization": slugs[status["organization_id"]],
                "checksum": status["checksum"],
                "state": status["state"],
                "detail": status["detail"],
                **({"started": status["started"]} if status["started"] is not None else {}),
            }
            for status in data.table("assemble_statuses")
        ],
    }
    # Parts with nothing in them are left out, so a world without uploads dumps as it always did.
    return {part: rows for part, rows in dumped.items() if rows}


def check_bundle_references(where: Where, seed: Seed) -> None:
    """Organizations and projects exist; contents are base64 whose SHA-1 is the one given."""
    projects = {
        organization["slug"]: {project["slug"] for project in organization.get("projects", [])}
        | {project["id"] for project in organization.get("projects", [])}
        for organization in seed.get("organizations", [])
    }
    for part in PARTS:
        for index, raw in enumerate(seed.get(part, [])):
            here = f"/{index}"
            if raw["organization"] not in projects:
                raise FixtureError(where(part), f"{here}/organization", f"no organization {raw['organization']!r}")
            if "content" in raw:
                digest = _digest(where(part), f"{here}/content", raw["content"])
                claimed = raw.get("sha1", raw.get("checksum"))
                if claimed not in (None, digest):
                    raise FixtureError(where(part), here, "the checksum is not the SHA-1 of the content")
            for link_index, link in enumerate(raw.get("projects", [])):
                known = projects[raw["organization"]]
                if link["project"] not in known and not (link["project"].isdigit() and int(link["project"]) in known):
                    raise FixtureError(
                        where(part), f"{here}/projects/{link_index}/project", f"no project {link['project']!r}"
                    )


def _digest(file: pathlib.Path, pointer: str, text: str) -> str:
    try:
        return digest_of(base64.b64decode(text, validate=True))
    except binascii.Error:
        raise FixtureError(file, pointer, "not base64") from None
