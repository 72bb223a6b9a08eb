"""Per-operation plans, compiled once at start-up from an API's spec and its plugin's handlers.

A plan holds everything a request to one operation needs that does not depend on the request:
the spec's operation object (resolved), each parameter's compiled validator and reading, the
body's reader, the handler (or the spec example that answers where there is none) and, when
responses are checked, the response validators. ``compile_plans`` also refuses a plugin whose
handlers name an operationId its spec lacks (``OperationMismatch``).
"""

from __future__ import annotations

import dataclasses
import typing as t

from . import grape
from .bodies import BodyReader, MediaTypes
from .exchange import Call, Reply
from .openapi31 import HTTP_METHODS
from .plugin import ApiPlugin, Handler
from .validation import ParameterCheck, ResponseCheck, decimal

__all__ = ["OperationMismatch", "OperationPlan", "compile_plans", "operation_key"]


class OperationMismatch(LookupError):
    """A plugin and its spec disagree about the operations: start-up stops and says where."""


@dataclasses.dataclass(frozen=True)
class ResponsePlan:
    """What a reply of one status must look like, for ``settings.validate_responses``."""

    required_headers: frozenset[str]
    bodies: t.Mapping[str, ResponseCheck]
    """Media type, exactly as the spec lists it -> the check of its schema."""


@dataclasses.dataclass(frozen=True)
class OperationPlan:
    api: str
    """The plugin's name: its namespace in the store."""
    mount: str
    key: str
    """What Connexion's routing names the operation by: its operationId, else ``METHOD path``."""
    operation: t.Mapping[str, t.Any]
    """The spec's operation object, ``$ref``s resolved, as ``Call.operation``."""
    query: tuple[ParameterCheck, ...]
    path: tuple[ParameterCheck, ...]
    headers: tuple[ParameterCheck, ...]
    checks: tuple[ParameterCheck, ...]
    """Every parameter in the order the spec lists them: the first problem found is the one reported."""
    body: BodyReader | None
    handler: Handler | None
    """The plugin's handler, or ``None`` where the API answers from the spec's example."""
    example: Handler
    produces_listed: tuple[str, ...]
    """Every media type the operation's responses list, in the spec's order."""
    produces: MediaTypes
    responses: t.Mapping[str, ResponsePlan] | None
    """Set when responses are checked (the test suite's setting)."""
    every_problem: bool = False
    """Report every parameter problem at once, not the first (Grape joins them)."""
    checked_first: t.Callable[[Call], None] | None = None
    """What the real server checks before the parameters (``ApiPlugin.checked_first``)."""

    @property
    def produces_first(self) -> str | None:
        return self.produces_listed[0] if self.produces_listed else None


def operation_key(method: str, path: str, operation: t.Mapping[str, t.Any]) -> str:
    # Operations without an operationId would share the key None in Connexion's routing,
    # each routed to the last one added: method and path are unique.
    return operation.get("operationId") or f"{method.upper()} {path}"


def compile_plans(
    plugin: ApiPlugin, document: t.Mapping[str, t.Any], mount: str, *, validate_responses: bool
) -> dict[str, OperationPlan]:
    """The plans of one mounted API by key; ``document`` is the spec with ``$ref``s resolved."""
    plans: dict[str, OperationPlan] = {}
    for path, item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                plan = _compile(plugin, mount, method, path, operation, item, validate_responses)
                plans[plan.key] = plan
    _check_handlers(plugin, [plan.operation.get("operationId") for plan in plans.values()])
    return plans


def _compile(
    plugin: ApiPlugin,
    mount: str,
    method: str,
    path: str,
    operation: dict,
    item: t.Mapping[str, t.Any],
    validate_responses: bool,
) -> OperationPlan:
    # The operation's own parameter overrides the path item's of the same name and location.
    unique: dict[tuple[str, str], dict] = {}
    for param in [*operation.get("parameters", []), *item.get("parameters", [])]:
        if param["in"] in ("query", "path", "header"):
            unique.setdefault((param["name"], param["in"]), param)
    parameters = list(unique.values())
    grape_semantics = plugin.parameters == "grape"
    if grape_semantics:
        # Grape's routes leave a path segment's type to its coercion (``grape.integer``: Ruby's
        # reading, capped as ids are); integers in the query keep Python's reading.
        checks = tuple(
            ParameterCheck(
                param, read_boolean=grape.boolean, read_integer=grape.integer if param["in"] == "path" else decimal
            )
            for param in parameters
        )
    else:
        checks = tuple(ParameterCheck(param) for param in parameters)
    operation_id = operation.get("operationId")
    responses = operation.get("responses", {})
    produces = tuple(
        dict.fromkeys(
            media_type
            for response in responses.values()
            if isinstance(response, dict)
            for media_type in response.get("content", {})
        )
    )
    return OperationPlan(
        api=plugin.name,
        mount=mount,
        key=operation_key(method, path, operation),
        operation=operation,
        query=tuple(check for check in checks if check.location == "query"),
        path=tuple(check for check in checks if check.location == "path"),
        headers=tuple(check for check in checks if check.location == "header"),
        checks=checks,
        # Without a requestBody nothing of the body reaches the handler: it is not read.
        body=(
            BodyReader(operation, parameters, grape=grape_semantics)
            if operation.get("requestBody") and method != "trace"
            else None
        ),
        handler=plugin.handlers.get(operation_id) if operation_id else None,
        checked_first=plugin.checked_first.get(operation_id) if operation_id else None,
        example=example_handler(responses),
        produces_listed=produces,
        produces=MediaTypes({media_type.lower(): None for media_type in produces}),
        responses=_response_plans(responses) if validate_responses else None,
        every_problem=grape_semantics,
    )


def _response_plans(responses: t.Mapping[str, t.Any]) -> dict[str, ResponsePlan]:
    plans = {}
    for status, response in responses.items():
        if not isinstance(response, dict):
            continue
        required = frozenset(
            name.lower() for name, header in response.get("headers", {}).items() if header.get("required", False)
        )
        bodies = {
            media_type: ResponseCheck(content["schema"])
            for media_type, content in response.get("content", {}).items()
            if isinstance(content, dict) and "schema" in content
        }
        plans[str(status)] = ResponsePlan(required, bodies)
    return plans


def example_handler(responses: t.Mapping[str, t.Any]) -> Handler:
    """A handler that answers with the operation's first documented success example."""
    reply = _first_success_example(responses)

    def answer_from_example(call: Call) -> Reply:
        return Reply(body=reply.body, status=reply.status, headers=dict(reply.headers), media_type=reply.media_type)

    return answer_from_example


def _first_success_example(responses: t.Mapping[str, t.Any]) -> Reply:
    chosen = _success_response(responses)
    if chosen is None:
        return Reply(body=None, status=204)
    status, response = chosen
    headers = {
        name: str(_example_of(header.get("schema", {}), header))
        for name, header in response.get("headers", {}).items()
        if _example_of(header.get("schema", {}), header) is not None
    }
    for media_type, content in response.get("content", {}).items():
        body = _example_of(content.get("schema", {}), content)
        return Reply(body=body, status=status, headers=headers, media_type=media_type)
    return Reply(body=None, status=status, headers=headers)


def _success_response(responses: t.Mapping[str, t.Any]) -> tuple[int, t.Mapping[str, t.Any]] | None:
    """The response an example answer uses, and the status it answers with.

    The lowest explicit 2xx first; then the ``2XX`` range, as 200; then a 302 (a redirect is
    the success of a permalink); then ``default``, as 200. YAML may key a status as an int.
    """
    by_key = {str(key).upper(): response for key, response in responses.items()}
    explicit = sorted(key for key in by_key if len(key) == 3 and key.isdigit() and key.startswith("2"))
    for key, status in [*((key, int(key)) for key in explicit), ("2XX", 200), ("302", 302), ("DEFAULT", 200)]:
        if key in by_key:
            return status, by_key[key]
    return None


def _example_of(schema: t.Mapping[str, t.Any], holder: t.Mapping[str, t.Any]) -> t.Any:
    if "example" in holder:
        return holder["example"]
    if holder.get("examples"):
        first = next(iter(holder["examples"].values()))
        return first.get("value") if isinstance(first, dict) else first
    if schema.get("examples"):
        return schema["examples"][0]
    return schema.get("default")


def _check_handlers(plugin: ApiPlugin, operation_ids: list[str | None]) -> None:
    """Every handler names an operation of the spec (which keeps operationIds unique).

    A misspelt name would leave its operation answering from examples, with nobody checking its rules.
    """
    for kind, named in (("handlers", plugin.handlers), ("checks made first", plugin.checked_first)):
        unknown = sorted(set(named) - set(operation_ids))
        if unknown:
            raise OperationMismatch(
                f"{plugin.name}: {kind} for operationIds that {plugin.spec_file} does not have: {', '.join(unknown)}"
            )
