"""``create_app`` wiring: plugin discovery, mount points, Swagger UI, answers from spec examples, and a drop-in API."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import pathlib
import shutil
import sys
import typing as t

import httpx
import pytest

import mockserver.apis
from mockserver import MockApp, Settings, create_app
from mockserver.plugin import discover_plugins
from mockserver.serving import BackgroundServer
from mockserver.settings import PROJECT_ROOT


@contextlib.contextmanager
def serve(settings: Settings) -> t.Iterator[tuple[httpx.Client, MockApp]]:
    app = create_app(settings)
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        yield client, app


def test_discovery_finds_gitlab() -> None:
    assert "gitlab" in [plugin.name for plugin in discover_plugins()]
    (gitlab,) = discover_plugins(["gitlab"])
    assert gitlab.default_mount == "/api/v4"
    assert gitlab.spec_file == "gitlab.yaml"
    assert "listReleases" in gitlab.handlers


def test_unknown_api_name_is_refused() -> None:
    with pytest.raises(LookupError, match="no such API: nope"):
        discover_plugins(["gitlab", "nope"])


def test_mount_point_is_configurable() -> None:
    with serve(Settings(apis=("gitlab",), mounts={"gitlab": "/gl"})) as (client, app):
        assert list(app.mounts) == ["/gl"]
        releases = client.get("/gl/projects/24/releases")
        assert [release["tag_name"] for release in releases.json()] == ["v0.2", "v0.1"]
        assert f"<{str(client.base_url).rstrip('/')}/gl/projects/24/releases?" in releases.headers["link"]
        # Errors under the new mount are still GitLab's; the old mount is gone.
        assert client.get("/gl/projects/24/releases/nope").json() == {"message": "404 Not Found"}
        gone = client.get("/api/v4/projects/24/releases")
        assert (gone.status_code, gone.json()) == (404, {"error": "404 Not Found"})
        assert client.get("/gl/openapi.json").json()["servers"] == [{"url": "/gl"}]


def test_spec_is_served_as_json_beside_the_ui(http: httpx.Client) -> None:
    # What the UI shows is checked in a real browser (tests/test_ui_browser.py); here, that it reads this document.
    assert '"../openapi.json"' in http.get("/api/v4/ui/").text
    spec = http.get("/api/v4/openapi.json")
    assert spec.status_code == 200
    assert spec.headers["content-type"] == "application/json"
    assert spec.json()["info"]["title"].startswith("GitLab REST API v4")


def test_operation_without_handler_answers_from_its_spec_example(monkeypatch: pytest.MonkeyPatch) -> None:
    (gitlab,) = discover_plugins(["gitlab"])
    unhandled = {"getRelease", "getLatestRelease", "createReleaseEvidence"}
    trimmed = dataclasses.replace(
        gitlab, handlers={key: value for key, value in gitlab.handlers.items() if key not in unhandled}
    )
    monkeypatch.setattr("mockserver.app.discover_plugins", lambda names=None: [trimmed])
    with serve(Settings(validate_responses=True)) as (client, app):
        examples = app.mounts["/api/v4"][1].raw["components"]["examples"]
        # The first example of the first success response, whatever was asked for.
        release = client.get("/api/v4/projects/24/releases/v0.2")
        assert (release.status_code, release.json()) == (200, examples["ReleaseV01"]["value"])
        latest = client.get("/api/v4/projects/24/releases/permalink/latest")
        assert (latest.status_code, latest.headers["location"]) == (302, "/api/v4/projects/24/releases/v0.2")
        evidence = client.post("/api/v4/projects/24/releases/v0.1/evidence")
        assert (evidence.status_code, evidence.json()) == (202, 202)
        # Handled operations still run their handlers.
        assert [r["tag_name"] for r in client.get("/api/v4/projects/24/releases").json()] == ["v0.2", "v0.1"]


# ---- adding an API is a drop-in -------------------------------------------------------------------

NOTES_SPEC = """\
openapi: 3.1.0
info: {title: Notes, version: '1'}
paths:
  /notes:
    get:
      operationId: listNotes
      responses:
        '200':
          description: All notes.
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Note'}}
  /notes/{note_id}:
    parameters:
      - {name: note_id, in: path, required: true, schema: {type: integer, minimum: 1}}
    get:
      operationId: getNote
      responses:
        '200':
          description: One note.
          content: {application/json: {schema: {$ref: '#/components/schemas/Note'}}}
        default:
          description: An error.
          content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}
  /version:
    get:
      operationId: getVersion
      responses:
        '200':
          description: The version; no handler, so answered from the example.
          content:
            application/json:
              schema: {type: object, properties: {version: {type: string}}}
              example: {version: 1.2.3}
components:
  schemas:
    Note:
      type: object
      required: [id, text]
      properties:
        id: {type: integer, minimum: 1}
        text: {type: string, minLength: 1}
    Problem:
      type: object
      required: [detail]
      properties: {detail: {type: string}}
"""

NOTES_PACKAGE = '''\
"""A throwaway API, dropped in by tests/test_app.py."""

import pathlib

from mockserver.errors import NotFound
from mockserver.exchange import Reply
from mockserver.fixtures import load_folder
from mockserver.plugin import ApiPlugin
from mockserver.store import Index, TableSpec


def list_notes(call):
    return Reply(list(call.state.table("notes").ordered("id")))


def get_note(call):
    note = call.state.table("notes").get(call.params["note_id"])
    if note is None:
        raise NotFound("no such note")
    return Reply(note)


def render_error(error):
    return Reply({"detail": error.message or str(error)}, status=error.status_code, headers=error.headers)


PLUGIN = ApiPlugin(
    name="notes",
    spec_file="notes.yaml",
    default_mount="/notes-api",
    handlers={"listNotes": list_notes, "getNote": get_note},
    render_error=render_error,
    load_seed=lambda folder, spec: load_folder(folder, pathlib.Path(__file__).with_name("fixture_schema.yaml"), spec),
    tables=[TableSpec("notes", key=("id",), indexes={"id": Index(order=("id",))})],
    load_state=lambda data, seed, now: [data.table("notes").put(note) for note in seed["notes"]] and None,
    dump_state=lambda data: {"notes": list(data.table("notes"))},
)
'''

NOTES_FIXTURE_SCHEMA = """\
required: [notes]
files:
  notes:
    type: array
    items: {$ref: "spec#/components/schemas/Note"}
"""

NOTES_FIXTURES = """\
- {id: 2, text: second}
- {id: 1, text: first}
"""


@pytest.fixture
def notes_api(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> t.Iterator[Settings]:
    """A spec, a package under ``mockserver.apis`` and a fixtures folder: nothing else."""
    package = tmp_path / "apis" / "notes"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(NOTES_PACKAGE)
    (package / "fixture_schema.yaml").write_text(NOTES_FIXTURE_SCHEMA)
    specs, fixtures = tmp_path / "specs", tmp_path / "fixtures"
    specs.mkdir()
    shutil.copy(PROJECT_ROOT / "specs" / "gitlab.yaml", specs)
    (specs / "notes.yaml").write_text(NOTES_SPEC)
    shutil.copytree(PROJECT_ROOT / "fixtures", fixtures)
    (fixtures / "notes").mkdir()
    (fixtures / "notes" / "notes.yaml").write_text(NOTES_FIXTURES)
    # Where an installed plugin package would be: one more folder of mockserver.apis.
    monkeypatch.setattr(mockserver.apis, "__path__", [*mockserver.apis.__path__, str(tmp_path / "apis")])
    importlib.invalidate_caches()
    yield Settings(specs_dir=specs, fixtures_dir=fixtures, apis=("gitlab", "notes"))
    sys.modules.pop("mockserver.apis.notes", None)


def test_a_dropped_in_api_is_served_beside_gitlab(notes_api: Settings) -> None:
    assert {"gitlab", "notes"} <= {plugin.name for plugin in discover_plugins()}
    with serve(notes_api) as (client, app):
        assert sorted(app.mounts) == ["/api/v4", "/notes-api"]
        assert client.get("/notes-api/notes").json() == [{"id": 1, "text": "first"}, {"id": 2, "text": "second"}]
        assert client.get("/notes-api/notes/2").json() == {"id": 2, "text": "second"}
        assert client.get("/notes-api/version").json() == {"version": "1.2.3"}
        # Each API's errors in its own shape, chosen by mount point.
        missing = client.get("/notes-api/notes/9")
        assert (missing.status_code, missing.json()) == (404, {"detail": "no such note"})
        invalid = client.get("/notes-api/notes/0")
        assert (invalid.status_code, invalid.json()["detail"].split(":")[0]) == (400, "path note_id")
        wrong_method = client.delete("/notes-api/notes/1")
        assert (wrong_method.status_code, wrong_method.headers["allow"]) == (405, "GET, HEAD")
        assert client.get("/api/v4/projects/24/releases/nope").json() == {"message": "404 Not Found"}
        assert client.get("/notes-api/ui/").status_code == 200
        with app.store.transaction("notes") as notes:
            assert [note["id"] for note in notes.table("notes")] == [1, 2]
        assert app.export_state()["apis"]["notes"] == {
            "notes": [{"id": 1, "text": "first"}, {"id": 2, "text": "second"}]
        }


class OperationRecorder:
    """A layer slotted in behind routing: it sees which operation each request was routed to."""

    def __init__(self, app: t.Any, seen: list[str | None]) -> None:
        self.app = app
        self.seen = seen

    async def __call__(self, scope: dict, receive: t.Any, send: t.Any) -> None:
        if scope["type"] == "http":
            self.seen.append(scope.get("extensions", {}).get("connexion_routing", {}).get("operation_id"))
        await self.app(scope, receive, send)


def test_a_middleware_slots_into_the_stack_by_position() -> None:
    from mockserver.app import MIDDLEWARE
    from mockserver.middleware import Middleware
    from mockserver.routing import RoutingMiddleware

    seen: list[str | None] = []
    behind_routing = [record.cls for record in MIDDLEWARE].index(RoutingMiddleware) + 1
    stack = [*MIDDLEWARE[:behind_routing], Middleware(OperationRecorder, seen=seen), *MIDDLEWARE[behind_routing:]]
    (gitlab,) = discover_plugins(["gitlab"])
    app = create_app(Settings(), plugins=[gitlab], middleware=stack)
    assert sorted(app.mounts) == ["/api/v4"]
    with BackgroundServer(app) as server:
        assert httpx.get(f"{server.url}/api/v4/projects/24/releases", timeout=10).status_code == 200
        assert httpx.get(f"{server.url}/api/v4/nope", timeout=10).status_code == 404
    assert seen == ["listReleases", None]
