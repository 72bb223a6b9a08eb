"""``release-mock`` / ``python -m mockserver``: serve the mock, or check a server against the specs (``contract``)."""

from __future__ import annotations

import argparse
import sys
import typing as t

from .fixtures import FixtureError
from .settings import Settings, SettingsError


def mount_option(text: str) -> tuple[str, str]:
    """``API=PATH`` from ``--mount``."""
    name, sep, path = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected API=PATH, got {text!r}")
    return name, path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="release-mock", description="Mock server for release APIs.")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="serve every implemented API (the default command)")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1, or $HOST)")
    serve.add_argument("--port", type=int, help="port to bind (default 8080, or $PORT)")
    serve.add_argument("--fixtures", help="fixtures folder (default ./fixtures)")
    serve.add_argument("--api", action="append", dest="apis", help="serve only this API (repeatable)")
    serve.add_argument(
        "--mount", action="append", default=[], type=mount_option, metavar="API=PATH", help="mount an API elsewhere"
    )
    serve.add_argument(
        "--validate-responses", action="store_true", default=None, help="check every response against the spec"
    )
    # Listed here for --help; its arguments belong to contracts.cli, which main() hands them to.
    commands.add_parser("contract", help="check a server (or the mock) against the specs", add_help=False)
    return parser


def serve(options: argparse.Namespace) -> int:
    import pathlib
    import warnings

    # Connexion imports starlette.testclient, which warns about httpx on import; not ours to fix.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    import uvicorn

    from .app import create_app

    mounts = dict(options.mount) or None
    settings = Settings.from_env(
        host=options.host,
        port=options.port,
        fixtures_dir=pathlib.Path(options.fixtures) if options.fixtures else None,
        apis=tuple(options.apis) if options.apis else None,
        mounts=mounts,
        validate_responses=options.validate_responses,
    )
    try:
        app = create_app(settings)
    except FixtureError as error:
        print(f"release-mock: bad fixture: {error}", file=sys.stderr)
        return 2
    except SettingsError as error:
        print(f"release-mock: {error}", file=sys.stderr)
        return 2
    for mount, (plugin, _spec) in sorted(app.mounts.items()):
        print(
            f"release-mock: {plugin.name} at http://{settings.host}:{settings.port}{mount} (UI: {mount}/ui/)",
            flush=True,
        )
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    return 0


def main(argv: t.Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0].startswith("-"):
        arguments.insert(0, "serve")
    if arguments[0] == "contract":
        # Imported only for this command: the contract suites speak HTTP and need none of the server.
        from contracts.cli import main as contract

        return contract(arguments[1:])
    options = build_parser().parse_args(arguments)
    if options.command == "serve":
        return serve(options)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
