"""The shape of an API plugin, and discovery of the plugins under ``mockserver.apis``.

Adding an API is a drop-in: a spec in ``specs/``, a package under ``mockserver/apis/`` whose
``__init__`` exposes ``PLUGIN``, and a folder under ``fixtures/``. Nothing else is edited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import pkgutil
import typing as t

from .errors import MockError
from .exchange import Call, Reply
from .settings import UnknownApi
from .store import ApiData, TableSpec
from .wire_policy import WirePolicy

__all__ = ["ApiPlugin", "Handler", "ParameterSemantics", "UnknownApi", "UnservedMethod", "WebPath", "discover_plugins"]

Handler = t.Callable[[Call], Reply]
UnservedMethod = t.Literal["method_not_allowed", "not_found"]
ParameterSemantics = t.Literal["openapi", "grape"]


class StateLoader(t.Protocol):
    def __call__(self, data: ApiData, seed: t.Any, now: dt.datetime, *, consume: bool = False) -> None: ...


@dataclasses.dataclass(frozen=True)
class WebPath:
    """A page the vendor serves outside its API mount, answered by one of the API's operations."""

    pattern: str
    """A regular expression over the whole raw request path, with named groups,
    e.g. ``/-/project/(?P<id>[0-9]+)/uploads/(?P<secret>[0-9a-f]{32})/(?P<filename>[^/]+)``."""
    api_path: str
    """The API path below the mount that answers it, with ``{group}`` for each group; a ``/`` in a
    group's value is sent on as ``%2F``, so that a project's full path stays one segment."""


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
    tables: t.Sequence[TableSpec] = ()
    """The API's tables in the store, declared as data (none: an API that answers from its spec alone)."""
    load_state: StateLoader = lambda data, seed, now, consume=False: None
    """(empty data, fixture data, the clock's now for what the fixtures leave undated, ``consume=``): fills
    the tables. With ``consume`` the fixture data is the loader's to take apart (an import handed over):
    it may let go of each record once its rows are built (``fixtures.each``). A loader without the
    ``consume`` parameter is called without it."""
    dump_state: t.Callable[[ApiData], t.Any] = lambda data: {}
    """data -> fixture data: the inverse of ``load_state``, valid by the API's fixture schema."""
    check_seed: t.Callable[[t.Any, t.Any], t.Any] = lambda seed, spec: seed
    """(fixture data in memory, spec) -> the same data, checked as ``load_seed`` checks files; ``FixtureError``."""
    unserved_method: UnservedMethod = "method_not_allowed"
    """How a known path answers a method it does not serve: ``method_not_allowed`` (405 with ``Allow``),
    or ``not_found`` where the real API's catch-all route answers it as any unknown path (404)."""
    answers_options: bool = False
    """Whether ``OPTIONS`` on a known path answers 204 with the path's methods in ``Allow``."""
    parameters: ParameterSemantics = "openapi"
    """How requests carry parameters: ``openapi`` (each where the spec puts it), or ``grape`` (``mockserver.grape``:
    the query merged into a write's body fields, Rack's nested form keys, Grape's coercions, every problem reported,
    and path segments routed whatever their declared type, so that ``links/abc`` is the parameter's 400, not a 404)."""
    format_suffix: str = ""
    """A suffix of the last path segment that names the answer's format and is routed as if absent (``.json``)."""
    formats: tuple[str, ...] = ()
    """The formats a request may name in a ``format`` query parameter, as Grape negotiates them (``formats.py``):
    any other is answered 406 before anything else. Empty: the parameter means nothing."""
    checked_first: t.Mapping[str, t.Callable[[Call], None]] = dataclasses.field(default_factory=dict)
    """operationId -> what the real server checks before it reads the parameters (GitLab's ``before {
    authenticate! }``): when a request's parameters are refused, this runs first, and its refusal (a 401) is
    the answer. It gets a ``Call`` without parameters or body; a request whose parameters pass never runs it."""
    web_paths: t.Sequence[WebPath] = ()
    """Pages outside the mount (``GET``/``HEAD``) that the API's own operations answer (``web_paths.py``)."""
    wire: WirePolicy | None = None
    """The headers the real server adds to every answer (request ids, security headers) and its CORS rules."""


def discover_plugins(names: t.Iterable[str] | None = None) -> list[ApiPlugin]:
    """Every ``PLUGIN`` in the subpackages of ``mockserver.apis``, optionally filtered by name."""
    from . import apis

    found = []
    for module in sorted(pkgutil.iter_modules(apis.__path__), key=lambda m: m.name):
        if not module.ispkg:
            continue
        plugin = getattr(importlib.import_module(f"{apis.__name__}.{module.name}"), "PLUGIN", None)
        if isinstance(plugin, ApiPlugin):
            found.append(plugin)
    wanted = set(names or ())
    if not wanted:
        return found
    missing = wanted - {plugin.name for plugin in found}
    if missing:
        known = ", ".join(plugin.name for plugin in found)
        raise UnknownApi(f"no such API: {', '.join(sorted(missing))}; the APIs are {known}")
    return [plugin for plugin in found if plugin.name in wanted]
