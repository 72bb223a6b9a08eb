"""``release-mock`` / ``python -m mockserver``: serve the mock, or check a server against the specs (``contract``)."""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import sys
import typing as t

from .settings import Settings, SettingsError

# Options of ``release-mock`` itself; any other first option belongs to ``serve``, the default command.
TOP_LEVEL_OPTIONS = ("-h", "--help", "--version")
CONTRACT_EXTRA = ("schemathesis", "hypothesis")
"""What ``release-mock contract`` imports that the server does not: the ``contract`` extra in pyproject.toml."""
USAGE_ERROR = 2


def mount_option(text: str) -> tuple[str, str]:
    """``API=PATH`` from ``--mount``."""
    name, sep, path = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected API=PATH, got {text!r}")
    return name, path


def installed_version() -> str:
    try:
        return importlib.metadata.version("release-mock")
    except importlib.metadata.PackageNotFoundError:
        return "(version unknown: run from a checkout that is not installed)"


class _TopLevelHelp(argparse.RawDescriptionHelpFormatter):
    """The description as written, and each command's help beside its name (the longest, "scenarios", too)."""

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        # argparse measures the commands one indent less than it prints them, so the longest
        # name would have its help pushed to the next line: count that indent too.
        if action.choices and isinstance(action, argparse._SubParsersAction):
            longest = max(len(name) for name in action.choices) + self._current_indent + self._indent_increment
            self._action_max_length = max(self._action_max_length, longest)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="release-mock",
        # Lines broken by hand: argparse would split "release-mock" at its hyphen.
        formatter_class=_TopLevelHelp,
        description="A stateful mock of the GitLab, Sentry and Chkk release APIs,\n"
        "and contract checks of a server against their specs.",
        epilog="With no command, or with a serve option first, release-mock means 'release-mock serve'.\n"
        "'release-mock COMMAND --help' lists a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {installed_version()}")
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve the mock APIs over HTTP (the default command)",
        description="Serve every implemented API (or those --api names) over HTTP until interrupted.",
    )
    serve.add_argument("--host", help="address to bind (default 127.0.0.1, or $HOST)")
    serve.add_argument("--port", type=int, help="port to bind (default 8080, or $PORT; 0 picks a free one)")
    serve.add_argument("--fixtures", metavar="DIR", help="fixtures folder (default: the bundled default world)")
    serve.add_argument(
        "--api",
        action="append",
        dest="apis",
        metavar="API",
        help="serve only this API (repeatable; $RELEASE_MOCK_APIS)",
    )
    serve.add_argument(
        "--mount",
        action="append",
        default=[],
        type=mount_option,
        metavar="API=PATH",
        help="serve an API at PATH instead of its default (repeatable; $RELEASE_MOCK_MOUNT_<API>)",
    )
    serve.add_argument(
        "--scenario",
        metavar="NAME",
        help="start from this scenario (a name from 'release-mock scenarios', or a scenario file's path)",
    )
    serve.add_argument(
        "--seed", type=int, metavar="N", help="seed of the scenario's generated data (default 0; needs --scenario)"
    )
    serve.add_argument(
        "--validate-responses", action="store_true", default=None, help="check every response against the spec"
    )
    serve.add_argument(
        "--access-log",
        action="store_true",
        default=None,
        help="print one line per request: time, client, method, path, status, duration ($RELEASE_MOCK_ACCESS_LOG=1)",
    )
    serve.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help="require this token (Authorization: Bearer TOKEN) on every /__admin call ($RELEASE_MOCK_ADMIN_TOKEN)",
    )
    serve.add_argument(
        "--journal-size",
        type=int,
        metavar="N",
        help="how many of the latest requests GET /__admin/requests keeps (default 1000; 0: none)",
    )
    serve.add_argument(
        "--state-file",
        metavar="PATH",
        help="restore the state from PATH at start (when it exists); write it there on shutdown and on "
        "POST /__admin/snapshot ($RELEASE_MOCK_STATE_FILE)",
    )
    commands.add_parser(
        "scenarios",
        help="list the scenarios 'serve --scenario' can start from",
        description="List the shipped scenarios: each name with its one-line description.",
    )
    state = commands.add_parser(
        "state",
        help="export or import the state of a running mock",
        description="Export the whole state of a running mock to a file, or import one (all or nothing).",
    )
    state.add_argument("action", choices=("export", "import"), help="export: mock -> FILE; import: FILE -> mock")
    state.add_argument("file", metavar="FILE", help="the state document ('-': standard output or input)")
    state.add_argument("--base-url", default=None, help="the mock's address (default http://127.0.0.1:8080)")
    state.add_argument("--admin-token", metavar="TOKEN", help="the mock's admin token ($RELEASE_MOCK_ADMIN_TOKEN)")
    seed = commands.add_parser(
        "seed",
        help="put a scenario on a server: a mock's admin API, or the public APIs",
        description="Put a scenario on a server: on a mock through its admin API, or through the public APIs "
        "(creating only what is missing, so a second run creates nothing). Tokens as 'release-mock contract' "
        "reads them: --token API=TOKEN, else $RELEASE_MOCK_<API>_TOKEN, $GITLAB_TOKEN, $SENTRY_AUTH_TOKEN, "
        "$CHKK_TOKEN, else the mock's default token.",
    )
    seed.add_argument("--scenario", required=True, metavar="NAME", help="a scenario name, or a scenario file's path")
    seed.add_argument("--seed", type=int, metavar="N", help="seed of the scenario's generated data (default 0)")
    seed.add_argument("--base-url", required=True, metavar="URL", help="the server's root, e.g. http://127.0.0.1:8080")
    seed.add_argument(
        "--via",
        choices=("admin", "api"),
        help="admin: one PUT /__admin/state (a mock); api: the public APIs (default: admin if the server has it)",
    )
    seed.add_argument(
        "--api", action="append", dest="apis", metavar="API", help="seed only this API (repeatable; default: all)"
    )
    seed.add_argument(
        "--token", action="append", default=[], type=mount_option, metavar="API=TOKEN", help="an API's token"
    )
    seed.add_argument("--admin-token", metavar="TOKEN", help="the mock's admin token ($RELEASE_MOCK_ADMIN_TOKEN)")
    # Listed for the help; its arguments belong to contracts.cli, which main() hands them to.
    commands.add_parser(
        "contract", help="check a server (by default the mock, in-process) against the specs", add_help=False
    )
    return parser


def serve(options: argparse.Namespace) -> int:
    import pathlib
    import warnings

    # Connexion imports starlette.testclient, which warns about httpx on import; not ours to fix.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from .admin import MOUNT as ADMIN_MOUNT
    from .app import create_app
    from .fixtures import FixtureError
    from .logs import AccessLog
    from .plans import OperationMismatch
    from .scenarios import ScenarioError
    from .serving import bind, serve_forever
    from .state_document import ImportRejected
    from .state_file import StateFileUnreadable, read_state_file

    if options.seed is not None and options.scenario is None:
        print("release-mock: --seed needs --scenario (the seed of its generated data)", file=sys.stderr)
        return USAGE_ERROR
    try:
        settings = Settings.from_env(
            host=options.host,
            port=options.port,
            fixtures_dir=pathlib.Path(options.fixtures) if options.fixtures else None,
            apis=tuple(options.apis) if options.apis else None,
            mounts=dict(options.mount) or None,
            validate_responses=options.validate_responses,
            access_log=options.access_log,
            admin_token=options.admin_token,
            journal_size=options.journal_size,
            state_file=pathlib.Path(options.state_file) if options.state_file else None,
        )
        app = create_app(settings)
        if options.scenario is not None:
            app.load_scenario(options.scenario, options.seed)
    except ScenarioError as error:
        print(f"release-mock: bad scenario: {error}", file=sys.stderr)
        return USAGE_ERROR
    except ImportRejected as error:
        print(f"release-mock: scenario {options.scenario!r} was not loaded: {error}", file=sys.stderr)
        return USAGE_ERROR
    except FixtureError as error:
        print(f"release-mock: bad fixture: {error}", file=sys.stderr)
        return USAGE_ERROR
    except (SettingsError, OperationMismatch) as error:
        print(f"release-mock: {error}", file=sys.stderr)
        return USAGE_ERROR
    if settings.state_file is not None:
        # Over the scenario, if both are given: the state file is where the last session left off.
        try:
            saved = read_state_file(settings.state_file)
            if saved is not None:
                app.import_state(saved)
        except StateFileUnreadable as error:
            print(f"release-mock: bad state file: {error}", file=sys.stderr)
            return USAGE_ERROR
        except ImportRejected as error:
            print(f"release-mock: state file {settings.state_file} was not loaded:", file=sys.stderr)
            for problem in error.problems:
                print(f"  {problem.where or '/'}: {problem.reason}", file=sys.stderr)
            return USAGE_ERROR
    try:
        sock = bind(settings.host, settings.port)
    except OSError as error:
        print(
            f"release-mock: cannot listen on {settings.host}:{settings.port}: {error.strerror or error}",
            file=sys.stderr,
        )
        return USAGE_ERROR
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    root = f"http://{host}:{sock.getsockname()[1]}"

    def announce() -> None:
        print(f"release-mock: listening on {root}", flush=True)
        for mount, (plugin, _spec) in sorted(app.mounts.items()):
            print(f"release-mock: {plugin.name} at {root}{mount} (UI: {mount}/ui/)", flush=True)
        print(f"release-mock: admin API at {root}{ADMIN_MOUNT} (UI: {ADMIN_MOUNT}/ui/)", flush=True)

    def save_state() -> None:
        if app.state_file is not None:
            print(f"release-mock: state written to {app.save_state()}", flush=True)

    serve_forever(AccessLog(app, sys.stdout) if settings.access_log else app, sock, announce, save_state)
    return 0


def state(options: argparse.Namespace) -> int:
    """``release-mock state export|import FILE``: the admin API of a running mock, through ``AdminClient``."""
    import json
    import os
    import pathlib

    from .admin_client import DEFAULT_BASE_URL, AdminClient, AdminError

    token = options.admin_token or os.environ.get("RELEASE_MOCK_ADMIN_TOKEN") or None
    client = AdminClient(options.base_url or DEFAULT_BASE_URL, token)
    try:
        if options.action == "export":
            text = json.dumps(client.export_state(), ensure_ascii=False, indent=1) + "\n"
            if options.file == "-":
                sys.stdout.write(text)
            else:
                pathlib.Path(options.file).write_text(text, encoding="utf-8")
            return 0
        raw = sys.stdin.read() if options.file == "-" else pathlib.Path(options.file).read_text(encoding="utf-8")
        client.import_state(json.loads(raw))
    except AdminError as error:
        print(f"release-mock: {error}", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem.get('where') or '/'}: {problem.get('reason')}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"release-mock: {options.file}: {error.strerror or error}", file=sys.stderr)
        return USAGE_ERROR
    except json.JSONDecodeError as error:
        print(f"release-mock: {options.file} is not JSON: {error}", file=sys.stderr)
        return USAGE_ERROR
    print(f"release-mock: imported {options.file}", file=sys.stderr)
    return 0


def scenarios() -> int:
    from .scenarios import ScenarioError, list_scenarios

    try:
        listed = list_scenarios()
    except ScenarioError as error:
        print(f"release-mock: bad scenario: {error}", file=sys.stderr)
        return USAGE_ERROR
    width = max((len(name) for name, _ in listed), default=0)
    for name, description in listed:
        print(f"{name:<{width}}  {description}")
    return 0


def seed(options: argparse.Namespace) -> int:
    import datetime as dt
    import os

    import httpx

    # The contract suites' profiles say where each API is mounted and how its token is found.
    from contracts.profiles import PROFILES
    from contracts.tokens import choose_token

    from .admin_client import AdminClient
    from .scenarios import ScenarioError, compile_scenario
    from .seeding import VIA_ADMIN, Api, SeedError, has_admin_api, seed_via_admin, seed_via_api

    chosen = options.apis or list(PROFILES)
    unknown = sorted(set(chosen) - set(PROFILES)) + sorted(set(dict(options.token)) - set(PROFILES))
    if unknown:
        print(f"release-mock: no API named {', '.join(unknown)} (known: {', '.join(PROFILES)})", file=sys.stderr)
        return USAGE_ERROR
    tokens = dict(options.token)
    apis = [
        Api(
            name,
            PROFILES[name].mount,
            PROFILES[name].auth_headers(choose_token(PROFILES[name], tokens.get(name)).value),
        )
        for name in chosen
    ]
    try:
        document = compile_scenario(options.scenario, options.seed, dt.datetime.now(dt.UTC))
    except ScenarioError as error:
        print(f"release-mock: bad scenario: {error}", file=sys.stderr)
        return USAGE_ERROR
    document = {**document, "apis": {name: part for name, part in document["apis"].items() if name in chosen}}
    admin = AdminClient(options.base_url, options.admin_token or os.environ.get("RELEASE_MOCK_ADMIN_TOKEN") or None)
    with httpx.Client(base_url=options.base_url.rstrip("/"), timeout=60) as client:
        via = options.via or (VIA_ADMIN if has_admin_api(admin) else "api")
        try:
            if via == VIA_ADMIN:
                seed_via_admin(admin, document)
                print(f"release-mock: loaded scenario {options.scenario!r} through {options.base_url}'s admin API")
                return 0
            tally = seed_via_api(client, document, apis)
        except (SeedError, httpx.HTTPError) as error:
            print(f"release-mock: {error}", file=sys.stderr)
            return 1
    print(f"release-mock: seeded scenario {options.scenario!r} through {options.base_url}'s public APIs")
    for line in tally.lines():
        print(f"  {line}")
    print(f"  {tally.total_created()} created")
    return 1 if tally.failures else 0


def contract(arguments: list[str]) -> int:
    missing = [name for name in CONTRACT_EXTRA if importlib.util.find_spec(name) is None]
    if missing and not {"-h", "--help"} & set(arguments):
        print(
            "release-mock: 'contract' needs the contract extra: pip install 'release-mock[contract]'", file=sys.stderr
        )
        return USAGE_ERROR
    # Imported only for this command: the contract suites speak HTTP and need none of the server.
    from contracts.cli import main as run_contract

    return run_contract(arguments)


def main(argv: t.Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or (arguments[0].startswith("-") and arguments[0] not in TOP_LEVEL_OPTIONS):
        arguments.insert(0, "serve")
    if arguments[0] == "contract":
        return contract(arguments[1:])
    options = build_parser().parse_args(arguments)
    if options.command == "serve":
        return serve(options)
    if options.command == "scenarios":
        return scenarios()
    if options.command == "state":
        return state(options)
    if options.command == "seed":
        return seed(options)
    return USAGE_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
