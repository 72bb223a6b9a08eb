"""Connexion's routing middleware, with integer path segments read by ``ids.read_integer``.

Connexion routes a path parameter of ``type: integer`` as ``{name:int}`` and converts the
segment with ``int()`` while matching; a segment of more than 4,300 digits raised out of
the router as a 500. Read here, it is an id beyond every id, which the handler does not find.
"""

from __future__ import annotations

import starlette.convertors
from connexion.frameworks.starlette import IntegerConverter
from connexion.middleware.routing import RoutingMiddleware as ConnexionRoutingMiddleware
from starlette.types import ASGIApp

from .ids import read_integer


class IntegerSegment(IntegerConverter):
    """Connexion's ``int`` segment (an optional sign and digits), of any length."""

    def convert(self, value: str) -> int:
        return read_integer(value)


class RoutingMiddleware(ConnexionRoutingMiddleware):
    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        # Connexion has just registered its own ``int`` convertor, process-wide, as every router
        # does; routes pick their convertors up when they are added, which comes right after.
        starlette.convertors.register_url_convertor("int", IntegerSegment())
