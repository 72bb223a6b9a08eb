"""The headers GitLab puts on every API answer, and its CORS rules, as a ``WirePolicy``.

What each one stands for, as GitLab's source and its answers show it:
- Workhorse gives each request a correlation id (a ULID) and does not take the client's by
  default; Rails repeats it as ``X-Request-Id`` and in ``X-Gitlab-Meta``, and Rack adds ``X-Runtime``.
- The API's own ``before`` filter sets ``X-Frame-Options: SAMEORIGIN`` and ``X-Content-Type-Options:
  nosniff`` and a ``default-src 'none'`` content security policy, for every route (the catch-all too).
- Rack's ETag middleware: a 200 or 201 with a body gets a weak ETag and ``max-age=0, private,
  must-revalidate``; anything else ``no-cache``.
- rack-cors for ``/api/*``: any origin without credentials (``*``), any method and header,
  exposing the pagination headers and the file headers; ``Vary: Origin`` on what it matches. A
  preflight (``Origin`` and ``Access-Control-Request-Method``) is answered 200 before Grape; a bare
  ``OPTIONS`` reaches Grape, which answers 204 with ``Allow`` (``ApiPlugin.answers_options``).
"""

from __future__ import annotations

from ...wire_policy import Cors, RequestId, WirePolicy

EXPOSED = (
    "Link",
    "X-Total",
    "X-Total-Pages",
    "X-Per-Page",
    "X-Page",
    "X-Next-Page",
    "X-Prev-Page",
    "X-Gitlab-Blob-Id",
    "X-Gitlab-Commit-Id",
    "X-Gitlab-Content-Sha256",
    "X-Gitlab-Encoding",
    "X-Gitlab-File-Name",
    "X-Gitlab-File-Path",
    "X-Gitlab-Last-Commit-Id",
    "X-Gitlab-Ref",
    "X-Gitlab-Size",
)

WIRE_POLICY = WirePolicy(
    headers=(
        ("X-Frame-Options", "SAMEORIGIN"),
        ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", "default-src 'none'"),
        ("Vary", "Origin"),
    ),
    request_id=RequestId(
        form="ulid", echo=False, also=(("X-Gitlab-Meta", '{{"correlation_id":"{id}","version":"1"}}'),)
    ),
    cors=Cors(
        expose=EXPOSED,
        origin="star",
        only_with_origin=True,
        allow_methods=("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"),
        allow_headers=None,
        max_age=7200,
        max_age_on_every_answer=True,
        preflight="request_method",
    ),
    etag=True,
    runtime_header="X-Runtime",
)
