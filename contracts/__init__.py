"""Contract suites that speak only HTTP, so they run against the mock or a real server.

``release-mock contract`` (``contracts.cli``) and ``pytest contracts`` (``contracts/conftest.py``)
run them; ``contracts.runner`` emits events that ``contracts.report`` renders. Only
``contracts.target`` imports the mock, to start it in-process when no server is given.
"""

from .failures import ContractFailure, RequestRecord
from .profiles import PROFILES, ApiProfile

__all__ = ["PROFILES", "ApiProfile", "ContractFailure", "RequestRecord"]
