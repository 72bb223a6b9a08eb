"""The admin API's thin handlers, made for one app: each closes over its store, clock, journal and mounts."""

from __future__ import annotations

import typing as t

from ..clock import parse_iso
from ..exchange import Call, Reply
from ..plugin import Handler
from . import controls
from .wire import require_token

if t.TYPE_CHECKING:
    from ..app import MockApp

NO_CONTENT = 204


def admin_handlers(app: MockApp, token: str | None) -> dict[str, Handler]:
    """operationId -> handler, each refusing a call without the admin token when the server has one."""

    def get_health(call: Call) -> Reply:
        return Reply(controls.health_json(app))

    def reset_state(call: Call) -> Reply:
        app.reset()
        return Reply(status=NO_CONTENT)

    def list_scenarios(call: Call) -> Reply:
        from ..scenarios import list_scenarios as shipped

        return Reply([{"name": name, "description": description} for name, description in shipped()])

    def load_scenario(call: Call) -> Reply:
        controls.load_shipped_scenario(app, call.params["name"], (call.body or {}).get("seed"))
        return Reply(status=NO_CONTENT)

    def export_state(call: Call) -> Reply:
        return Reply(app.export_state())

    def import_state(call: Call) -> Reply:
        controls.import_document(app, call.body)
        return Reply(status=NO_CONTENT)

    def write_snapshot(call: Call) -> Reply:
        return Reply(controls.write_snapshot(app))

    def list_requests(call: Call) -> Reply:
        return Reply(app.journal.entries(**call.params))

    def clear_requests(call: Call) -> Reply:
        app.journal.clear()
        return Reply(status=NO_CONTENT)

    def get_clock(call: Call) -> Reply:
        return Reply(controls.clock_json(app.clock))

    def set_clock(call: Call) -> Reply:
        moment = parse_iso(call.body["now"])
        if call.body.get("frozen", True):
            app.clock.freeze(moment)
        else:
            app.clock.set(moment)
        return Reply(controls.clock_json(app.clock))

    def advance_clock(call: Call) -> Reply:
        app.clock.advance(call.body["seconds"])
        return Reply(controls.clock_json(app.clock))

    def reset_clock(call: Call) -> Reply:
        app.clock.reset()
        return Reply(controls.clock_json(app.clock))

    handlers: dict[str, Handler] = {
        "getHealth": get_health,
        "resetState": reset_state,
        "listScenarios": list_scenarios,
        "loadScenario": load_scenario,
        "exportState": export_state,
        "importState": import_state,
        "writeSnapshot": write_snapshot,
        "listRequests": list_requests,
        "clearRequests": clear_requests,
        "getClock": get_clock,
        "setClock": set_clock,
        "advanceClock": advance_clock,
        "resetClock": reset_clock,
    }
    return {operation_id: _guarded(handler, token) for operation_id, handler in handlers.items()}


def _guarded(handler: Handler, token: str | None) -> Handler:
    if token is None:
        return handler

    def with_token(call: Call) -> Reply:
        require_token(call.headers, token)
        return handler(call)

    return with_token
