"""Reports whose ``curl`` reproductions run as pasted: the mock's public tokens shown, and what to set up first."""

from __future__ import annotations

import dataclasses
import typing as t
import urllib.parse

from .events import ApiStarted, CheckFailed, Event
from .tokens import TokenChoice


def replayable(
    tokens: t.Mapping[str, TokenChoice], emit: t.Callable[[Event], None], *, in_process: bool
) -> t.Callable[[Event], None]:
    """``emit``, with the mock's public token put back where the runner wrote its placeholder, and setup attached.

    The runner redacts every token; a report saying ``"$GITLAB_TOKEN"`` instead of the mock's own
    token gives a curl command that a new shell gets a 401 for. Secret tokens stay redacted, and
    ``ApiStarted.replay_setup`` says how to provide them (and how to start the mock again when the
    run started it in-process: its port is closed once the run ends).
    """

    def emitting(event: Event) -> None:
        choice = tokens.get(event.api) if isinstance(event, ApiStarted | CheckFailed) else None
        if choice is None:
            emit(event)
            return
        placeholder = choice.profile.placeholder
        if isinstance(event, ApiStarted):
            setup = [hint] if (hint := choice.export_hint()) else []
            if in_process:
                setup.append(_serve_again(choice, event.base_url))
            kept = tuple(each for each in event.placeholders if each != placeholder or not choice.public)
            event = dataclasses.replace(event, placeholders=kept, replay_setup=(*event.replay_setup, *setup))
        elif isinstance(event, CheckFailed) and choice.public:
            event = dataclasses.replace(event, failure=event.failure.redacted({placeholder: choice.value}))
        emit(event)

    return emitting


def _serve_again(choice: TokenChoice, base_url: str) -> str:
    """The command that serves the mock where the in-process one was, for replaying its requests."""
    url = urllib.parse.urlsplit(base_url)
    profile = choice.profile
    mount = f" --mount {profile.name}={url.path or '/'}" if url.path != profile.mount else ""
    serve = f"release-mock serve --api {profile.name} --port {url.port}{mount}"
    return f"{serve} &  # the run's in-process mock has stopped"
