"""operationId -> endpoint: binds each handler to the store and turns its ``Reply`` into a response.

An operation without a handler still answers, from the first 2xx example of its spec, so
a newly described operation is never a 500 (``example_handler``).
"""

from __future__ import annotations

import typing as t

from connexion.context import scope as current_scope
from connexion.resolver import Resolution, Resolver
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from .clock import Clock
from .exchange import Call, Reply
from .json_body import dump_json
from .openapi31 import HTTP_METHODS
from .plugin import ApiPlugin, Handler
from .rawpath import unescape_segment
from .store import Store


def render(reply: Reply) -> Response:
    if reply.body is None and reply.status in (204, 302, 304):
        return Response(status_code=reply.status, headers=reply.headers)
    if reply.media_type.endswith("json"):
        content = dump_json(reply.body)
    else:
        content = reply.body if isinstance(reply.body, bytes) else str(reply.body or "").encode()
    return Response(content, status_code=reply.status, headers=reply.headers, media_type=reply.media_type)


def example_handler(operation: t.Any) -> Handler:
    """A handler that answers with the operation's first documented success example."""

    def answer_from_example(call: Call) -> Reply:
        # Read at call time: Connexion resolves an operation before it has parsed its responses.
        reply = _first_success_example(operation.responses)
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


async def _close_uploads(values: t.Iterable[t.Any]) -> None:
    """Uploaded files are spooled to temporary files; the handler has read them by now."""
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, UploadFile):
                await item.close()


class OperationMismatch(LookupError):
    """A plugin and its spec disagree about the operations: start-up stops and says where."""


class PluginResolver(Resolver):
    """Resolves an API's operations to its plugin's handlers, bound to the store and the clock.

    Each operation is found in the spec by method and path, so that what handlers read from
    it (Sentry's ``x-required-scopes``) is there whether or not it has an operationId: an
    operation that could not be found would be one whose rules nobody checks.
    """

    def __init__(
        self, plugin: ApiPlugin, store: Store, mount: str, document: t.Mapping[str, t.Any], clock: Clock
    ) -> None:
        super().__init__()
        self.plugin = plugin
        self.store = store
        self.clock = clock
        self.mount = mount
        self.operations: dict[tuple[str, str], t.Mapping[str, t.Any]] = {
            (method, path): item[method]
            for path, item in document.get("paths", {}).items()
            for method in HTTP_METHODS
            if isinstance(item.get(method), dict)
        }
        _check_handlers(plugin, [operation.get("operationId") for operation in self.operations.values()])

    def resolve(self, operation: t.Any) -> Resolution:
        operation_id = self.resolve_operation_id(operation)
        handler = (operation_id and self.plugin.handlers.get(operation_id)) or example_handler(operation)
        # Connexion keeps each API's operations by id: operations without one would share the key
        # None, and each would be routed to the last one added. Method and path are unique.
        return Resolution(self.bind(handler, operation), operation_id or f"{operation.method.upper()} {operation.path}")

    def bind(self, handler: Handler, operation: t.Any) -> t.Callable[..., t.Awaitable[Response]]:
        namespace, mount, store, clock = self.plugin.name, self.mount, self.store, self.clock
        spec_operation = self.operations.get((operation.method, operation.path))
        if spec_operation is None:
            raise OperationMismatch(
                f"{self.plugin.name}: {operation.method.upper()} {operation.path} is not in {self.plugin.spec_file}"
            )
        path_names: set[str] = set()

        def path_parameters() -> set[str]:
            # Connexion resolves before it parses the operation's parameters; read them on first use.
            if not path_names:
                path_names.update(param["name"] for param in operation.parameters if param["in"] == "path")
                path_names.add("")
            return path_names

        async def endpoint(**kwargs: t.Any) -> Response:
            scope = dict(current_scope)
            request = Request(scope)
            body = kwargs.pop("body", None)
            params = {
                name: unescape_segment(value) if name in path_parameters() and isinstance(value, str) else value
                for name, value in kwargs.items()
            }
            raw_path = scope.get("raw_path") or scope["path"].encode()
            path = raw_path.decode("utf-8", errors="replace").split("?", 1)[0]
            with store.use(namespace) as state:
                call = Call(
                    params=params,
                    body=body,
                    headers=request.headers,
                    query=list(request.query_params.multi_items()),
                    base_url=str(request.base_url).rstrip("/"),
                    mount=mount,
                    path=path[len(mount) :] if path.startswith(mount) else path,
                    state=state,
                    clock=clock,
                    operation=spec_operation,
                )
                try:
                    reply = handler(call)
                finally:
                    await _close_uploads(params.values())
            return render(reply)

        endpoint.__name__ = getattr(handler, "__name__", "endpoint")
        return endpoint


def _check_handlers(plugin: ApiPlugin, operation_ids: list[str | None]) -> None:
    """Every handler names an operation of the spec (which keeps operationIds unique).

    A misspelt name would leave its operation answering from examples, with nobody checking its rules.
    """
    unknown = sorted(set(plugin.handlers) - set(operation_ids))
    if unknown:
        raise OperationMismatch(
            f"{plugin.name}: handlers for operationIds that {plugin.spec_file} does not have: {', '.join(unknown)}"
        )
