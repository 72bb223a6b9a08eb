"""What every machine shares: the failure record, HTTP calls that fail as named checks, and the Hypothesis run."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import re
import typing as t
import urllib.parse

import httpx
from hypothesis import HealthCheck, Phase, settings
from hypothesis import seed as use_seed
from hypothesis.errors import HypothesisException
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

# Query parameters that can carry a credential; their values never reach a report.
SECRET_PARAMS = frozenset({"private_token", "access_token", "job_token", "token"})
BODY_SUMMARY_LIMIT = 200
MAX_PAGES = 1000


@dataclasses.dataclass(frozen=True)
class ContractFailure:
    """One broken property: which check, on which operation, why, and the request that showed it."""

    check: str
    operation: str
    message: str
    request: str


class CheckFailed(AssertionError):
    """A response departed from the machine's model. Raised inside rules; Hypothesis shrinks the steps."""

    def __init__(self, check: str, operation: str, message: str, request: str) -> None:
        super().__init__(f"{check} ({operation}): {message}")
        self.check = check
        self.operation = operation
        self.message = message
        self.request = request

    def failure(self) -> ContractFailure:
        steps = [note for note in getattr(self, "__notes__", ()) if not note.startswith("Failing test case")]
        message = self.message
        if steps:
            message += "\nSteps (shrunk by Hypothesis):\n" + "\n".join(f"  {step}" for step in steps)
        return ContractFailure(self.check, self.operation, message, self.request)


@functools.cache
def failure_type(check: str) -> type[CheckFailed]:
    # Hypothesis tells bugs apart by exception type and origin; one type per check keeps each
    # broken property a bug of its own, shrunk and reported separately.
    return type(f"CheckFailed[{check}]", (CheckFailed,), {})


def fail(check: str, operation: str, message: str, request: str = "") -> t.NoReturn:
    raise failure_type(check)(check, operation, message, request)


def describe(request: httpx.Request) -> str:
    """``POST http://host/api/v4/projects/24/releases {"tag_name": ...}``, with secrets in the query redacted."""
    url = request.url
    pairs = urllib.parse.parse_qsl(url.query.decode(), keep_blank_values=True)
    if any(key.lower() in SECRET_PARAMS for key, _ in pairs):
        redacted = [(key, "[redacted]" if key.lower() in SECRET_PARAMS else value) for key, value in pairs]
        url = url.copy_with(query=urllib.parse.urlencode(redacted, safe="[]").encode())
    body = request.content.decode("utf-8", "replace")
    if len(body) > BODY_SUMMARY_LIMIT:
        body = body[:BODY_SUMMARY_LIMIT] + "…"
    return f"{request.method} {url}" + (f" {body}" if body else "")


@dataclasses.dataclass(frozen=True)
class Reply:
    """A response with the operation and request it answers, so any check on it can fail precisely."""

    operation: str
    request: str
    response: httpx.Response

    @property
    def status(self) -> int:
        return self.response.status_code

    def fail(self, check: str, message: str) -> t.NoReturn:
        fail(check, self.operation, message, self.request)

    def expect_status(self, check: str, *expected: int) -> None:
        if self.status not in expected:
            wanted = " or ".join(str(code) for code in expected)
            self.fail(check, f"expected status {wanted}, got {self.status}: {self.response.text[:200]}")

    def json(self, check: str) -> t.Any:
        try:
            return self.response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            self.fail(check, f"the body is not JSON: {self.response.text[:200]!r}")

    def object(self, check: str) -> dict[str, t.Any]:
        body = self.json(check)
        if not isinstance(body, dict):
            self.fail(check, f"expected a JSON object, got {type(body).__name__}")
        return body

    def array(self, check: str) -> list[t.Any]:
        body = self.json(check)
        if not isinstance(body, list):
            self.fail(check, f"expected a JSON array, got {type(body).__name__}")
        return body


class Session:
    """An httpx client on one API's mount point; ``call`` turns transport errors into a failed check."""

    def __init__(self, base_url: str, mount: str, headers: t.Mapping[str, str]) -> None:
        self.api_url = base_url.rstrip("/") + mount
        self.client = httpx.Client(base_url=self.api_url, headers=dict(headers), timeout=30)

    def same_origin(self, url: str) -> bool:
        """Whether ``url`` (a link the server gave) is on the server we were pointed at."""
        given, base = self.client.base_url.join(url), self.client.base_url
        return (given.scheme, given.host, given.port) == (base.scheme, base.host, base.port)

    def call(self, operation: str, method: str, url: str, **kwargs: t.Any) -> Reply:
        request = self.client.build_request(method, url, **kwargs)
        if not self.same_origin(str(request.url)):
            # Sending our headers to a host a server named would hand it the token.
            fail("same_origin", operation, f"refusing to follow a link away from {self.api_url}", f"{method} {url}")
        try:
            response = self.client.send(request)
        except httpx.HTTPError as error:
            fail("transport", operation, f"{type(error).__name__}: {error}", describe(request))
        return Reply(operation, describe(request), response)

    def close(self) -> None:
        self.client.close()


def parse_links(header: str) -> list[dict[str, str]]:
    """RFC 8288 ``<url>; rel="next"; k="v", ...`` -> [{"url": ..., "rel": "next", "k": "v"}, ...]."""
    links = []
    for match in re.finditer(r"<([^>]*)>((?:\s*;\s*[^;,=\s]+\s*=\s*(?:\"[^\"]*\"|[^;,\s]*))*)", header):
        link = {"url": match.group(1)}
        for key, value in re.findall(r";\s*([^;,=\s]+)\s*=\s*(\"[^\"]*\"|[^;,\s]*)", match.group(2)):
            link[key.lower()] = value.strip('"')
        links.append(link)
    return links


def parse_time(value: t.Any) -> dt.datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


Machine = t.TypeVar("Machine", bound=RuleBasedStateMachine)


def bind(machine: type[Machine], **attributes: t.Any) -> type[Machine]:
    """``machine`` with one run's target as class attributes, since Hypothesis builds machines without arguments."""
    return t.cast(type[Machine], type(machine.__name__, (machine,), attributes))


def run_machine(machine: type[RuleBasedStateMachine], *, max_examples: int, seed: int | None) -> list[ContractFailure]:
    """Run a machine; a falsified run comes back as failures (steps shrunk), never as an exception."""
    options = settings(
        max_examples=max_examples,
        stateful_step_count=10,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        print_blob=False,
        # The explain phase replays variants to point at lines of code; the steps say more here, for less time.
        phases=[phase for phase in Phase if phase is not Phase.explain],
        # Rules spend their time waiting on HTTP; generation is never what is slow.
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    if seed is not None:
        machine = use_seed(seed)(machine)
    try:
        run_state_machine_as_test(machine, settings=options)
    except CheckFailed as failed:
        return [failed.failure()]
    except BaseExceptionGroup as group:
        # Several distinct checks failed, or a failure did not reproduce (FlakyFailure is a group).
        matched, rest = group.split(CheckFailed)
        if rest is not None:
            raise
        flaky = isinstance(group, HypothesisException)
        return [_from_group_member(failed, flaky) for failed in _leaves(matched)]
    except HypothesisException as error:
        return [ContractFailure("hypothesis", "", f"{type(error).__name__}: {error}", "")]
    return []


def _leaves(group: BaseExceptionGroup[CheckFailed] | None) -> t.Iterator[CheckFailed]:
    for member in group.exceptions if group else ():
        if isinstance(member, BaseExceptionGroup):
            yield from _leaves(member)
        else:
            yield member


def _from_group_member(failed: CheckFailed, flaky: bool) -> ContractFailure:
    failure = failed.failure()
    if flaky:
        note = "\n(flaky: the failure did not happen again when Hypothesis replayed the steps)"
        failure = dataclasses.replace(failure, message=failure.message + note)
    return failure
