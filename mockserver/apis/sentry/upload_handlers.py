"""Thin handlers for the API index, chunk upload, artifact bundle assembly, what shows the bundles and their delete."""

from __future__ import annotations

import typing as t

from ...errors import NotFound
from ...exchange import Call, Reply
from . import bundle_views, bundles, chunks, wire
from .auth import DOES_NOT_EXIST, authenticate, organization_access, project_access
from .state import SentryState


def get_api_index(call: Call) -> Reply:
    # Sentry's index answers anyone; only a bearer token is looked at (and refused when unknown).
    scheme, _, _ = call.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return Reply(bundle_views.index_view(None, None))
    token = authenticate(call)
    user = SentryState(call.state).table("users").get(token["user"])
    return Reply(bundle_views.index_view(token, user))


def get_chunk_upload_options(call: Call) -> Reply:
    access = organization_access(call)
    url = f"{call.api_url}/organizations/{access.organization['slug']}/chunk-upload/"
    return Reply(chunks.options(access, url))


def _parts(uploads: t.Any) -> list[chunks.Part]:
    listed = uploads if isinstance(uploads, list) else [] if uploads is None else [uploads]
    return [chunks.Part(upload.filename or "", upload.file.read()) for upload in listed]


def upload_chunks(call: Call) -> Reply:
    access = organization_access(call)
    chunks.store_chunks(
        access,
        _parts(call.params.get("file")),
        _parts(call.params.get("file_gzip")),
        call.headers.get("content-encoding", ""),
    )
    # Sentry answers 200 with an empty body (and its JSON content type).
    return Reply(b"", media_type="application/json")


def assemble_artifact_bundle(call: Call) -> Reply:
    access = organization_access(call)
    return Reply(bundles.assemble(access, call.body, call.clock.now()))


def get_release_meta(call: Call) -> Reply:
    access = organization_access(call)
    release, count, bundled = bundles.meta_of(access, call.params["version"], call.clock.now())
    return Reply(bundle_views.meta_view(release, access.state, count, bundled))


def list_project_artifact_bundles(call: Call) -> Reply:
    access = organization_access(call)
    project = access.project(call.params["project_id_or_slug"])
    if project is None or not access.can_see(project):
        raise NotFound(DOES_NOT_EXIST)
    newest_first = (call.params.get("sortBy") or "-date_added").startswith("-")
    query = call.params.get("query") or ""
    rows = bundles.project_bundles(access, project, query, call.clock.now(), newest_first=newest_first)
    page = wire.OffsetPage.of(call)
    shown, has_next = page.split(rows[page.start : page.stop])
    items = [bundle_views.bundle_view(bundle, bundles.associations(access, bundle)) for bundle in shown]
    return wire.offset_reply(call, items, page, has_next)


def list_artifact_bundle_files(call: Call) -> Reply:
    access = organization_access(call)
    project = access.project(call.params["project_id_or_slug"])
    if project is None or not access.can_see(project):
        raise NotFound(DOES_NOT_EXIST)
    bundle = bundles.project_bundle(access, project, call.params["bundle_id"], call.clock.now())
    files = bundles.bundle_files(access, bundle, call.params.get("query") or "")
    page = wire.CursorPage.of(call, len(files))
    body = {
        **bundle_views.bundle_view(bundle, bundles.associations(access, bundle)),
        "files": [
            bundle_views.bundle_file_view(file, bundles.debug_id(file["headers"].get("debug-id")))
            for file in page.slice(files)
        ],
    }
    # Sentry's chain paginator does not count: a Link, and no X-Hits.
    has_next = page.offset + page.limit < page.total
    link = wire.link_header(call, (page.previous, page.offset > 0), (page.next, has_next))
    return Reply(body, headers={"Link": link})


def delete_project_artifact_bundle(call: Call) -> Reply:
    access, project = project_access(call)
    bundles.delete_bundle(access, project, call.params.get("bundleId"), call.clock.now())
    return Reply(None, status=204)


UPLOAD_HANDLERS = {
    "getApiIndex": get_api_index,
    "getChunkUploadOptions": get_chunk_upload_options,
    "uploadChunks": upload_chunks,
    "assembleArtifactBundle": assemble_artifact_bundle,
    "getOrganizationReleaseMeta": get_release_meta,
    "listProjectArtifactBundles": list_project_artifact_bundles,
    "listArtifactBundleFiles": list_artifact_bundle_files,
    "deleteProjectArtifactBundle": delete_project_artifact_bundle,
}
