"""The operations a spec declares: their labels, which need credentials, and which one a request reached."""

from __future__ import annotations

import dataclasses
import functools
import pathlib
import re
import typing as t
import urllib.parse

import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
READ_METHODS = frozenset({"GET", "HEAD"})


@dataclasses.dataclass(frozen=True)
class Operation:
    method: str
    """Upper case, as on the wire."""
    path: str
    """The spec's path template, relative to the API's base URL."""
    operation_id: str
    requires_auth: bool
    """No anonymous alternative among the operation's security requirements."""
    definition: t.Mapping[str, t.Any] = dataclasses.field(repr=False, compare=False)

    @property
    def label(self) -> str:
        """``GET /projects/{id}/releases``, the name Schemathesis uses too."""
        return f"{self.method} {self.path}"

    @property
    def reads(self) -> bool:
        return self.method in READ_METHODS

    def json_example(self) -> t.Any | None:
        """The first example of a JSON request body, if the spec gives one."""
        media = self.definition.get("requestBody", {}).get("content", {}).get("application/json", {})
        if "example" in media:
            return media["example"]
        for example in media.get("examples", {}).values():
            if "value" in example:
                return example["value"]
        return None


class OperationIndex:
    """Every operation of one spec, and a router from a request's method and path back to its operation."""

    def __init__(self, spec: t.Mapping[str, t.Any]) -> None:
        self.spec = spec
        default_security = spec.get("security", [])
        operations = []
        for path, item in spec.get("paths", {}).items():
            for method in HTTP_METHODS:
                if method not in item:
                    continue
                definition = item[method]
                security = definition.get("security", default_security)
                operations.append(
                    Operation(
                        method=method.upper(),
                        path=path,
                        operation_id=definition.get("operationId", f"{method} {path}"),
                        requires_auth=bool(security) and {} not in security,
                        definition=definition,
                    )
                )
        self.operations: tuple[Operation, ...] = tuple(operations)
        # Templates with fewer parameters first, so a literal segment wins over a parameter.
        self._routes = sorted(
            ((_template_pattern(op.path), op) for op in operations), key=lambda route: route[1].path.count("{")
        )

    @classmethod
    @functools.cache
    def load(cls, path: pathlib.Path) -> OperationIndex:
        with open(path, encoding="utf-8") as handle:
            return cls(yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(op.label for op in self.operations)

    def by_id(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)

    def match(self, method: str, url: str, base_url: str) -> str:
        """The label of the operation that ``method url`` reaches, or ``METHOD path`` when the spec has none."""
        path = urllib.parse.urlsplit(url).path
        base = urllib.parse.urlsplit(base_url).path.rstrip("/")
        relative = path[len(base) :] if path.startswith(base) else path
        for pattern, op in self._routes:
            if op.method == method.upper() and pattern.fullmatch(relative):
                return op.label
        return f"{method.upper()} {relative}"


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts))


def fill(template: str, values: t.Mapping[str, str]) -> str:
    """A path template with each ``{name}`` replaced by its value, percent-encoded as one path segment."""
    return re.sub(r"\{([^}]+)\}", lambda match: segment(values[match.group(1)]), template)


def segment(value: str) -> str:
    """One path segment: ``/`` travels as ``%2F``, ``+`` as ``%2B``."""
    return urllib.parse.quote(str(value), safe="")
