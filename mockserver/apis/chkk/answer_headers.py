"""The headers the mock's Chkk puts on every answer: a request id (the client's, when it sends a plain one) and
``nosniff``. Chkk's API is called from CI and servers, not browsers: no CORS headers."""

from __future__ import annotations

from ...wire_policy import RequestId, WirePolicy

WIRE_POLICY = WirePolicy(
    headers=(("X-Content-Type-Options", "nosniff"),),
    request_id=RequestId(form="uuid4", echo=True),
)
