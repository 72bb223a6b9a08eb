"""The mock's answers, read once: the request targets to load, and the bytes the bare app and WireMock replay."""

from __future__ import annotations

import asyncio
import base64
import json
import typing as t
from urllib.parse import quote

from .apps import PROJECT_ID, TOKEN
from .bare_app import RecordedResponse
from .load import Connection

PER_PAGE = 20
GITLAB_MOUNT = "/api/v4"
REPLAYED_HEADERS = ("link", "x-page", "x-per-page", "x-next-page", "x-prev-page", "x-total", "x-total-pages")
AUTH_HEADERS = {"PRIVATE-TOKEN": TOKEN, "Accept": "application/json"}


class Targets(t.NamedTuple):
    get: list[str]
    list: list[str]


def parse_headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines if line)}


async def record_responses(port: int) -> tuple[dict[str, RecordedResponse], list[str], list[str]]:
    """Every list page and every release of project 24, read once: (recording, list targets, get targets)."""
    connection = await Connection(port, AUTH_HEADERS).open()
    recorded: dict[str, RecordedResponse] = {}

    async def fetch(target: str) -> RecordedResponse:
        response = await connection.get(connection.request_bytes(target))
        if response.status != 200:
            raise RuntimeError(f"GET {target} answered {response.status}: {response.body[:200]!r}")
        headers = {name: value for name, value in parse_headers(response.head).items() if name in REPLAYED_HEADERS}
        recorded[target] = RecordedResponse(response.status, headers, response.body)
        return recorded[target]

    try:
        list_targets: list[str] = []
        tags: list[str] = []
        page = 1
        while True:
            target = f"{GITLAB_MOUNT}/projects/{PROJECT_ID}/releases?per_page={PER_PAGE}&page={page}"
            response = await fetch(target)
            list_targets.append(target)
            tags.extend(release["tag_name"] for release in json.loads(response.body))
            if not response.headers.get("x-next-page"):
                break
            page += 1
        get_targets = [f"{GITLAB_MOUNT}/projects/{PROJECT_ID}/releases/{quote(tag, safe='')}" for tag in tags]
        for target in get_targets:
            await fetch(target)
    finally:
        await connection.close()
    return recorded, list_targets, get_targets


def record(port: int) -> tuple[dict[str, RecordedResponse], Targets]:
    recorded, list_targets, get_targets = asyncio.run(record_responses(port))
    return recorded, Targets(get=get_targets, list=list_targets)


def without_mount(targets: Targets) -> Targets:
    """The same operations as Prism serves them: at the spec's paths, without the ``/api/v4`` server prefix."""
    return Targets(*([target.removeprefix(GITLAB_MOUNT) for target in group] for group in targets))


def wiremock_stubs(recorded: t.Mapping[str, RecordedResponse]) -> dict[str, t.Any]:
    """WireMock stub mappings answering each recorded target with its exact bytes and replayed headers."""
    return {
        "mappings": [
            {
                "request": {"method": "GET", "url": target},
                "response": {
                    "status": response.status,
                    "headers": {"Content-Type": "application/json", **response.headers},
                    "base64Body": base64.b64encode(response.body).decode("ascii"),
                },
            }
            for target, response in recorded.items()
        ]
    }
