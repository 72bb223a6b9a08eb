"""The whole store as one document: exported, sent as JSON text, imported exactly; a bad document changes nothing.

Parametrized over the plugins discovery finds, so a new API is covered as soon as it lands (its
HTTP probes are listed in ``PROBES``).
"""

from __future__ import annotations

import json
import typing as t

import httpx
import pytest

from mockserver import MockApp, Settings, create_app
from mockserver.plugin import ApiPlugin, discover_plugins
from mockserver.state_document import FORMAT, VERSION, ImportRejected, import_state
from tests.conftest import MAINTAINER

PLUGINS = discover_plugins()
BY_NAME = [pytest.param(plugin, id=plugin.name) for plugin in PLUGINS]

CHKK_TOKEN = {"Authorization": "Bearer chkk-all-projects-token-0001"}
ISTIO = "/chkk/projects/proj_a858f4d4-6e5b-4ab5-8d92-e9715b584ec1"
SENTRY_TOKEN = {"Authorization": "Bearer sntrys-mock-releases-0000000000000001"}

PROBES: dict[str, list[tuple[str, dict[str, str]]]] = {
    "chkk": [
        (f"{ISTIO}/releases/", CHKK_TOKEN),
        (f"{ISTIO}/releases/?page_size=3", CHKK_TOKEN),
        (f"{ISTIO}/releases/1.5.12/", CHKK_TOKEN),
        ("/chkk/projects/proj_c42014e7-baf5-4ec6-a502-858f98dca7c8/releases/", CHKK_TOKEN),
        (f"{ISTIO}/releases/", {"Authorization": "Bearer chkk-second-project-token-0001"}),
    ],
    "gitlab": [
        ("/api/v4/projects/24/releases", {"PRIVATE-TOKEN": MAINTAINER}),
        ("/api/v4/projects/24/releases/v0.1", {"PRIVATE-TOKEN": MAINTAINER}),
        ("/api/v4/projects/24/releases/v0.1/assets/links", {"PRIVATE-TOKEN": MAINTAINER}),
        ("/api/v4/projects/25/releases?per_page=1", {"PRIVATE-TOKEN": MAINTAINER}),
        ("/api/v4/projects/24/releases", {}),
    ],
    "sentry": [
        ("/api/0/organizations/my-org/releases/", SENTRY_TOKEN),
        ("/api/0/organizations/my-org/releases/control@abc123/", SENTRY_TOKEN),
        ("/api/0/organizations/my-org/releases/?per_page=2", SENTRY_TOKEN),
    ],
}
"""GET requests whose answers show an API's state: equal answers before an export and after its import."""


def answers(http: httpx.Client, api: str) -> list[tuple[int, t.Any]]:
    assert api in PROBES, f"{api}: list GET requests that show its state in PROBES"
    return [
        (reply.status_code, reply.json())
        for reply in (http.get(path, headers=headers) for path, headers in PROBES[api])
    ]


def emptied(app: MockApp, plugin: ApiPlugin) -> None:
    """The API's tables emptied, so that only an import can bring its world back."""
    app.store.install({plugin.name: app.store.fresh(plugin.name)})


def through_json(document: t.Any) -> t.Any:
    return json.loads(json.dumps(document))


def document(parts: t.Mapping[str, t.Any], **envelope: t.Any) -> dict[str, t.Any]:
    return {"format": FORMAT, "version": VERSION, "apis": dict(parts), **envelope}


# -- export -------------------------------------------------------------------------------------------


def test_the_export_names_every_mounted_api(app: MockApp) -> None:
    exported = app.export_state()
    assert sorted(exported) == ["apis", "format", "version"]
    assert (exported["format"], exported["version"]) == (FORMAT, VERSION)
    assert sorted(exported["apis"]) == sorted(plugin.name for plugin in PLUGINS)


@pytest.mark.parametrize("plugin", BY_NAME)
def test_each_part_is_the_apis_dump_and_passes_its_check(app: MockApp, plugin: ApiPlugin) -> None:
    part = app.export_state()["apis"][plugin.name]
    assert part == through_json(plugin.dump_state(app.store.state(plugin.name)))
    spec = next(spec.raw for mounted, spec in app.mounts.values() if mounted.name == plugin.name)
    plugin.check_seed(through_json(part), spec)


def test_changing_an_exported_document_leaves_the_store_alone(app: MockApp) -> None:
    exported = app.export_state()
    before = json.dumps(exported)
    for part in exported["apis"].values():
        for rows in part.values():
            if isinstance(rows, list) and rows and isinstance(rows[0], dict):
                rows[0]["changed"] = True
    assert json.dumps(app.export_state()) == before


# -- round trips --------------------------------------------------------------------------------------


@pytest.mark.parametrize("plugin", BY_NAME)
def test_the_fixture_world_round_trips_exactly(app: MockApp, plugin: ApiPlugin) -> None:
    exported = app.export_state()
    raw = app.store.dump(plugin.name)
    emptied(app, plugin)
    app.import_state(json.loads(json.dumps(document({plugin.name: exported["apis"][plugin.name]}))))
    assert app.export_state() == exported
    assert app.store.dump(plugin.name) == raw


def test_the_whole_store_round_trips_exactly_through_json_text(app: MockApp) -> None:
    exported = app.export_state()
    raw = {plugin.name: app.store.dump(plugin.name) for plugin in PLUGINS}
    for plugin in PLUGINS:
        emptied(app, plugin)
    app.import_state(json.loads(json.dumps(exported)))
    assert app.export_state() == exported
    assert {plugin.name: app.store.dump(plugin.name) for plugin in PLUGINS} == raw


def test_changing_an_imported_document_leaves_the_store_alone(app: MockApp) -> None:
    imported = app.export_state()
    app.import_state(imported)
    before = app.export_state()
    for part in imported["apis"].values():
        for rows in part.values():
            if isinstance(rows, list) and rows and isinstance(rows[0], dict):
                rows[0]["changed"] = True
    assert app.export_state() == before


@pytest.mark.parametrize("plugin", BY_NAME)
def test_the_imported_world_answers_the_same_over_http(app: MockApp, http: httpx.Client, plugin: ApiPlugin) -> None:
    before = answers(http, plugin.name)
    exported = through_json(app.export_state())
    emptied(app, plugin)
    assert answers(http, plugin.name) != before, "the probes must show the API's state"
    app.import_state(exported)
    assert answers(http, plugin.name) == before


# -- rejected imports ---------------------------------------------------------------------------------


def rejected(app: MockApp, bad: t.Any) -> list[dict[str, t.Any]]:
    """The problems an import of ``bad`` is refused with; the export before and after it equal."""
    before = app.export_state()
    with pytest.raises(ImportRejected) as raised:
        app.import_state(bad)
    assert app.export_state() == before
    body = raised.value.as_json()
    assert json.loads(json.dumps(body)) == body, "the reasons must make a JSON body"
    assert raised.value.status_code == 400
    return t.cast(list, body["problems"])


@pytest.mark.parametrize(
    ("bad", "where", "reason"),
    [
        pytest.param([], "", "expected a JSON object", id="not-an-object"),
        pytest.param(
            document({}, format="release-mock/other"), "/format", "expected 'release-mock/state'", id="format"
        ),
        pytest.param({"version": VERSION, "apis": {}}, "/format", "expected", id="no-format"),
        pytest.param(document({}, version=2), "/version", "expected 1", id="version"),
        pytest.param(document({}, version="1"), "/version", "expected 1", id="version-as-text"),
        pytest.param({"format": FORMAT, "version": VERSION}, "/apis", "API names", id="no-apis"),
        pytest.param(document({}, apis=[]), "/apis", "API names", id="apis-not-an-object"),
        pytest.param(document({}, extra=1), "/extra", "unexpected member", id="extra-member"),
        pytest.param(document({"jira": {}}), "/apis/jira", "no such API", id="unknown-api"),
        pytest.param(document({"a/b~c": {}}), "/apis/a~1b~0c", "no such API", id="pointer-escaped"),
    ],
)
def test_a_bad_envelope_is_rejected_with_its_reason(app: MockApp, bad: t.Any, where: str, reason: str) -> None:
    problems = rejected(app, bad)
    assert [problem["where"] for problem in problems] == [where]
    assert reason in problems[0]["reason"]


@pytest.mark.parametrize("plugin", BY_NAME)
@pytest.mark.parametrize(
    ("change", "where", "reason"),
    [
        pytest.param(lambda part: [], "", "expected an object", id="part-not-an-object"),
        pytest.param(lambda part: {**part, "nope": []}, "/nope", "unexpected part", id="unexpected-part"),
        pytest.param(
            lambda part: {**part, next(iter(part)): "not rows"}, "/{first}", "is not of type", id="invalid-part"
        ),
    ],
)
def test_an_invalid_part_is_rejected_with_its_place(
    app: MockApp, plugin: ApiPlugin, change: t.Callable[[dict[str, t.Any]], t.Any], where: str, reason: str
) -> None:
    part = app.export_state()["apis"][plugin.name]
    problems = rejected(app, document({plugin.name: change(part)}))
    assert [problem["api"] for problem in problems] == [plugin.name]
    assert problems[0]["where"] == f"/apis/{plugin.name}" + where.format(first=next(iter(part)))
    assert reason in problems[0]["reason"]


def test_a_reference_error_is_rejected_with_its_place(app: MockApp) -> None:
    part = app.export_state()["apis"]["chkk"]
    part["releases"][2]["project"] = "proj_00000000-0000-4000-8000-000000000000"
    problems = rejected(app, document({"chkk": part}))
    assert problems == [
        {
            "api": "chkk",
            "where": "/apis/chkk/releases/2/project",
            "reason": "no Project 'proj_00000000-0000-4000-8000-000000000000'",
        }
    ]


def test_every_reason_is_given_and_no_valid_part_is_installed(app: MockApp) -> None:
    exported = app.export_state()
    plugin = PLUGINS[0]
    emptied(app, plugin)
    bad = document({plugin.name: exported["apis"][plugin.name], "jira": {}}, extra=True)
    problems = rejected(app, bad)
    assert [(problem["api"], problem["where"]) for problem in problems] == [(None, "/extra"), ("jira", "/apis/jira")]
    assert app.store.dump(plugin.name) == app.store.fresh(plugin.name).dump()


def test_an_api_not_mounted_here_is_rejected() -> None:
    only = PLUGINS[0].name
    app = create_app(Settings(apis=(only,)))
    others = sorted(plugin.name for plugin in discover_plugins() if plugin.name != only)
    problems = rejected(app, document({other: {} for other in others}))
    assert [problem["where"] for problem in problems] == [f"/apis/{other}" for other in others]
    assert all("not mounted on this server; mounted: " + only in problem["reason"] for problem in problems)


def test_the_state_outside_the_document_is_kept(app: MockApp) -> None:
    with app.store.transaction("chkk") as data:
        data.table("tokens").delete("chkk-revoked-token-0001")
    changed = app.store.dump("chkk")
    app.import_state(document({}))
    assert app.store.dump("chkk") == changed


def test_a_handed_over_document_is_taken_apart_and_lands_the_same(app: MockApp) -> None:
    """``handed_over``: the loader lets go of the document's records as it reads them (a scenario's
    100,000 releases then fit in less memory), and the state is the one a copied import gives."""
    exported = app.export_state()
    app.import_state(through_json(exported))
    expected = app.export_state()
    given = through_json(exported)
    projects = given["apis"]["gitlab"]["projects"]
    assert any(project["releases"] for project in projects)
    import_state(app.store, [(plugin, spec.raw) for plugin, spec in app.mounts.values()], given, handed_over=True)
    assert app.export_state() == expected
    assert all(release is None for project in projects for release in project["releases"])


def test_an_import_leaves_the_callers_document_whole(app: MockApp) -> None:
    given = app.export_state()
    kept = through_json(given)
    app.import_state(given)
    assert given == kept


def test_reset_after_a_handed_over_import_brings_the_fixture_world_back(app: MockApp) -> None:
    fixture_world = app.export_state()
    app.load_scenario("many-releases", seed=1)
    assert app.export_state() != fixture_world
    app.reset()
    assert app.export_state() == fixture_world
