"""Sentry's index, chunk upload and artifact bundle assembly over HTTP, and what shows the bundles afterwards."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import typing as t
import zipfile

import httpx
import pytest

from mockserver import MockApp
from tests.sentry.conftest import ADMIN, CI, OTHER_ORG, READ, RELEASES, REVOKED, SCOPED
from tests.sentry.test_sentry_state import assert_round_trip, dumped, loaded

CHUNKS = "/organizations/my-org/chunk-upload/"
ASSEMBLE = "/organizations/my-org/artifactbundle/assemble/"
BUNDLES = "/projects/my-org/my-project/files/artifact-bundles/"
DEBUG_ID = "1e04fee6-42d5-543b-8256-8e2ca971b91c"
BAD_CHUNKS = "The chunks field is required and must be provided as an array of 40-character hexadecimal strings."


def sha1(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()


def bundle(release: str | None = "1.0.0", *, debug_id: str | None = DEBUG_ID, files: int = 2) -> bytes:
    """A zip as ``sentry-cli sourcemaps upload`` builds it: the files and a ``manifest.json``."""
    entries = {
        "files/_/_/app.js": (
            {"type": "minified_source", "url": "~/app.js", "headers": {"sourcemap": "app.js.map"}},
            b"a()",
        ),
        "files/_/_/app.js.map": ({"type": "source_map", "url": "~/app.js.map"}, b'{"version":3}'),
    }
    chosen = dict(list(entries.items())[:files])
    manifest: dict[str, t.Any] = {"files": {path: info for path, (info, _) in chosen.items()}, "org": "my-org"}
    if release is not None:
        manifest["release"] = release
    if debug_id is not None:
        manifest["debug_id"] = debug_id
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, (_, content) in chosen.items():
            archive.writestr(path, content)
        archive.writestr("manifest.json", json.dumps(manifest))
    return buffer.getvalue()


def split(content: bytes, size: int) -> list[bytes]:
    return [content[start : start + size] for start in range(0, len(content), size)]


def upload(sentry: httpx.Client, parts: t.Sequence[bytes], *, field: str = "file_gzip") -> httpx.Response:
    """Chunks as sentry-cli sends them: one part each, named by the SHA-1 of its bytes."""
    files = [(field, (sha1(part), gzip.compress(part) if field == "file_gzip" else part)) for part in parts]
    return sentry.post(CHUNKS, files=files)


def assemble(sentry: httpx.Client, content: bytes, parts: t.Sequence[bytes], **extra: t.Any) -> httpx.Response:
    body = {"checksum": sha1(content), "chunks": [sha1(part) for part in parts], "projects": ["my-project"], **extra}
    return sentry.post(ASSEMBLE, json=body)


def assembled(sentry: httpx.Client, content: bytes, *, size: int = 100, **extra: t.Any) -> list[dict[str, t.Any]]:
    """The states of a whole upload: ask, upload what is missing, ask again (twice)."""
    parts = split(content, size)
    states = [assemble(sentry, content, parts, **extra).json()]
    assert upload(sentry, parts).status_code == 200
    states += [assemble(sentry, content, parts, **extra).json() for _ in range(2)]
    return states


def test_the_index_answers_anyone_and_describes_a_token(as_token: t.Callable[[str | None], httpx.Client]) -> None:
    assert as_token(None).get("/").json() == {"version": "0", "auth": None, "user": None}
    described = as_token(RELEASES).get("/").json()
    assert described["auth"] == {"scopes": ["project:releases", "project:read", "org:read"]}
    assert (described["user"]["id"], described["user"]["email"]) == ("1", "raj@raspberries")
    assert as_token(CI).get("/").json()["user"]["name"] == "CI Robot"
    for refused in (REVOKED, "sntrys-not-a-token-000000000000"):
        response = as_token(refused).get("/")
        assert (response.status_code, response.json()) == (401, {"detail": "Invalid token"})


def test_chunk_upload_options_point_back_at_the_server(sentry: httpx.Client, app: MockApp) -> None:
    options = sentry.get(CHUNKS).json()
    assert options["url"] == f"{str(sentry.base_url).rstrip('/')}{CHUNKS}"
    assert options["url"].startswith("http://127.0.0.1:")
    assert (options["chunkSize"], options["chunksPerRequest"], options["hashAlgorithm"]) == (8388608, 64, "sha1")
    assert options["compression"] == ["gzip"]
    assert {"artifact_bundles", "artifact_bundles_v2", "release_files", "sources"} <= set(options["accept"])
    assert options["maxFileSize"] == app.store.state("sentry").blobs.limit
    # By ID the URL still names the organization by slug, as Sentry's route does.
    assert sentry.get("/organizations/1/chunk-upload/").json()["url"] == options["url"]


@pytest.mark.parametrize(
    ("token", "method", "status"),
    [
        pytest.param(READ, "GET", 200, id="read-may-ask"),
        pytest.param(READ, "POST", 403, id="read-may-not-upload"),
        pytest.param(CI, "POST", 200, id="ci-may-upload"),
        pytest.param(OTHER_ORG, "GET", 403, id="other-org"),
        pytest.param(None, "GET", 401, id="anonymous"),
    ],
)
def test_chunk_upload_needs_release_scopes_in_the_organization(
    as_token: t.Callable[[str | None], httpx.Client], token: str | None, method: str, status: int
) -> None:
    assert as_token(token).request(method, CHUNKS).status_code == status


def test_chunks_are_kept_by_checksum(app: MockApp, sentry: httpx.Client) -> None:
    response = upload(sentry, [b"one", b"two"])
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["content-type"] == "application/json"
    assert upload(sentry, [b"three"], field="file").status_code == 200
    plain = sentry.post(
        CHUNKS, files=[("file", (sha1(b"four"), gzip.compress(b"four")))], headers={"Content-Encoding": "gzip"}
    )
    assert plain.status_code == 200
    rows = {row["sha1"]: row["size"] for row in app.store.state("sentry").table("chunks")}
    assert rows == {sha1(b"one"): 3, sha1(b"two"): 3, sha1(b"three"): 5, sha1(b"four"): 4}
    assert sentry.post(CHUNKS).status_code == 200, "no chunks at all is fine"


@pytest.mark.parametrize(
    ("files", "headers", "error"),
    [
        pytest.param([("file", ("0" * 40, b"x"))], {}, "Checksum mismatch", id="mismatch"),
        pytest.param([("file_gzip", (sha1(b"x"), b"not gzip"))], {}, "Invalid gzip payload", id="bad-gzip"),
        pytest.param(
            [("file", (sha1(b"x"), b"x"))], {"Content-Encoding": "br"}, "Unsupported Content-Encoding", id="codec"
        ),
        pytest.param(
            [("file_gzip", (sha1(b"x"), gzip.compress(b"x")))],
            {"Content-Encoding": "gzip"},
            "Cannot combine Content-Encoding with file_gzip field",
            id="both",
        ),
        pytest.param([("file", (sha1(b"%d" % n), b"%d" % n)) for n in range(65)], {}, "Too many chunks", id="many"),
        pytest.param(
            [("file_gzip", (sha1(b"\0" * (8 * 1024 * 1024 + 1)), gzip.compress(b"\0" * (8 * 1024 * 1024 + 1))))],
            {},
            "Chunk size too large",
            id="large",
        ),
    ],
)
def test_refused_chunks_store_nothing(
    app: MockApp, sentry: httpx.Client, files: list[t.Any], headers: dict[str, str], error: str
) -> None:
    good = ("file_gzip", (sha1(b"good"), gzip.compress(b"good"))) if "Content-Encoding" not in headers else None
    before = app.store.dump("sentry")
    response = sentry.post(CHUNKS, files=([good] if good else []) + files, headers=headers)
    assert (response.status_code, response.json()) == (400, {"error": error})
    assert app.store.dump("sentry") == before


def test_assemble_reports_missing_chunks_then_creates_then_answers_ok(sentry: httpx.Client) -> None:
    content = bundle()
    parts = split(content, 100)
    first, created, ok = assembled(sentry, content)
    assert first == {"state": "not_found", "missingChunks": [sha1(part) for part in parts]}
    assert created == {"state": "created", "missingChunks": []}
    assert ok == {"state": "ok", "detail": None, "missingChunks": []}
    # A poll without chunks for a known bundle answers its state; for an unknown one, not_found.
    assert assemble(sentry, content, []).json()["state"] == "ok"
    assert assemble(sentry, b"unknown", []).json() == {"state": "not_found", "missingChunks": []}


def test_only_the_missing_chunks_are_asked_for(sentry: httpx.Client) -> None:
    content = bundle()
    parts = split(content, 100)
    upload(sentry, parts[1:])
    assert assemble(sentry, content, parts).json()["missingChunks"] == [sha1(parts[0])]


@pytest.mark.parametrize(
    ("content", "chunks_of", "detail"),
    [
        pytest.param(b"not a zip", None, "the bundle is invalid", id="not-a-zip"),
        pytest.param(
            bundle(release=None, debug_id=None),
            None,
            "uploading a bundle without debug ids or release is prohibited",
            id="nothing-to-index",
        ),
        pytest.param(bundle(), b"other bytes", "Reported checksum mismatch", id="checksum"),
    ],
)
def test_a_bundle_that_cannot_be_assembled_ends_in_error(
    sentry: httpx.Client, content: bytes, chunks_of: bytes | None, detail: str
) -> None:
    parts = split(chunks_of or content, 100)
    upload(sentry, parts)
    assert assemble(sentry, content, parts).json()["state"] == "created"
    assert assemble(sentry, content, parts).json() == {"state": "error", "detail": detail, "missingChunks": []}
    assert sentry.get(BUNDLES).json() == []


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        pytest.param(
            {"chunks": [], "projects": ["my-project"]},
            400,
            {"error": "'checksum' is a required property"},
            id="no-checksum",
        ),
        pytest.param(
            {"checksum": "abc", "chunks": [], "projects": ["my-project"]},
            400,
            {"error": "The checksum field is required and must be a 40-character hexadecimal string."},
            id="bad-checksum",
        ),
        pytest.param(
            {"checksum": "a" * 40, "chunks": ["x"], "projects": ["my-project"]},
            400,
            {"error": BAD_CHUNKS},
            id="bad-chunk",
        ),
        pytest.param(
            {"checksum": "a" * 40, "chunks": [], "projects": []},
            400,
            {"error": "You need to specify at least one project"},
            id="no-project",
        ),
        pytest.param(
            {"checksum": "a" * 40, "chunks": [], "projects": ["nope"]},
            400,
            {"error": "One or more projects are invalid"},
            id="unknown-project",
        ),
        pytest.param(
            {"checksum": "a" * 40, "chunks": [], "projects": ["my-project", "2"]},
            400,
            {"error": "One or more projects are invalid"},
            id="same-project-twice",
        ),
        pytest.param(
            {"checksum": "a" * 40, "chunks": [], "projects": ["my-project"], "version": "a/b"},
            400,
            {"error": 'The version field cannot be empty and cannot contain any "/" characters.'},
            id="slash-version",
        ),
        pytest.param(
            {"checksum": "a" * 40, "chunks": [], "projects": ["my-project"], "x": 1},
            400,
            {"error": "Additional properties are not allowed ('x' was unexpected)"},
            id="unknown-field",
        ),
    ],
)
def test_assemble_refuses_bodies_as_sentry_words_it(
    app: MockApp, sentry: httpx.Client, body: dict[str, t.Any], status: int, answer: dict[str, str]
) -> None:
    before = app.store.dump("sentry")
    response = sentry.post(ASSEMBLE, json=body)
    assert (response.status_code, response.json()) == (status, answer)
    assert app.store.dump("sentry") == before


@pytest.mark.parametrize("content", [b"", b"{", b"\xff"], ids=["empty", "cut-short", "not-text"])
def test_a_body_that_is_not_json_is_an_invalid_json_body(sentry: httpx.Client, content: bytes) -> None:
    response = sentry.post(ASSEMBLE, content=content, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (400, {"error": "Invalid json body"})


def test_a_dist_without_a_release_is_refused_before_anything_is_noted(app: MockApp, sentry: httpx.Client) -> None:
    content = bundle(release=None)
    upload(sentry, [content])
    before = app.store.dump("sentry")
    response = assemble(sentry, content, [content], dist="7")
    assert (response.status_code, response.json()) == (
        400,
        {"error": "You need to specify a release together with a dist"},
    )
    assert app.store.dump("sentry") == before


def test_a_bundle_of_projects_the_token_cannot_see_does_not_exist(
    as_token: t.Callable[[str | None], httpx.Client],
) -> None:
    response = as_token(SCOPED).post(ASSEMBLE, json={"checksum": "a" * 40, "chunks": [], "projects": ["sentry"]})
    assert (response.status_code, response.json()) == (404, {"detail": "The requested resource does not exist"})


def test_the_release_meta_counts_bundle_files_and_the_project_lists_the_bundle(sentry: httpx.Client) -> None:
    sentry.post("/organizations/my-org/releases/", json={"version": "1.0.0", "projects": ["my-project"]})
    meta = sentry.get("/organizations/my-org/releases/1.0.0/meta/").json()
    assert (meta["releaseFileCount"], meta["isArtifactBundle"]) == (0, False)
    assembled(sentry, bundle())
    meta = sentry.get("/organizations/my-org/releases/1.0.0/meta/").json()
    assert (meta["releaseFileCount"], meta["isArtifactBundle"]) == (2, True)
    # The real service lists bundles apart from the release's own files.
    assert sentry.get("/organizations/my-org/releases/1.0.0/files/").json() == []
    [listed] = sentry.get(BUNDLES, params={"query": "1.0"}).json()
    assert listed["bundleId"] == DEBUG_ID
    assert (listed["associations"], listed["fileCount"]) == ([{"release": "1.0.0", "dist": None}], 2)
    assert listed["date"].endswith("Z") and len(listed["date"]) == 20
    assert sentry.get(BUNDLES, params={"query": "2.0"}).json() == []
    assert sentry.get("/projects/my-org/sentry/files/artifact-bundles/").json() == []


def test_a_bundle_needs_no_release_object_and_a_manifest_release_binds_it(sentry: httpx.Client) -> None:
    assembled(sentry, bundle(release="later@2"))
    [listed] = sentry.get(BUNDLES).json()
    assert listed["associations"] == [{"release": "later@2", "dist": None}]
    assert sentry.get("/organizations/my-org/releases/later@2/meta/").status_code == 404


def test_the_same_bundle_again_replaces_it(sentry: httpx.Client) -> None:
    assembled(sentry, bundle(files=1))
    assembled(sentry, bundle(files=2), version="1.0.0", dist="web")
    [listed] = sentry.get(BUNDLES).json()
    assert listed["fileCount"] == 2
    assert listed["associations"] == [{"release": "1.0.0", "dist": "web"}, {"release": "1.0.0", "dist": None}]


def test_after_uploads_the_dump_round_trips_and_answers_the_same(app: MockApp, sentry: httpx.Client) -> None:
    sentry.post("/organizations/my-org/releases/", json={"version": "1.0.0", "projects": ["my-project"]})
    assembled(sentry, bundle())
    assembled(sentry, b"broken")
    upload(sentry, [b"left over"])
    data = app.store.state("sentry")
    world = dumped(data)
    chunk_count = len(split(bundle(), 100)) + 2
    assert [len(world[part]) for part in ("chunks", "artifact_bundles", "assemble_statuses")] == [chunk_count, 1, 2]
    assert world["sequences"]["artifact_bundle_link"] == 1
    reloaded = assert_round_trip(app, data)
    assert loaded(app, dumped(reloaded)).dump() == reloaded.dump()

    def observed() -> list[t.Any]:
        return [
            sentry.get(BUNDLES).json(),
            sentry.get("/organizations/my-org/releases/1.0.0/meta/").json(),
            assemble(sentry, b"broken", []).json(),
        ]

    before = observed()
    app.store.reset("sentry")
    app.store.install({"sentry": reloaded})
    assert observed() == before


def test_deleting_a_release_file_keeps_a_chunk_of_the_same_bytes(app: MockApp, sentry: httpx.Client) -> None:
    files = "/organizations/my-org/releases/frontend@1.0.0/files/"
    file = sentry.post(files, files={"file": ("a.js", b"shared")}, data={"name": "~/a.js"}).json()
    upload(sentry, [b"shared"])
    sentry.delete(f"{files}{file['id']}/")
    assert sha1(b"shared") in app.store.state("sentry").blobs


def test_the_admin_token_sees_bundles_through_other_tokens(as_token: t.Callable[[str | None], httpx.Client]) -> None:
    writer = as_token(RELEASES)
    assembled(writer, bundle())
    assert [item["bundleId"] for item in as_token(ADMIN).get(BUNDLES).json()] == [DEBUG_ID]
    assert as_token(ADMIN).get(BUNDLES, params={"sortBy": "date"}).json() == {
        "detail": "You can either sort via 'date_added' or '-date_added'"
    }


def test_a_bundle_lists_its_files_for_its_projects(sentry: httpx.Client) -> None:
    assembled(sentry, bundle())
    files_path = f"/projects/my-org/my-project/artifact-bundles/{DEBUG_ID}/files/"
    response = sentry.get(files_path)
    listed = response.json()
    assert (listed["bundleId"], listed["fileCount"], listed["associations"]) == (
        DEBUG_ID,
        2,
        [{"release": "1.0.0", "dist": None}],
    )
    assert listed["files"] == [
        {
            "id": "ZmlsZXMvXy9fL2FwcC5qcw==",
            "fileType": 2,
            "filePath": "~/app.js",
            "fileSize": 3,
            "debugId": None,
            "sourcemap": "app.js.map",
        },
        {
            "id": "ZmlsZXMvXy9fL2FwcC5qcy5tYXA=",
            "fileType": 3,
            "filePath": "~/app.js.map",
            "fileSize": 13,
            "debugId": None,
            "sourcemap": None,
        },
    ]
    assert "X-Hits" not in response.headers and 'rel="next"; results="false"' in response.headers["Link"]
    assert [file["filePath"] for file in sentry.get(files_path, params={"query": ".MAP"}).json()["files"]] == [
        "~/app.js.map"
    ]
    assert len(sentry.get(files_path, params={"per_page": 1}).json()["files"]) == 1
    elsewhere = sentry.get(f"/projects/my-org/sentry/artifact-bundles/{DEBUG_ID}/files/")
    assert (elsewhere.status_code, elsewhere.json()) == (
        400,
        {"error": f"The artifact bundle with {DEBUG_ID} is not bound to this project or doesn't exist"},
    )
