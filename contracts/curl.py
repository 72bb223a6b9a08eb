"""A recorded request as a ``curl`` command that bash runs exactly as printed, token placeholders expanding."""

from __future__ import annotations

import re
import shlex
import typing as t
import urllib.parse

if t.TYPE_CHECKING:
    from .failures import RequestRecord

# Headers curl writes by itself, or that only describe this one transfer.
TRANSPORT_HEADERS = frozenset({"host", "content-length", "accept-encoding", "connection", "user-agent", "accept"})

# What may stay as it is in a URL given to curl: curl refuses a space and sends other bytes in ways
# that differ between the path and the query, so everything else is percent-encoded (servers decode
# both forms alike). Braces are encoded too: with brackets they would start curl's URL globbing.
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"
_DOT_SEGMENT = re.compile(r"/\.\.?(?:/|$|\?|#)")
_PLAIN_BYTES = frozenset(range(0x20, 0x7F)) - {ord("\\"), ord("'")}


def command(request: RequestRecord, variables: t.Iterable[str] = ()) -> str:
    """``curl`` sending ``request`` again; each of ``variables`` (``$GITLAB_TOKEN``) is left for the shell to expand.

    ``-i`` shows the status line and headers of the answer, which is what a reproduction is read for.
    """
    names = tuple(variables)
    url = urllib.parse.quote(request.url, safe=_URL_SAFE)
    parts = ["curl", "-sS", "-i"]
    if "[" in url:
        parts.append("-g")  # brackets in a query are data, not a curl glob range
    if _DOT_SEGMENT.search(urllib.parse.urlsplit(url).path + "?"):
        parts.append("--path-as-is")  # curl would otherwise resolve /../ before sending
    # curl waits for a body after `-X HEAD`; --head expects none.
    parts += ["--head"] if request.method.upper() == "HEAD" else ["-X", _word(request.method.encode(), names)]
    header_names = set()
    for name, value in request.headers:
        header_names.add(name.lower())
        if name.lower() not in TRANSPORT_HEADERS:
            parts += ["-H", _word(f"{name}: {value}".encode(), names)]
    if request.body is not None:
        if "content-type" not in header_names:
            parts += ["-H", "'Content-Type:'"]  # --data-binary would otherwise add a form content type
        parts += ["--data-binary", _body(request.body, names)]
    parts.append(_word(url.encode(), names))
    return " ".join(parts)


def _body(body: bytes, variables: tuple[str, ...]) -> str:
    """A shell word curl reads the body from: the bytes themselves, or (with a NUL byte) a printf that makes them."""
    if b"\0" not in body:
        return _word(body, variables)
    # No shell word can hold a NUL byte; printf's %b turns the \xHH escapes back into the exact bytes.
    pieces = _split(body, variables)
    argument = "".join(_variable(piece, variables) or _escaped(piece) for piece in pieces)
    return f"@<(printf %b {argument or chr(39) * 2})"


def _escaped(data: bytes) -> str:
    """Single-quoted, every byte but plain ASCII as ``\\xHH``, for printf's %b (which reads ``\\\\`` as ``\\``)."""
    text = "".join(chr(byte) if byte in _PLAIN_BYTES else f"\\x{byte:02x}" for byte in data)
    return f"'{text}'"


def _word(data: bytes, variables: tuple[str, ...]) -> str:
    """One shell word: the placeholders in double quotes (they expand), the rest literal."""
    pieces = _split(data, variables)
    return "".join(_variable(piece, variables) or _literal(piece) for piece in pieces) or "''"


def _variable(piece: bytes, variables: tuple[str, ...]) -> str | None:
    """``"$GITLAB_TOKEN"`` if the piece is one of the placeholders: double quotes, so that the shell expands it."""
    text = piece.decode("utf-8", errors="replace")
    return f'"{text}"' if text in variables else None


def _split(data: bytes, variables: tuple[str, ...]) -> list[bytes]:
    if not variables:
        return [data] if data else []
    pattern = b"(" + b"|".join(re.escape(name.encode()) for name in variables) + b")"
    return [piece for piece in re.split(pattern, data) if piece]


def _literal(data: bytes) -> str:
    """Single quotes when the text is printable; else bash's ``$'...'`` with ``\\xHH`` for the other bytes.

    A newline, a carriage return or a control character would be kept by single quotes, but it
    would break the report's one line per command, and some terminals change it on paste.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and text.isprintable():
        return shlex.quote(text)
    escaped = "".join(
        chr(byte) if byte in _PLAIN_BYTES else "\\'" if byte == ord("'") else "\\\\" if byte == 92 else f"\\x{byte:02x}"
        for byte in data
    )
    return f"$'{escaped}'"
