"""Where the specs and the default fixtures are: inside the installed wheel, or the checkout's top-level folders."""

from __future__ import annotations

import importlib.resources
import pathlib

# setup.py maps the checkout's ``specs/`` and ``fixtures/`` onto these folders of the wheel.
INSTALLED = importlib.resources.files("mockserver") / "data"
# An editable install or a bare checkout imports ``mockserver`` from the checkout, beside the folders themselves.
CHECKOUT = pathlib.Path(__file__).resolve().parent.parent


def data_root() -> pathlib.Path:
    """The folder holding ``specs/`` and ``fixtures/``."""
    if INSTALLED.is_dir():
        # Wheels are installed unpacked, so the resource is a plain folder on disk.
        return pathlib.Path(str(INSTALLED))
    return CHECKOUT


SPECS_DIR = data_root() / "specs"
"""The OpenAPI documents: what the mock serves and what ``release-mock contract`` checks against."""
FIXTURES_DIR = data_root() / "fixtures"
"""The default world the mock starts with (``--fixtures`` or ``RELEASE_MOCK_FIXTURES`` replace it)."""
