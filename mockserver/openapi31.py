"""Serve OpenAPI 3.1 documents through Connexion 3, which only knows 3.0 and JSON Schema draft 4.

Connexion 3.3 rejects ``openapi: 3.1.x`` when it validates the document and validates requests
and responses with draft-4 semantics (no ``type: [string, "null"]``, no ``const``, no
``examples``). This module is where the documents meet Connexion (which here only routes and
serves them), without converting any spec:

* ``OpenAPI31Specification`` checks the document against the OpenAPI 3.1 meta-schema and keeps
  it as written, so Swagger UI and the ``openapi.json`` route serve the 3.1 text. ``from_path``
  skips the meta-schema check for a file whose bytes already passed it (``spec_cache``).
* ``OpenAPI31Middleware.add_api`` registers an already-loaded 3.1 specification.
* Requests are validated on 2020-12 by our pipeline (``plans``, ``validation``), not by Connexion.
"""

from __future__ import annotations

import copy
import pathlib

import yaml
from connexion.exceptions import InvalidSpecification
from connexion.middleware.main import API, ConnexionMiddleware
from connexion.spec import OpenAPISpecification

from .fixtures import SAFE_LOADER
from .spec_cache import ValidatedSpecs

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
"""The keys of a path item that are operations."""


class OpenAPI31Specification(OpenAPISpecification):
    """An OpenAPI 3.1 document, validated against the 3.1 meta-schema and served as written."""

    @classmethod
    def _validate_spec(cls, spec: dict) -> None:
        cls._check_meta_schema(spec)
        version = str(spec.get("openapi", ""))
        if not version.startswith("3.1."):
            raise InvalidSpecification(f"expected an OpenAPI 3.1 document, got {version!r}")

    @classmethod
    def _check_meta_schema(cls, spec: dict) -> None:
        # Imported here: a start whose specs are all known valid never needs the validator (an eighth of a second).
        from openapi_spec_validator import OpenAPIV31SpecValidator

        errors = list(OpenAPIV31SpecValidator(spec).iter_errors())
        if errors:
            first = errors[0]
            where = "/".join(str(part) for part in first.absolute_path)
            raise InvalidSpecification(f"{first.message} (at /{where})")

    @classmethod
    def from_dict(cls, spec: dict, *, base_uri: str = "") -> OpenAPI31Specification:
        return cls(spec, base_uri=base_uri)

    @classmethod
    def from_path(cls, path: pathlib.Path, known_valid: ValidatedSpecs | None = None) -> OpenAPI31Specification:
        """The document in ``path``; checked against the meta-schema unless its bytes are in ``known_valid``."""
        content = path.read_bytes()
        if known_valid is None:
            return cls.from_dict(yaml.load(content, Loader=SAFE_LOADER), base_uri=f"{path.parent}/")
        key = known_valid.key(content)
        if key in known_valid:
            document = known_valid.document(key)
            if document is None:
                document = yaml.load(content, Loader=SAFE_LOADER)
                known_valid.keep_document(key, document)
            return _KnownValidSpecification.from_dict(document, base_uri=f"{path.parent}/")
        document = yaml.load(content, Loader=SAFE_LOADER)
        specification = cls.from_dict(document, base_uri=f"{path.parent}/")
        known_valid.add(key)
        known_valid.keep_document(key, yaml.load(content, Loader=SAFE_LOADER))
        return specification

    def with_base_path(self, base_path: str) -> OpenAPI31Specification:
        """The document the ``openapi.json`` route serves (as ``.spec``): as written, under ``base_path``.

        Connexion's own clone would serve its ``$ref``-resolved copy, validated again on
        every request. The copy returned here is only for serving.
        """
        served = copy.copy(self)
        served._raw_spec = served._spec = dict(self._raw_spec)
        served.base_path = base_path
        return served


class _KnownValidSpecification(OpenAPI31Specification):
    """A document whose exact bytes passed the meta-schema check before: only the cheap checks run again."""

    @classmethod
    def _check_meta_schema(cls, spec: dict) -> None:
        pass


class OpenAPI31Middleware(ConnexionMiddleware):
    """Connexion's middleware stack, taking specifications that are already loaded.

    ``ConnexionMiddleware.add_api`` always re-loads its argument with ``Specification.load``,
    which picks the 3.0 class; this override registers an ``OpenAPI31Specification`` as is.
    """

    def add_api(self, specification, *, base_path=None, name=None, **kwargs) -> None:  # type: ignore[override]
        if not isinstance(specification, OpenAPI31Specification):
            raise TypeError("add_api takes an OpenAPI31Specification")
        if self.middleware_stack is not None:
            raise RuntimeError("Cannot add an API after the application has started")
        options = self.options.replace(**{k: v for k, v in kwargs.items() if hasattr(self.options, k)})
        extra = {k: v for k, v in kwargs.items() if not hasattr(self.options, k)}
        self.apis.append(API(specification, base_path=base_path, name=name, **options.__dict__, **extra))
