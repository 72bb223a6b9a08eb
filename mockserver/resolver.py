"""How Connexion's routing names each operation: by the key of its plan (``plans.operation_key``).

Connexion's routing only needs a name per operation to put in the scope; the pipeline looks
the plan up by that name. Nothing here is called per request.
"""

from __future__ import annotations

import typing as t

from connexion.resolver import Resolution, Resolver

from .plans import operation_key


class RoutingResolver(Resolver):
    def resolve(self, operation: t.Any) -> Resolution:
        key = operation_key(operation.method, operation.path, {"operationId": self.resolve_operation_id(operation)})
        return Resolution(_served_by_the_pipeline, key)


def _served_by_the_pipeline(*args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    raise RuntimeError("operations are served by mockserver.pipeline, never called through Connexion")
