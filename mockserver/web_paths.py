"""Web pages a vendor serves outside its API mount, answered by one of its API's operations.

Some answers point outside the API: GitLab's Markdown uploads are linked as
``/<namespace>/<project>/uploads/<secret>/<file>`` and ``/-/project/<id>/uploads/<secret>/<file>``,
pages of GitLab's web application, which tools store as asset URLs and download again. A
plugin declares such pages as ``WebPath`` records: a pattern over the raw request path and the
API path (below its mount) that serves the same thing. This layer rewrites a matching ``GET``
or ``HEAD`` before anything else sees it, so routing, validation, the journal and the error
shape are the API operation's own. Paths under a mount are never rewritten: they belong to
the API mounted there.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from starlette.types import ASGIApp, Receive, Scope, Send

from .plugin import WebPath


@dataclasses.dataclass(frozen=True)
class _Rewrite:
    pattern: re.Pattern[str]
    target: str

    def apply(self, raw_path: str) -> str | None:
        match = self.pattern.fullmatch(raw_path)
        if match is None:
            return None
        values = {name: value.replace("/", "%2F") for name, value in match.groupdict().items()}
        return self.target.format(**values)


class WebPathMiddleware:
    """Serves declared web paths through the API operations that answer the same thing."""

    def __init__(self, app: ASGIApp, paths: t.Sequence[tuple[str, WebPath]] = (), mounts: t.Sequence[str] = ()) -> None:
        self.app = app
        self._rewrites = [_Rewrite(re.compile(path.pattern), mount + path.api_path) for mount, path in paths]
        self._mounts = tuple(mount.rstrip("/") + "/" for mount in mounts if mount)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._rewrites and scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            scope = self._rewritten(scope)
        await self.app(scope, receive, send)

    def _rewritten(self, scope: Scope) -> Scope:
        raw = scope.get("raw_path") or scope["path"].encode()
        path = raw.split(b"?", 1)[0].decode("latin-1")
        if path.startswith(self._mounts):
            return scope
        for rewrite in self._rewrites:
            target = rewrite.apply(path)
            if target is not None:
                encoded = target.encode("latin-1")
                # The decoded path is rebuilt from ``raw_path`` by the raw path layer behind this one.
                return dict(scope, raw_path=encoded, path=target)
        return scope
