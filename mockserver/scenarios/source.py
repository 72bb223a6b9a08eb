"""A scenario file read and checked against ``scenario_schema.yaml``; every error names the file, the place and why.

The place is a JSON pointer into the file and, where the YAML has one, its line: YAML is read
twice, once as data (as fixtures are: dates stay strings) and once as nodes, which keep lines.
"""

from __future__ import annotations

import functools
import pathlib
import typing as t

import yaml
from jsonschema import Draft202012Validator

from ..fixtures import SAFE_LOADER, JsonLoader

SCHEMA_FILE = pathlib.Path(__file__).with_name("scenario_schema.yaml")


class ScenarioError(Exception):
    """A scenario that cannot be loaded: ``file``, ``where`` (a JSON pointer), ``line`` (or None), ``reason``."""

    def __init__(self, file: pathlib.Path | str, where: str, reason: str, line: int | None = None) -> None:
        self.file = pathlib.Path(file)
        self.where = where or "/"
        self.line = line
        self.reason = reason
        place = f"line {line}, at {self.where}" if line else f"at {self.where}"
        super().__init__(f"{self.file}: {place}: {reason}")


@functools.cache
def scenario_schema() -> dict[str, t.Any]:
    with open(SCHEMA_FILE, encoding="utf-8") as handle:
        schema: dict[str, t.Any] = yaml.load(handle, Loader=SAFE_LOADER)
    return schema


class ScenarioSource:
    """One scenario file's data, checked by the scenario schema, with the lines of its parts at hand."""

    def __init__(self, file: pathlib.Path) -> None:
        self.file = file
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise ScenarioError(file, "", f"cannot be read: {error.strerror}") from None
        try:
            self.data = yaml.load(text, Loader=JsonLoader)
            self._root = yaml.compose(text, Loader=SAFE_LOADER)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            raise ScenarioError(
                file, "", f"not valid YAML: {getattr(error, 'problem', error)}", mark.line + 1 if mark else None
            ) from None
        if not isinstance(self.data, dict):
            raise ScenarioError(file, "", "expected a mapping with description, base and the APIs' parts", 1)
        validator = Draft202012Validator(scenario_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(self.data), key=lambda error: list(map(str, error.absolute_path)))
        if errors:
            self.fail(_place(errors[0]), errors[0].message)

    @property
    def description(self) -> str:
        return str(self.data["description"])

    @property
    def base(self) -> str:
        return str(self.data.get("base", "default"))

    def fail(self, path: t.Sequence[t.Any], reason: str) -> t.NoReturn:
        """Raise a ``ScenarioError`` at ``path`` (keys and indexes into the file's data), with its line."""
        raise ScenarioError(self.file, pointer(path), reason, self.line_of(path))

    def line_of(self, path: t.Sequence[t.Any]) -> int | None:
        """The 1-based line where the value at ``path`` starts, or of its nearest ancestor the YAML shows."""
        node = self._root
        line = node.start_mark.line + 1 if node is not None else None
        for part in path:
            child = _child(node, part)
            if child is None:
                break
            node, line = child, child.start_mark.line + 1
        return line


def _place(error: t.Any) -> list[t.Any]:
    """Where a schema error is: an unexpected member is pointed at itself rather than at its parent."""
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        unexpected = [key for key in error.instance if key not in known]
        if len(unexpected) == 1:
            path.append(unexpected[0])
    return path


def _child(node: yaml.Node | None, part: t.Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return t.cast(yaml.Node, value)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return t.cast(yaml.Node, node.value[part])
    return None


def pointer(path: t.Iterable[t.Any]) -> str:
    """A JSON pointer (RFC 6901) to the member at ``path``."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)
