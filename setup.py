"""Which packages the wheel holds; the rest of the project's metadata is in ``pyproject.toml``.

The specs and fixtures stay in the checkout's top-level ``specs/`` and ``fixtures/`` folders, and the wheel carries
them as ``mockserver/data/specs`` and ``mockserver/data/fixtures`` (found by ``mockserver.bundled``). That takes a
``package_dir`` mapping beside the discovered code packages, which ``pyproject.toml`` cannot say: its ``packages`` is
either a fixed list (and a new API package would be left out of the wheel) or discovery, not both.
"""

from setuptools import find_namespace_packages, find_packages, setup

DATA_PACKAGES = {"mockserver.data.specs": "specs", "mockserver.data.fixtures": "fixtures"}
# Each API's fixtures folder too (mockserver.data.fixtures.gitlab ...), else setuptools warns that it is left out.
DATA_SUBPACKAGES = [
    f"{package}.{folder}" for package, root in DATA_PACKAGES.items() for folder in find_namespace_packages(where=root)
]

setup(
    packages=[*find_packages(include=["mockserver*", "contracts*"]), *DATA_PACKAGES, *DATA_SUBPACKAGES],
    package_dir=DATA_PACKAGES,
)
