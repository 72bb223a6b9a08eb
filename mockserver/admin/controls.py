"""The admin API's domain: what each control does to the app, failures raised as the admin API's errors."""

from __future__ import annotations

import typing as t

from ..clock import Clock, iso_millis
from ..errors import BadRequest, Conflict, NotFound
from ..state_document import ImportRejected

if t.TYPE_CHECKING:
    from ..app import MockApp


def clock_json(clock: Clock) -> dict[str, t.Any]:
    return {"now": iso_millis(clock.now()), "frozen": clock.frozen}


def health_json(app: MockApp) -> dict[str, t.Any]:
    return {
        "status": "ok",
        "now": iso_millis(app.clock.now()),
        "apis": [{"name": plugin.name, "mount": mount or "/"} for mount, (plugin, _) in sorted(app.mounts.items())],
        "journal": {"entries": len(app.journal), "capacity": app.journal.capacity},
    }


def import_document(app: MockApp, document: t.Any) -> None:
    """The app's import, refused in the admin API's shape: every problem listed, the state unchanged."""
    try:
        app.import_state(document)
    except ImportRejected as rejected:
        raise BadRequest(rejected.as_json()) from None


def load_shipped_scenario(app: MockApp, name: str, seed: int | None) -> None:
    """A shipped scenario by name (never a path: a client must not make the server read its files)."""
    from ..scenarios import ScenarioError, list_scenarios

    known = [listed for listed, _ in list_scenarios()]
    if name not in known:
        raise NotFound({"message": f"no such scenario: {name}", "problems": [], "scenarios": known})
    try:
        app.load_scenario(name, seed)
    except ScenarioError as error:
        raise BadRequest(
            {"message": f"scenario {name} was not loaded", "problems": [{"where": error.where, "reason": error.reason}]}
        ) from None
    except ImportRejected as rejected:
        raise BadRequest({**rejected.as_json(), "message": f"scenario {name} was not loaded"}) from None


def write_snapshot(app: MockApp) -> dict[str, str]:
    if app.state_file is None:
        raise Conflict("this server has no state file: start it with 'release-mock serve --state-file PATH'")
    return {"path": str(app.save_state())}
