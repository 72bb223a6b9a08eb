"""The headers Sentry puts on every API answer, and its CORS rules, as a ``WirePolicy``.

What each one stands for, as Sentry's source shows it:
- Its security middleware sets ``X-Frame-Options: deny``, ``X-Content-Type-Options: nosniff`` and
  ``X-XSS-Protection: 1; mode=block`` on every answer that lacks them. No request id is sent.
- Every endpoint's dispatch is wrapped so that each answer, errors and 405s included, carries
  ``Allow`` and ``Access-Control-Allow-Methods`` (the endpoint's methods in Django's order, with
  HEAD where GET is and OPTIONS always), a fixed ``Access-Control-Allow-Headers``, an expose list
  with ``Link`` and ``X-Hits``, and ``Access-Control-Allow-Origin``: the request's ``Origin``, or ``*``.
- ``OPTIONS`` on an endpoint answers 200 with an empty body and ``Access-Control-Max-Age: 3600``,
  before authentication. A URL no endpoint serves is Django's 404, without these headers.
"""

from __future__ import annotations

from ...wire_policy import Cors, WirePolicy

WIRE_POLICY = WirePolicy(
    headers=(
        ("X-Frame-Options", "deny"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-XSS-Protection", "1; mode=block"),
    ),
    cors=Cors(
        expose=("X-Sentry-Error", "X-Sentry-Direct-Hit", "X-Hits", "X-Max-Hits", "Endpoint", "Retry-After", "Link"),
        origin="echo",
        only_with_origin=False,
        allow_methods=None,
        allow_headers=(
            "X-Sentry-Auth",
            "X-Requested-With",
            "Origin",
            "Accept",
            "Content-Type",
            "Authentication",
            "Authorization",
            "Content-Encoding",
            "sentry-trace",
            "baggage",
            "X-CSRFToken",
        ),
        max_age=3600,
        max_age_on_every_answer=False,
        preflight="any_options",
        allow_header=True,
    ),
)
