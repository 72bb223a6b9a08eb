"""Which API is served where: names checked against the plugins, and mount points that keep every API reachable.

Mounts may nest (GitLab at ``/api`` beside Sentry at ``/api/0`` works: routing looks at the whole path). What
breaks is a mount that hides routes of the API around it: with Chkk at ``/api/v4/projects/24``, every
``/api/v4/projects/24/...`` request goes to Chkk, and GitLab's project 24 is gone. Such settings are refused.
"""

from __future__ import annotations

import typing as t

from .plugin import ApiPlugin
from .settings import MountClash, Settings, UnknownApi


def choose_mounts(plugins: t.Sequence[ApiPlugin], settings: Settings) -> dict[str, ApiPlugin]:
    """Mount point -> plugin for the APIs the settings ask for, each at its configured or default mount."""
    by_name = {plugin.name: plugin for plugin in plugins}
    known = ", ".join(sorted(by_name))
    unknown_apis = [name for name in settings.apis if name not in by_name]
    if unknown_apis:
        raise UnknownApi(f"no such API: {', '.join(unknown_apis)}; the APIs are {known}")
    unknown_mounts = [f"{name}={path}" for name, path in settings.mounts.items() if name not in by_name]
    if unknown_mounts:
        raise UnknownApi(f"cannot mount {', '.join(unknown_mounts)}: no such API; the APIs are {known}")
    chosen: dict[str, ApiPlugin] = {}
    for plugin in plugins:
        if settings.apis and plugin.name not in settings.apis:
            continue
        mount = settings.mount_for(plugin.name, plugin.default_mount)
        if mount in chosen:
            raise MountClash(f"{chosen[mount].name} and {plugin.name} are both mounted at {mount or '/'}")
        chosen[mount] = plugin
    return chosen


def spec_routes(spec: t.Mapping[str, t.Any]) -> list[str]:
    """The spec's path templates, with ``{name:path}`` (as routing has it) where a parameter may hold slashes."""
    routes = []
    for template, item in spec.get("paths", {}).items():
        parameters = [*item.get("parameters", [])]
        parameters += [
            parameter
            for operation in item.values()
            if isinstance(operation, dict)
            for parameter in operation.get("parameters", [])
        ]
        for parameter in (_resolve(spec, parameter) for parameter in parameters):
            schema = parameter.get("schema", {})
            if parameter.get("in") == "path" and schema.get("type") == "string" and schema.get("format") == "path":
                template = template.replace(f"{{{parameter['name']}}}", f"{{{parameter['name']}:path}}")
        routes.append(template)
    return routes


def _resolve(spec: t.Mapping[str, t.Any], node: t.Mapping[str, t.Any]) -> t.Mapping[str, t.Any]:
    """A local ``$ref`` (``#/components/parameters/ProjectId``) followed to what it names."""
    while "$ref" in node:
        target: t.Any = spec
        for key in node["$ref"].removeprefix("#/").split("/"):
            target = target[key]
        node = target
    return node


def refuse_hidden_routes(chosen: t.Mapping[str, ApiPlugin], routes: t.Mapping[str, t.Sequence[str]]) -> None:
    """``routes``: mount -> the path templates served under it. Refuses a mount that takes another API's requests."""
    for outer, templates in routes.items():
        for inner in routes:
            if inner == outer or not inner.startswith(outer + "/"):
                continue
            remainder = inner[len(outer) :]
            hidden = [template for template in templates if _reaches_below(template, remainder)]
            if hidden:
                raise MountClash(
                    f"{chosen[inner].name} mounted at {inner} hides {chosen[outer].name}'s {hidden[0]} "
                    f"(mounted at {outer or '/'}); mount {chosen[inner].name} elsewhere"
                )


def _reaches_below(template: str, prefix: str) -> bool:
    """Whether some URL of the path template goes on below ``prefix`` (``/projects/{id}/releases``, ``/projects/24``).

    A mount takes the requests *under* it (``prefix/...``), not one for ``prefix`` itself. A ``{parameter}`` matches
    one segment, a ``{parameter:path}`` whatever follows.
    """
    segments = template.split("/")[1:]
    wanted = prefix.split("/")[1:]
    for position, part in enumerate(wanted):
        if position == len(segments):
            return False
        segment = segments[position]
        if segment.startswith("{") and segment.endswith(":path}"):
            return True
        if not (segment.startswith("{") and segment.endswith("}")) and segment != part:
            return False
    return len(segments) > len(wanted)
