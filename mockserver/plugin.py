"""The shape of an API plugin, and discovery of the plugins under ``mockserver.apis``.

Adding an API is a drop-in: a spec in ``specs/``, a package under ``mockserver/apis/`` whose
``__init__`` exposes ``PLUGIN``, and a folder under ``fixtures/``. Nothing else is edited.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import typing as t

from .errors import MockError
from .exchange import Call, Reply

Handler = t.Callable[[Call], Reply]


class UnknownApi(LookupError):
    """An API was asked for by name (``--api``, ``RELEASE_MOCK_APIS``) that no plugin provides."""


@dataclasses.dataclass(frozen=True)
class ApiPlugin:
    name: str
    """Namespace in the store, folder in ``fixtures/``, key in settings."""
    spec_file: str
    """File name under the specs folder."""
    default_mount: str
    """Where the API is served unless settings say otherwise, e.g. ``/api/v4``."""
    handlers: t.Mapping[str, Handler]
    """operationId -> handler. Operations without one answer from the spec's examples."""
    render_error: t.Callable[[MockError], Reply]
    """The API's one error renderer: every rejection goes through it."""
    load_seed: t.Callable[[t.Any, t.Any], t.Any]
    """(fixtures folder, spec) -> validated fixture data; raises ``FixtureError``."""
    build_state: t.Callable[[t.Any], t.Any]
    """Fixture data -> the API's state object kept in the store."""


def discover_plugins(names: t.Iterable[str] | None = None) -> list[ApiPlugin]:
    """Every ``PLUGIN`` in the subpackages of ``mockserver.apis``, optionally filtered by name."""
    from . import apis

    wanted = set(names) if names else None
    found = []
    for module in sorted(pkgutil.iter_modules(apis.__path__), key=lambda m: m.name):
        if not module.ispkg or (wanted is not None and module.name not in wanted):
            continue
        plugin = getattr(importlib.import_module(f"{apis.__name__}.{module.name}"), "PLUGIN", None)
        if isinstance(plugin, ApiPlugin):
            found.append(plugin)
    if wanted is not None:
        missing = wanted - {plugin.name for plugin in found}
        if missing:
            raise UnknownApi(f"no such API: {', '.join(sorted(missing))}")
    return found
