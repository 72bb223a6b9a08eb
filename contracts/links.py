"""RFC 8288 ``Link`` headers, as GitLab and Sentry write them: ``<url>; rel="next"; results="true", ...``."""

from __future__ import annotations

import dataclasses
import re
import urllib.parse

_ENTRY = re.compile(r"\s*<([^>]*)>((?:\s*;\s*[^;,=\s]+\s*=\s*(?:\"[^\"]*\"|[^;,\s]*))*)\s*(?:,|$)")
_PARAMETER = re.compile(r";\s*([^;,=\s]+)\s*=\s*(?:\"([^\"]*)\"|([^;,\s]*))")


class MalformedLink(ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class Link:
    url: str
    params: dict[str, str]

    @property
    def rel(self) -> str:
        return self.params.get("rel", "")

    @property
    def query(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.url).query, keep_blank_values=True))


def parse_links(header: str) -> dict[str, Link]:
    """Entries by ``rel``; raises ``MalformedLink`` when the header does not parse, or a ``rel`` repeats."""
    links: dict[str, Link] = {}
    position = 0
    header = header.strip()
    while position < len(header):
        match = _ENTRY.match(header, position)
        if match is None or match.end() == position:
            raise MalformedLink(f"cannot read a link at {header[position:]!r}")
        params = {name.lower(): quoted if quoted else bare for name, quoted, bare in _PARAMETER.findall(match.group(2))}
        link = Link(match.group(1), params)
        if link.rel in links:
            raise MalformedLink(f'rel="{link.rel}" appears twice')
        links[link.rel] = link
        position = match.end()
    return links
