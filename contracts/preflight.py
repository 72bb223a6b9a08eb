"""Before any suite runs: does each API answer at its mount, take the token, and show the sandbox? One error if not.

A run against a server that is down, or with a token it rejects, would otherwise end as a few
hundred failures among thousands of passes. Per API, a few cheap authenticated GETs (``PROBES``)
tell these apart, and ``SetupProblem`` says what is wrong, with the URL, the status that came
back and where the token came from, and what to change. The CLI renders it and exits 2.
"""

from __future__ import annotations

import dataclasses
import ssl
import typing as t
import urllib.parse

import httpx

from .profiles import PROFILES, ApiProfile
from .target import Target, open_target
from .tokens import DEFAULT, FLAG, TokenChoice, choose_token

if t.TYPE_CHECKING:
    from .runner import RunOptions

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
"""A server that does not accept the connection within 5 s is reported as such, not waited for."""


class SetupProblem(Exception):
    """The run cannot start: the server, the token or the sandbox is not what the suites need."""

    def __init__(self, api: str, what: str, fix: str) -> None:
        super().__init__(f"{api}: {what}; {fix}")
        self.api = api
        self.what = what
        """What is wrong, with the URL asked and what came back."""
        self.fix = fix
        """What to change: a flag, a variable, the server."""


@dataclasses.dataclass(frozen=True)
class Probe:
    path: str
    """Below the API's mount; ``{project}`` and ``{org}`` are the sandbox's, percent-encoded."""
    subject: str
    """What a 404 here means is missing ("project {project}"); empty where a 404 means the API is not there."""
    flag: str = ""
    """The option that names the subject."""
    write_refusal: t.Callable[[t.Any], str | None] | None = None
    """In write mode: why the answer's body shows that the token may not write there, or None."""


GITLAB_DEVELOPER = 30
"""The access level GitLab asks of whoever creates a release."""


def _gitlab_write_refusal(project: t.Any) -> str | None:
    """GitLab lists the caller's access levels in a project; creating a release takes Developer (30) or more."""
    permissions = project.get("permissions") if isinstance(project, dict) else None
    if not isinstance(permissions, dict):
        return None  # an older or trimmed answer: let the suites find out
    levels = [
        access.get("access_level", 0)
        for access in (permissions.get("project_access"), permissions.get("group_access"))
        if isinstance(access, dict)
    ]
    level = max(levels, default=0)
    return None if level >= GITLAB_DEVELOPER else f"its access level there is {level or 'none'}"


PROBES: t.Mapping[str, tuple[Probe, ...]] = {
    # GitLab answers GET /user to any valid token, so a 404 there is not GitLab; then the project.
    "gitlab": (
        Probe("/user", ""),
        Probe("/projects/{project}", "project {project}", "--project", write_refusal=_gitlab_write_refusal),
    ),
    # Sentry has no cheap org-free GET in the spec: the org's release list checks the token and the org.
    "sentry": (
        Probe("/organizations/{org}/releases/?per_page=1", "organization {org}", "--org"),
        Probe("/projects/{org}/{project}/releases/?per_page=1", "project {project} of organization {org}", "--project"),
    ),
    "chkk": (Probe("/projects/{project}/releases/?page_size=1", "project {project}", "--project"),),
}
"""The cheap authenticated GETs that show the API is there, the token is taken and the sandbox is visible."""

NOT_FOUND_SHAPES: t.Mapping[str, tuple[str, str]] = {
    "gitlab": ("application/json", "message"),
    "sentry": ("application/json", "detail"),
    "chkk": ("application/problem+json", "title"),
}
"""Media type and a key of the API's own 404 body (``specs/<api>.yaml``): a 404 in another shape is not the API."""


def check_run(options: RunOptions, environ: t.Mapping[str, str] | None = None) -> dict[str, TokenChoice]:
    """Check every API of the run; the token each uses, or ``SetupProblem`` for the first that cannot start.

    The mock started in-process with its own token and sandbox needs no check: nothing there can be
    missing, and what it answers wrongly is for the suites to report.
    """
    tokens = {}
    for api in options.apis:
        profile = PROFILES[api]
        token = choose_token(profile, options.tokens.get(api), environ)
        tokens[api] = token
        if options.base_url is None and token.source == DEFAULT and not options.sandboxes.get(api):
            continue
        sandbox = {**profile.sandbox, **options.sandboxes.get(api, {})}
        with open_target(profile, options.base_url, options.mounts.get(api)) as target:
            check_api(profile, target, token, sandbox, read_only=options.read_only)
    return tokens


def check_api(
    profile: ApiProfile,
    target: Target,
    token: TokenChoice,
    sandbox: t.Mapping[str, str],
    *,
    read_only: bool,
    timeout: httpx.Timeout | float = TIMEOUT,
) -> None:
    """Send the API's probes in order; ``SetupProblem`` at the first answer that rules the run out."""
    values = {key: urllib.parse.quote(value, safe="") for key, value in sandbox.items()}
    with httpx.Client(timeout=timeout, follow_redirects=False, headers=profile.auth_headers(token.value)) as client:
        for probe in PROBES[profile.name]:
            url = target.base_url + probe.path.format(**values)
            try:
                response = client.get(url)
            except httpx.HTTPError as error:
                raise SetupProblem(
                    profile.name,
                    f"cannot reach {url}: {_transport_reason(error)}",
                    "is the server running, and is --base-url its root URL?",
                ) from None
            subject = probe.subject.format(**sandbox)
            _judge(profile, target, token, subject, probe.flag, response)
            refusal = probe.write_refusal(_body(response)) if probe.write_refusal and not read_only else None
            if refusal:
                raise SetupProblem(
                    profile.name,
                    f"{token.describe()} may not write in the sandbox {subject}: {refusal} (GET {url})",
                    "use a token that may create releases there, or add --read-only",
                )


def _judge(
    profile: ApiProfile, target: Target, token: TokenChoice, subject: str, flag: str, response: httpx.Response
) -> None:
    status, url = response.status_code, str(response.request.url)
    answered = f"GET {url} answered {status} {_excerpt(response)}"
    wrong_place = (
        f"give the server's root URL to --base-url, and --mount {profile.name}=PATH if the API is not at "
        f"{profile.mount}"
    )
    if 300 <= status < 400:
        where = response.headers.get("location", "nowhere")
        raise SetupProblem(
            profile.name, f"no {profile.title} API at {target.base_url}: {answered}, to {where}", wrong_place
        )
    if not _is_json(response):
        raise SetupProblem(profile.name, f"no {profile.title} API at {target.base_url}: {answered}", wrong_place)
    if status == 401:
        raise SetupProblem(profile.name, f"{profile.title} rejected {token.describe()}: {answered}", _token_fix(token))
    if status == 403:
        scope = subject or f"the {profile.title} API"
        raise SetupProblem(
            profile.name,
            f"{profile.title} refused {token.describe()} access to {scope}: {answered}",
            f"use a token that may read {scope} (and write there, without --read-only); {_token_fix(token)}",
        )
    if status == 404 and subject and _api_shaped_not_found(profile, response):
        raise SetupProblem(
            profile.name,
            f"the sandbox {subject} does not exist, or {token.describe()} cannot see it: {answered}",
            f"name one this token can see with {flag} (default {profile.sandbox[flag.removeprefix('--')]})",
        )
    if status == 404:
        raise SetupProblem(profile.name, f"no {profile.title} API at {target.base_url}: {answered}", wrong_place)
    if not 200 <= status < 300:
        raise SetupProblem(
            profile.name,
            f"{profile.title} is not ready to be checked: {answered}",
            "retry when the server answers this request with 200",
        )


def _token_fix(token: TokenChoice) -> str:
    variable = token.profile.placeholder.removeprefix("$")
    if token.source == FLAG:
        return "check the value given to --token"
    if token.source == DEFAULT:
        return f"give this server's token with --token or in ${variable} (export {variable}=<your token>)"
    return f"check {token.source}, or give another token with --token"


def _is_json(response: httpx.Response) -> bool:
    media_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _body(response: httpx.Response) -> t.Any:
    try:
        return response.json()
    except ValueError:  # JSON by its media type, not by its bytes: the suites will say so
        return None


def _api_shaped_not_found(profile: ApiProfile, response: httpx.Response) -> bool:
    media_type, key = NOT_FOUND_SHAPES[profile.name]
    if response.headers.get("content-type", "").partition(";")[0].strip().lower() != media_type:
        return False
    body = _body(response)
    return isinstance(body, dict) and key in body


def _excerpt(response: httpx.Response, limit: int = 120) -> str:
    """The answer's start on one line, with its media type: enough to recognize a login page or a proxy's error."""
    media_type = response.headers.get("content-type", "no content type").partition(";")[0]
    text = " ".join(response.text.split())
    text = text if len(text) <= limit else text[:limit] + "..."
    return f"({media_type}: {text!r})" if text else f"({media_type}, empty)"


def _transport_reason(error: httpx.HTTPError) -> str:
    """What went wrong below HTTP, in words: refused, unknown host, TLS, no answer in time."""
    if isinstance(error, httpx.TimeoutException):
        kind = "no connection" if isinstance(error, httpx.ConnectTimeout) else "no answer"
        return f"{kind} within the time allowed ({error.__class__.__name__})"
    if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"not an http:// or https:// URL ({error})"
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return f"TLS failed: {cause}"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused (nothing listens there)"
        cause = cause.__cause__ or cause.__context__
    text = str(error)
    if "Name or service not known" in text or "nodename nor servname" in text or "name resolution" in text:
        return f"the host name does not resolve ({text})"
    if "refused" in text.lower():
        return "connection refused (nothing listens there)"
    return f"{error.__class__.__name__}: {text}"
