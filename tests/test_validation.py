"""The JSON Schema formats our specs use are checked, not only named (``validation.FORMAT_CHECKER``)."""

from __future__ import annotations

import pytest
import yaml

from mockserver.bundled import SPECS_DIR
from mockserver.fixtures import SAFE_LOADER
from mockserver.validation import FORMAT_CHECKER

# OpenAPI's own formats: they describe a value (a size, a file) and no validator checks them.
ANNOTATIONS = {"int32", "int64", "float", "double", "binary", "byte", "password", "path"}
# A value each checked format must refuse: jsonschema passes anything under a format it has no checker for.
REFUSED = {"date": "2026-13-01", "date-time": "yesterday", "uri": "no scheme here"}


def _formats(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["format"]} if isinstance(node.get("format"), str) else set()
        # Examples are data: a GitLab release source has a "format" of its own (zip, tar.gz...).
        return found.union(*(_formats(value) for key, value in node.items() if key not in ("example", "examples")))
    if isinstance(node, list):
        return set().union(*(_formats(item) for item in node))
    return set()


def test_every_format_our_specs_use_is_an_annotation_or_checked() -> None:
    documents = [yaml.load(path.read_bytes(), Loader=SAFE_LOADER) for path in SPECS_DIR.glob("*.yaml")]
    used = set().union(*(_formats(document) for document in documents))
    assert used - ANNOTATIONS == set(REFUSED)


@pytest.mark.parametrize(("format_name", "value"), sorted(REFUSED.items()))
def test_a_checked_format_refuses_a_bad_value(format_name: str, value: str) -> None:
    assert not FORMAT_CHECKER.conforms(value, format_name)
