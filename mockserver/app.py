"""``create_app(settings, plugins)``: wiring only. Plugins, specs, fixtures and the store meet here."""

from __future__ import annotations

import inspect
import pathlib
import typing as t

from connexion.middleware.lifespan import LifespanMiddleware
from connexion.options import SwaggerUIOptions
from starlette.types import Receive, Scope, Send

from . import admin
from .bundled import SPECS_DIR
from .clock import Clock
from .dispatch import ErrorDispatcher, ErrorMiddleware
from .formats import FormatNegotiationMiddleware
from .journal import Journal, JournalMiddleware
from .logs import quiet_request_noise
from .middleware import Middleware
from .mounts import choose_mounts, refuse_hidden_routes, spec_routes
from .openapi31 import OpenAPI31Middleware, OpenAPI31Specification
from .pages import PagesMiddleware
from .pipeline import Pipeline
from .plans import compile_plans
from .plugin import ApiPlugin, StateLoader, discover_plugins
from .rawpath import FormatSuffixes, RawPathMiddleware
from .resolver import RoutingResolver
from .routing import RoutingMiddleware
from .settings import MountClash, Settings
from .spec_cache import ValidatedSpecs
from .state_document import export_state, import_state
from .state_file import write_state_file
from .store import ApiData, Store
from .swagger_ui import SPEC_PATH, UI_PATH
from .web_paths import WebPathMiddleware
from .wire_headers import WireHeadersMiddleware

# Outermost first; the app they wrap is our ``Pipeline``. Connexion's validation, context and
# app layers are not here: behind routing, the pipeline validates and produces from plans
# compiled once. Connexion's SecurityMiddleware is left out too: each API authenticates in its
# own domain code, because who may see what (roles, hidden projects, scopes) is API behaviour.
# Connexion's SwaggerUIMiddleware only serves <mount>/openapi.json (and .yaml) here: its
# Swagger UI 4 cannot read OpenAPI 3.1, so the UI is ours (Swagger UI 5), beside the `/` index;
# the three are one layer (``PagesMiddleware``), entered only for their paths.
# The journal sits behind routing, so it sees the operation; fault injection would slot in there too.
# The wire headers layer is outside the error handling, so every answer of an API, rejections and
# preflights included, carries what its real server adds (``ApiPlugin.wire``).
# Format negotiation (``ApiPlugin.formats``) comes before routing, as Grape's formatter runs before
# the route's own code: an unserved ``?format=`` is refused on known and unknown paths alike.
MIDDLEWARE = (
    Middleware(WebPathMiddleware),
    Middleware(RawPathMiddleware),
    Middleware(JournalMiddleware),
    Middleware(WireHeadersMiddleware),
    Middleware(ErrorMiddleware),
    Middleware(PagesMiddleware),
    Middleware(FormatNegotiationMiddleware),
    Middleware(RoutingMiddleware),
    Middleware(LifespanMiddleware),
)
# What each mount serves besides its spec's paths: the UI (a page and its assets) and the document.
UI_ROUTES = (UI_PATH + "/{file:path}", SPEC_PATH)


class MockApp:
    """The ASGI application, with the store, the clock and the mounted APIs at hand for tests and tools."""

    def __init__(
        self,
        asgi: t.Callable,
        store: Store,
        mounts: dict[str, tuple[ApiPlugin, OpenAPI31Specification]],
        clock: Clock,
        journal: Journal | None = None,
        state_file: pathlib.Path | None = None,
    ):
        self._asgi = asgi
        self.store = store
        self.clock = clock
        self.mounts = mounts
        """The vendor APIs by mount point (the admin API is not one of them)."""
        self.journal = journal if journal is not None else Journal(clock, 0)
        """The latest requests the vendor APIs answered (``Journal.entries``, ``clear``)."""
        self.state_file = state_file
        """Where ``save_state`` writes (``serve --state-file``), if anywhere."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._asgi(scope, receive, send)

    def export_state(self) -> dict[str, t.Any]:
        """The state of every mounted API as one JSON document (``state_document``)."""
        return export_state(self.store, [(plugin, spec.raw) for plugin, spec in self.mounts.values()])

    def import_state(self, document: t.Any) -> None:
        """Put an exported document in place, all at once; ``ImportRejected`` (and nothing changed) otherwise."""
        import_state(self.store, [(plugin, spec.raw) for plugin, spec in self.mounts.values()], document)

    def reset(self) -> None:
        """Back to the start: every API's fixtures, an empty journal, the clock on real time."""
        self.clock.reset()
        self.store.reset()
        self.journal.clear()

    def save_state(self) -> pathlib.Path:
        """Write the export to the state file, whole (renamed into place); returns its path."""
        if self.state_file is None:
            raise LookupError("this app has no state file")
        return write_state_file(self.state_file, self.export_state())

    def load_scenario(self, name: str, seed: int | None = None) -> None:
        """Replace the state with a scenario's (a shipped name or a file's path), dated by the clock's now.

        ``ScenarioError`` (the file, the place in it and why) and nothing changed when it cannot be loaded.
        """
        # Imported when first used: Faker takes a while to import, and most runs never load a scenario.
        from .scenarios import compile_scenario

        mounted = {plugin.name: (plugin, spec.raw) for plugin, spec in self.mounts.values()}
        document = compile_scenario(name, seed, self.clock.now(), mounted.values())
        import_state(self.store, mounted.values(), document, handed_over=True)


def create_app(
    settings: Settings | None = None,
    plugins: t.Sequence[ApiPlugin] | None = None,
    middleware: t.Sequence[Middleware] = MIDDLEWARE,
) -> MockApp:
    """The app serving ``plugins`` (``None``: every plugin discovery finds) as ``settings`` say,
    through ``middleware`` (outermost first) around the pipeline."""
    settings = settings or Settings()
    store = Store()
    clock = Clock()
    dispatcher = ErrorDispatcher()
    pipeline = Pipeline(store, clock)
    journal = Journal(clock, settings.journal_size)
    suffixes = FormatSuffixes()
    chosen = choose_mounts(discover_plugins() if plugins is None else plugins, settings)
    _refuse_admin_mount(chosen)
    bound = [_bound(record, journal, chosen, suffixes, dispatcher).bind() for record in middleware]
    connexion = OpenAPI31Middleware(pipeline, middlewares=bound)
    mounts: dict[str, tuple[ApiPlugin, OpenAPI31Specification]] = {}
    app = MockApp(connexion, store, mounts, clock, journal, settings.state_file)
    known_valid = ValidatedSpecs.in_user_cache()
    specs = {
        mount: OpenAPI31Specification.from_path(settings.specs_dir / plugin.spec_file, known_valid)
        for mount, plugin in chosen.items()
    }
    # The admin API's spec is ours, not a vendor's: always the bundled one, whatever specs folder is set.
    control = admin.admin_plugin(app, settings.admin_token)
    served = {**chosen, admin.MOUNT: control}
    specs[admin.MOUNT] = OpenAPI31Specification.from_path(SPECS_DIR / admin.SPEC_FILE, known_valid)
    refuse_hidden_routes(served, {mount: [*spec_routes(spec.raw), *UI_ROUTES] for mount, spec in specs.items()})
    quiet_request_noise()
    for mount, plugin in served.items():
        spec = specs[mount]
        seed = plugin.load_seed(settings.fixtures_dir / plugin.name, spec.raw) if plugin is not control else None
        pipeline.add(compile_plans(plugin, spec.spec, mount, validate_responses=settings.validate_responses))
        # The admin API has no tables; its namespace is where the pipeline's transaction holds the store's lock.
        store.register(plugin.name, plugin.tables, _loaded_by(plugin.load_state, clock), seed)
        connexion.add_api(
            spec,
            base_path=mount,
            name=plugin.name,
            resolver=RoutingResolver(),
            swagger_ui_options=SwaggerUIOptions(swagger_ui=False, spec_path=SPEC_PATH),
            controls=plugin is control,
            wire=plugin.wire,
            typed_segments=plugin.parameters != "grape",
            formats=plugin.formats,
        )
        dispatcher.add(
            mount, plugin.render_error, spec.raw.get("paths", {}), plugin.unserved_method, plugin.answers_options
        )
        suffixes.add(mount, plugin.format_suffix, spec.spec.get("paths", {}), pages=(SPEC_PATH, UI_PATH))
        if plugin is not control:
            mounts[mount] = (plugin, spec)
    return app


def _bound(
    record: Middleware,
    journal: Journal,
    chosen: t.Mapping[str, ApiPlugin],
    suffixes: FormatSuffixes,
    dispatcher: ErrorDispatcher,
) -> Middleware:
    """The journal's layer given this app's journal (and told to leave the admin API out), the web
    paths' layer given the mounted APIs' pages and every mount, the raw path's the format suffixes
    of this app's APIs, the error layer this app's dispatcher; others as they are."""
    if record.cls is ErrorMiddleware and "dispatcher" not in record.options:
        return Middleware(ErrorMiddleware, **{**record.options, "dispatcher": dispatcher})
    if record.cls is JournalMiddleware and "journal" not in record.options:
        return Middleware(JournalMiddleware, **{**record.options, "journal": journal, "unrecorded": [admin.NAME]})
    if record.cls is WebPathMiddleware and "paths" not in record.options:
        paths = [(mount, path) for mount, plugin in chosen.items() for path in plugin.web_paths]
        return Middleware(WebPathMiddleware, **{**record.options, "paths": paths, "mounts": [*chosen, admin.MOUNT]})
    if record.cls is RawPathMiddleware and "format_suffixes" not in record.options:
        return Middleware(RawPathMiddleware, **{**record.options, "format_suffixes": suffixes})
    return record


def _refuse_admin_mount(chosen: t.Mapping[str, ApiPlugin]) -> None:
    """``/__admin`` and everything under it is the admin API's: no vendor API is mounted there."""
    for mount, plugin in chosen.items():
        if mount == admin.MOUNT or mount.startswith(admin.MOUNT + "/"):
            raise MountClash(f"{plugin.name} cannot be mounted at {mount}: {admin.MOUNT} is the admin API's")


def _loaded_by(load_state: StateLoader, clock: Clock) -> t.Callable[[ApiData, t.Any, bool], None]:
    """The store's loader: fills (and, on reset, refills) the tables, dated by the clock at that moment.

    A plugin's ``load_state`` that takes no ``consume`` (written before it existed) still loads:
    it is simply never told that it may take the fixture data apart.
    """
    if "consume" in inspect.signature(load_state).parameters:
        return lambda data, seed, consume: load_state(data, seed, clock.now(), consume=consume)
    return lambda data, seed, consume: load_state(data, seed, clock.now())
