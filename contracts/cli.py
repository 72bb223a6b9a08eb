"""``release-mock contract`` / ``python -m contracts``: run the contract suites and render their events."""

from __future__ import annotations

import argparse
import pathlib
import random
import sys
import typing as t

from .profiles import PROFILES

PASSED = 0
CONTRACT_FAILED = 1
USAGE_ERROR = 2
"""Bad arguments, or a server, token or sandbox the run cannot start with (``contracts.preflight``)."""
SUITE_PARTS = ("schemathesis", "semantic", "statemachine")
"""The suite's parts, in the order a run takes them."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("api", choices=[*PROFILES, "all"], help="which API's contract to check")
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="root URL of the server under test (each API at its mount: /api/v4, /api/0, /chkk); "
        "without it the mock is started in-process",
    )
    parser.add_argument(
        "--mount", action="append", default=[], metavar="API=PATH", help="where an API lives under --base-url"
    )
    parser.add_argument(
        "--token",
        help="token for the API (default: $RELEASE_MOCK_<API>_TOKEN, $GITLAB_TOKEN, $SENTRY_AUTH_TOKEN or "
        "$CHKK_TOKEN, then the mock's own); needs a single API",
    )
    parser.add_argument("--read-only", action="store_true", help="send only GET and HEAD (for production servers)")
    parser.add_argument("--max-examples", type=int, metavar="N", help="examples per operation and phase")
    parser.add_argument("--seed", type=int, metavar="S", help="seed for Schemathesis and the state machines")
    parser.add_argument("--junit", type=pathlib.Path, metavar="FILE", help="also write JUnit XML here")
    parser.add_argument(
        "--project", metavar="ID", help="sandbox project (GitLab project ID or path, Sentry or Chkk project)"
    )
    parser.add_argument("--org", metavar="SLUG", help="sandbox organization (Sentry)")
    parser.add_argument(
        "--part",
        action="append",
        choices=SUITE_PARTS,
        default=[],
        help="run only this part of the suite (repeat for several; default: all three)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="release-mock contract",
        description="Check a server (by default the mock, in-process) against the specs: Schemathesis with every "
        "check, semantic checks, and the state machines. Exit status 0 only when nothing failed.",
    )
    add_arguments(parser)
    return parser


def options_from(arguments: argparse.Namespace) -> t.Any:
    """``RunOptions`` from parsed arguments; ``ValueError`` for combinations that make no sense."""
    from .runner import DEFAULT_MAX_EXAMPLES, RunOptions

    apis = tuple(PROFILES) if arguments.api == "all" else (arguments.api,)
    single = arguments.api != "all"
    if arguments.token and not single:
        raise ValueError("--token needs a single API; with 'all', give each API's token in its environment variable")
    if (arguments.project or arguments.org) and not single:
        raise ValueError("--project and --org name one API's sandbox; run one API at a time with them")
    if arguments.org and "org" not in PROFILES[arguments.api].sandbox_flags:
        raise ValueError(f"--org is for Sentry; {arguments.api} has no organizations")
    if arguments.max_examples is not None and arguments.max_examples < 1:
        raise ValueError("--max-examples must be at least 1")
    if arguments.base_url is not None and not arguments.base_url.startswith(("http://", "https://")):
        raise ValueError(f"--base-url expects an http:// or https:// URL, got {arguments.base_url!r}")
    mounts = {}
    for text in arguments.mount:
        name, sep, path = text.partition("=")
        if not sep or name not in PROFILES:
            raise ValueError(f"--mount expects API=PATH with API one of {', '.join(PROFILES)}, got {text!r}")
        mounts[name] = path
    sandbox = {key: value for key, value in (("project", arguments.project), ("org", arguments.org)) if value}
    return RunOptions(
        apis=apis,
        base_url=arguments.base_url,
        mounts=mounts,
        tokens={apis[0]: arguments.token} if arguments.token else {},
        sandboxes={apis[0]: sandbox} if sandbox else {},
        read_only=arguments.read_only,
        max_examples=arguments.max_examples or DEFAULT_MAX_EXAMPLES,
        # One seed for every API and part of the run, printed, so that the whole run can be repeated.
        seed=arguments.seed if arguments.seed is not None else random.randrange(2**32),
        # ``pytest contracts`` has no --part: its tests are the parts.
        parts=tuple(part for part in SUITE_PARTS if part in (getattr(arguments, "part", None) or ())) or SUITE_PARTS,
    )


def run(arguments: argparse.Namespace, stdout: t.TextIO | None = None) -> int:
    from . import runner
    from .preflight import SetupProblem
    from .report import ConsoleReporter, describe_setup_problem, write_junit

    try:
        options = options_from(arguments)
    except ValueError as error:
        print(f"release-mock contract: {error}", file=sys.stderr)
        return USAGE_ERROR
    reporter = ConsoleReporter(stdout or sys.stdout)
    try:
        runner.run(options, reporter.handle)
    except SetupProblem as problem:
        print(describe_setup_problem(problem), file=sys.stderr)
        return USAGE_ERROR
    if arguments.junit is not None:
        write_junit(reporter.results, arguments.junit)
    return CONTRACT_FAILED if reporter.results.failures else PASSED


def main(argv: t.Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    return run(arguments)


if __name__ == "__main__":
    raise SystemExit(main())
