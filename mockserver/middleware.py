"""``Middleware``: one layer of the app's stack as a plain record, a class and its options."""

from __future__ import annotations

import dataclasses
import functools
import typing as t

from starlette.types import ASGIApp


@dataclasses.dataclass(frozen=True)
class Middleware:
    """A middleware class and the options it is built with, as in ``Middleware(cls, **options)``.

    The app's stack is an ordered tuple of these (``app.MIDDLEWARE``), so a layer is added,
    removed or moved by position, without touching the layers around it.
    """

    cls: t.Callable[..., ASGIApp]
    options: t.Mapping[str, t.Any] = dataclasses.field(default_factory=dict)

    def __init__(self, cls: t.Callable[..., ASGIApp], **options: t.Any) -> None:
        object.__setattr__(self, "cls", cls)
        object.__setattr__(self, "options", dict(options))

    def bind(self) -> t.Callable[[ASGIApp], ASGIApp]:
        """The layer as Connexion builds its stack: called with the app it wraps."""
        return functools.partial(self.cls, **self.options) if self.options else self.cls
