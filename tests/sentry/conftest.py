"""Sentry clients over real HTTP on the session's mock server, one per token of the default world."""

from __future__ import annotations

import typing as t

import httpx
import pytest

from mockserver.serving import BackgroundServer

RELEASES = "sntrys-mock-releases-0000000000000001"
ADMIN = "sntrys-mock-admin-00000000000000001"
CI = "sntrys-mock-ci-0000000000000000001"
READ = "sntrys-mock-read-00000000000000001"
SCOPED = "sntrys-mock-scoped-000000000000001"
OTHER_ORG = "sntrys-mock-other-org-00000000000001"
REVOKED = "sntrys-mock-revoked-000000000000001"


def client(server: BackgroundServer, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=f"{server.url}/api/0", headers=headers, timeout=10)


@pytest.fixture
def sentry(server: BackgroundServer) -> t.Iterator[httpx.Client]:
    """Authenticated with the token sentry-cli would use (``project:releases``)."""
    with client(server, RELEASES) as authenticated:
        yield authenticated


@pytest.fixture
def as_token(server: BackgroundServer) -> t.Iterator[t.Callable[[str | None], httpx.Client]]:
    opened: list[httpx.Client] = []

    def make(token: str | None) -> httpx.Client:
        opened.append(client(server, token))
        return opened[-1]

    yield make
    for each in opened:
        each.close()
