"""Operation plans: every operation bound to its spec object, handlers that match the spec, answers from examples."""

from __future__ import annotations

import dataclasses
import pathlib
import typing as t

import httpx
import pytest

from mockserver import Settings, cli, create_app
from mockserver.errors import MockError
from mockserver.exchange import Call, Reply
from mockserver.plans import OperationMismatch
from mockserver.plugin import ApiPlugin, discover_plugins
from mockserver.serving import BackgroundServer

PROBE_SPEC = """\
openapi: 3.1.0
info: {title: Probe, version: '1'}
paths:
  /ranged:
    get:
      operationId: answerFromRange
      responses:
        '2XX': {description: Any success., content: {application/json: {example: {kind: ranged}}}}
        '4XX': {description: Any failure., content: {application/json: {example: {kind: failure}}}}
  /defaulted:
    get:
      responses:
        default: {description: Whatever happens., content: {application/json: {example: {kind: default}}}}
  /mixed:
    get:
      responses:
        default: {description: Whatever happens., content: {application/json: {example: {kind: default}}}}
        '2XX': {description: Any success., content: {application/json: {example: {kind: ranged}}}}
        '204': {description: Nothing.}
        '201': {description: Created., content: {application/json: {example: {kind: created}}}}
  /guarded:
    $ref: '#/components/pathItems/Guarded'
components:
  pathItems:
    Guarded:
      get:
        operationId: readGuarded
        x-required-scopes: [secret]
        responses:
          '200':
            description: The scopes the operation requires, as its handler sees them.
            content: {application/json: {schema: {}}}
"""


def read_guarded(call: Call) -> Reply:
    return Reply(call.operation.get("x-required-scopes", "no operation bound"))


def render_error(error: MockError) -> Reply:
    return Reply({"detail": str(error)}, status=error.status_code, headers=error.headers)


def probe_plugin(handlers: dict[str, t.Callable[[Call], Reply]]) -> ApiPlugin:
    return ApiPlugin(
        name="probe",
        spec_file="probe.yaml",
        default_mount="/probe",
        handlers=handlers,
        render_error=render_error,
        load_seed=lambda folder, spec: {},
    )


def probe_settings(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, plugin: ApiPlugin) -> Settings:
    (tmp_path / "probe.yaml").write_text(PROBE_SPEC)
    monkeypatch.setattr("mockserver.app.discover_plugins", lambda names=None: [plugin])
    return Settings(specs_dir=tmp_path, fixtures_dir=tmp_path, apis=("probe",))


@pytest.fixture
def probe(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> t.Iterator[httpx.Client]:
    app = create_app(probe_settings(tmp_path, monkeypatch, probe_plugin({"readGuarded": read_guarded})))
    with BackgroundServer(app) as server, httpx.Client(base_url=f"{server.url}/probe", timeout=10) as client:
        yield client


def test_an_operation_in_a_referenced_path_item_is_bound_to_its_spec_object(probe: httpx.Client) -> None:
    # Keyed by operationId in the document as written, it was not found, and its rules went unread.
    assert probe.get("/guarded").json() == ["secret"]


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        pytest.param("/ranged", 200, {"kind": "ranged"}, id="2XX-is-200"),
        pytest.param("/defaulted", 200, {"kind": "default"}, id="default-without-success-is-200"),
        pytest.param("/mixed", 201, {"kind": "created"}, id="lowest-explicit-2xx-first"),
    ],
)
def test_an_example_answer_reads_ranges_and_default(probe: httpx.Client, path: str, status: int, body: dict) -> None:
    response = probe.get(path)
    assert (response.status_code, response.json()) == (status, body)


def test_a_handler_for_an_operation_the_spec_lacks_stops_start_up(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    misspelt = probe_plugin({"readGuarded": read_guarded, "readGaurded": read_guarded})
    with pytest.raises(
        OperationMismatch, match="probe: handlers for operationIds that probe.yaml does not have: readGaurded"
    ):
        create_app(probe_settings(tmp_path, monkeypatch, misspelt))


def test_a_check_first_for_an_operation_the_spec_lacks_stops_start_up(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    misspelt = dataclasses.replace(probe_plugin({"readGuarded": read_guarded}), checked_first={"readGaurded": print})
    with pytest.raises(
        OperationMismatch, match="probe: checks made first for operationIds that probe.yaml does not have: readGaurded"
    ):
        create_app(probe_settings(tmp_path, monkeypatch, misspelt))


def test_the_command_line_names_the_mismatch_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (gitlab,) = discover_plugins(["gitlab"])
    misspelt = dataclasses.replace(gitlab, handlers={**gitlab.handlers, "getUser": gitlab.handlers["getCurrentUser"]})
    monkeypatch.setattr("mockserver.app.discover_plugins", lambda names=None: [misspelt])
    assert cli.main(["serve", "--api", "gitlab", "--port", "0"]) == 2
    assert capsys.readouterr().err == (
        "release-mock: gitlab: handlers for operationIds that gitlab.yaml does not have: getUser\n"
    )
