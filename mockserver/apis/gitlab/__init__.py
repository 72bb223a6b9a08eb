"""GitLab's Releases API (REST v4), with the project, user and tag endpoints its clients call around it."""

from __future__ import annotations

import pathlib
import typing as t

from ...fixtures import load_folder
from ...plugin import ApiPlugin, WebPath
from .answer_headers import WIRE_POLICY
from .handlers import HANDLERS, SIGNED_IN_FIRST
from .seed import FIXTURE_SCHEMA, check_references, check_seed, dump_state, load_state
from .state import TABLES
from .wire import render_error


def load_seed(folder: pathlib.Path, spec: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    seed = load_folder(folder, FIXTURE_SCHEMA, spec)
    check_references(seed, lambda stem: folder / f"{stem}.yaml")
    return seed


_UPLOAD = r"/uploads/(?P<secret>[0-9a-f]{32})/(?P<filename>[^/]+)"
# Markdown uploads are linked as pages of GitLab's web application, outside the API: by the
# project's id (an upload's ``full_path``) or by its path (the project's web path + ``url``).
UPLOAD_PAGES = (
    WebPath(r"/-/project/(?P<id>[0-9]+)" + _UPLOAD, "/projects/{id}/uploads/{secret}/{filename}"),
    WebPath(r"/(?P<id>(?!-/)[^?]+?)" + _UPLOAD, "/projects/{id}/uploads/{secret}/{filename}"),
)

PLUGIN = ApiPlugin(
    name="gitlab",
    spec_file="gitlab.yaml",
    default_mount="/api/v4",
    handlers=HANDLERS,
    checked_first=SIGNED_IN_FIRST,
    render_error=render_error,
    load_seed=load_seed,
    tables=TABLES,
    load_state=load_state,
    dump_state=dump_state,
    check_seed=check_seed,
    # GitLab mounts a catch-all route (any method, any path) after its API; its router tries
    # that before answering 405, so a method a known path does not serve is a plain 404.
    # OPTIONS is the exception: the router answers it itself for a path it knows.
    unserved_method="not_found",
    answers_options=True,
    # GitLab's API is a Grape app: the query, form and JSON body are one set of parameters,
    # coerced and checked by Grape, which reports every failed rule at once.
    parameters="grape",
    # Grape's routes under `format :json` end in an optional ".json", and JSON is the only
    # content type GitLab's API declares: `?format=xml` is refused (406).
    format_suffix=".json",
    formats=("json",),
    web_paths=UPLOAD_PAGES,
    wire=WIRE_POLICY,
)
