"""Where the suites send requests: a given server, or the mock started in-process (the one import of ``mockserver``)."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import typing as t
import warnings

from .profiles import ApiProfile

# Loggers that the mock's stack writes to for every oddly formed request a fuzzer sends; a contract
# run reports through its own events, so they are quieted while the in-process mock serves.
NOISY_LOGGERS = ("uvicorn.error", "connexion.decorators.parameter", "python_multipart")


@dataclasses.dataclass(frozen=True)
class Target:
    root: str
    """The server's root URL (``http://127.0.0.1:8080``)."""
    base_url: str
    """The API's base URL: the root plus the API's mount (``http://127.0.0.1:8080/api/v4``)."""


@contextlib.contextmanager
def open_target(profile: ApiProfile, base_url: str | None = None, mount: str | None = None) -> t.Iterator[Target]:
    """``base_url`` (a server's root) with the API's mount, or else the mock started in-process for this API."""
    path = profile.mount if mount is None else "/" + mount.strip("/") if mount.strip("/") else ""
    if base_url is not None:
        yield Target(base_url.rstrip("/"), base_url.rstrip("/") + path)
        return
    with warnings.catch_warnings():
        # Connexion imports starlette.testclient, which warns about httpx on import; not ours to fix.
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from mockserver import Settings, create_app
        from mockserver.serving import BackgroundServer

    app = create_app(Settings(apis=(profile.name,), mounts={profile.name: path}, validate_responses=False))
    server = BackgroundServer(app)  # configures uvicorn's loggers, so before they are quieted
    with quiet_loggers(NOISY_LOGGERS), server:
        yield Target(server.url, server.url + path)


@contextlib.contextmanager
def quiet_loggers(names: t.Iterable[str]) -> t.Iterator[None]:
    """Silence these loggers for the duration (a served mock logs every rejected request)."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
