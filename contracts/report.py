"""Reports of a contract run: results gathered from events, a console summary, JUnit XML; tokens never appear."""

from __future__ import annotations

import collections
import dataclasses
import pathlib
import re
import typing as t
import xml.etree.ElementTree as ET

from .events import (
    ApiFinished,
    ApiStarted,
    CheckFailed,
    CheckPassed,
    Event,
    Finished,
    OperationTested,
    PartSkipped,
    Source,
)
from .failures import ContractFailure
from .preflight import SetupProblem

MAX_FAILURES_SHOWN = 20
"""Per API on the console; the JUnit file has them all."""


@dataclasses.dataclass
class Counts:
    passed: int = 0
    failed: int = 0


@dataclasses.dataclass
class ApiResult:
    started: ApiStarted
    tested: set[str] = dataclasses.field(default_factory=set)
    counts: dict[tuple[str, str], Counts] = dataclasses.field(default_factory=lambda: collections.defaultdict(Counts))
    """By (operation, check)."""
    failures: list[tuple[ContractFailure, Source]] = dataclasses.field(default_factory=list)
    skipped: list[PartSkipped] = dataclasses.field(default_factory=list)
    seconds: float = 0.0

    @property
    def exercised(self) -> list[str]:
        """The spec's operations that got at least one answer."""
        return [label for label in self.started.operations if label in self.tested]

    @property
    def passed(self) -> int:
        return sum(count.passed for count in self.counts.values())


class Results:
    """Everything a run reported, by API: a reporter other reporters read."""

    def __init__(self) -> None:
        self.apis: dict[str, ApiResult] = {}
        self.seconds = 0.0

    def handle(self, event: Event) -> None:
        if isinstance(event, ApiStarted):
            self.apis[event.api] = ApiResult(event)
            return
        if isinstance(event, Finished):
            self.seconds = event.seconds
            return
        result = self.apis[event.api]
        if isinstance(event, OperationTested):
            result.tested.add(event.operation)
        elif isinstance(event, CheckPassed):
            result.counts[(event.operation, event.check)].passed += 1
        elif isinstance(event, CheckFailed):
            result.counts[(event.failure.operation, event.failure.check)].failed += 1
            result.failures.append((event.failure, event.source))
        elif isinstance(event, PartSkipped):
            result.skipped.append(event)
        elif isinstance(event, ApiFinished):
            result.seconds = event.seconds

    @property
    def failures(self) -> int:
        return sum(len(result.failures) for result in self.apis.values())


class ConsoleReporter:
    """Prints each API's summary when it finishes, then a last line; ``results`` keeps everything."""

    def __init__(self, stream: t.TextIO, results: Results | None = None) -> None:
        self.stream = stream
        self.results = results or Results()

    def handle(self, event: Event) -> None:
        self.results.handle(event)
        if isinstance(event, ApiStarted):
            self._write(describe_start(event))
        elif isinstance(event, ApiFinished):
            self._write(summarize_api(self.results.apis[event.api]))
        elif isinstance(event, Finished):
            self._write(summarize_run(self.results))

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()


def describe_start(started: ApiStarted) -> str:
    mode = "read-only" if started.read_only else "write mode"
    sandbox = ", ".join(f"{key} {value}" for key, value in started.sandbox.items())
    return f"{started.api}: {started.base_url} ({mode}; sandbox {sandbox}; seed {started.seed})"


def summarize_api(result: ApiResult) -> str:
    api = result.started.api
    lines = [f"  {'operation':<72} {'checks':>6} {'passed':>7} {'failed':>6}"]
    by_operation: dict[str, list[tuple[str, Counts]]] = collections.defaultdict(list)
    for (operation, check), count in result.counts.items():
        by_operation[operation].append((check, count))
    order = [*result.started.operations, *sorted(set(by_operation) - set(result.started.operations))]
    for operation in order:
        rows = by_operation.get(operation, [])
        passed, failed = sum(c.passed for _, c in rows), sum(c.failed for _, c in rows)
        mark = "" if operation in result.tested or operation not in result.started.operations else "  (not exercised)"
        lines.append(f"  {operation:<72} {len(rows):>6} {passed:>7} {failed:>6}{mark}")
    lines.append(f"  {'check':<58} {'operations':>10} {'passed':>7} {'failed':>6}")
    by_check: dict[str, list[Counts]] = collections.defaultdict(list)
    for (_, check), count in result.counts.items():
        by_check[check].append(count)
    for check in sorted(by_check):
        counts = by_check[check]
        passed, failed = sum(c.passed for c in counts), sum(c.failed for c in counts)
        lines.append(f"  {check:<58} {len(counts):>10} {passed:>7} {failed:>6}")
    for skipped in result.skipped:
        lines.append(f"  skipped {skipped.part}: {skipped.reason}")
    if result.failures:
        lines += describe_replay_setup(result.started)
    for failure, source in result.failures[:MAX_FAILURES_SHOWN]:
        lines.append(describe_failure(failure, source, result.started.placeholders))
    if len(result.failures) > MAX_FAILURES_SHOWN:
        lines.append(f"  ... and {len(result.failures) - MAX_FAILURES_SHOWN} more failures (--junit FILE lists all)")
    total = len(result.started.operations)
    lines.append(
        f"{api}: {len(result.exercised)}/{total} operations exercised, {result.passed} checks passed, "
        f"{len(result.failures)} failed, in {result.seconds:.1f} s"
    )
    return "\n".join(lines)


def describe_failure(failure: ContractFailure, source: Source, placeholders: t.Iterable[str]) -> str:
    lines = [f"  FAILED {failure.check} on {failure.operation} ({source})"]
    lines += [f"    {line}" for line in failure.message.splitlines() or [""]]
    for step in failure.steps:
        lines.append(f"    after: {step.as_curl(placeholders)}")
    if failure.request is not None:
        lines.append(f"    reproduce: {failure.request.as_curl(placeholders)}")
    return "\n".join(lines)


def describe_replay_setup(started: ApiStarted) -> list[str]:
    """What to run once before pasting the reproductions below (set the token's variable, start the mock)."""
    return [f"  before replaying a curl command below: {command}" for command in started.replay_setup]


def describe_setup_problem(problem: SetupProblem) -> str:
    """The one line a run that could not start ends with."""
    return f"release-mock contract: {problem}"


def summarize_run(results: Results) -> str:
    verdict = "FAILED" if results.failures else "passed"
    apis = ", ".join(f"{name} {len(r.exercised)}/{len(r.started.operations)}" for name, r in results.apis.items())
    return f"contract {verdict}: {results.failures} failures; operations exercised: {apis}; {results.seconds:.1f} s"


# Characters XML 1.0 cannot hold at all; fuzzed requests are full of them.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def write_junit(results: Results, path: pathlib.Path) -> None:
    """One testsuite per API, one testcase per (operation, check), its failures inside."""
    root = ET.Element("testsuites", name="release-mock contract", time=f"{results.seconds:.3f}")
    for api, result in results.apis.items():
        failures_by_case: dict[tuple[str, str], list[tuple[ContractFailure, Source]]] = collections.defaultdict(list)
        for failure, source in result.failures:
            failures_by_case[(failure.operation, failure.check)].append((failure, source))
        cases = sorted(set(result.counts) | set(failures_by_case))
        suite = ET.SubElement(
            root,
            "testsuite",
            name=api,
            tests=str(len(cases) + len(result.skipped)),
            failures=str(sum(1 for case in cases if failures_by_case.get(case))),
            skipped=str(len(result.skipped)),
            time=f"{result.seconds:.3f}",
        )
        for operation, check in cases:
            case = ET.SubElement(suite, "testcase", classname=_xml_text(f"{api}.{operation}"), name=check)
            count = result.counts.get((operation, check), Counts())
            ET.SubElement(case, "system-out").text = f"{count.passed} passed"
            for failure, source in failures_by_case.get((operation, check), []):
                element = ET.SubElement(
                    case, "failure", message=_xml_text((failure.message.splitlines() or [""])[0][:500])
                )
                element.text = _xml_text(describe_failure(failure, source, result.started.placeholders))
        for skipped in result.skipped:
            case = ET.SubElement(suite, "testcase", classname=api, name=skipped.part)
            ET.SubElement(case, "skipped", message=skipped.reason)
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
