"""Run the app with uvicorn: in the foreground for ``release-mock serve``, or on a thread for tests and tools."""

from __future__ import annotations

import socket
import threading
import time
import typing as t

import uvicorn


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (port 0: a free one), for uvicorn to listen on; ``OSError`` when it cannot be."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class AnnouncingServer(uvicorn.Server):
    """uvicorn's server, calling ``on_listening`` once it accepts connections (never before, nor if start-up fails),
    and ``on_stopped`` once it has shut down gracefully."""

    def __init__(
        self,
        config: uvicorn.Config,
        on_listening: t.Callable[[], None],
        on_stopped: t.Callable[[], None] | None = None,
    ) -> None:
        super().__init__(config)
        self._on_listening = on_listening
        self._on_stopped = on_stopped

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit:
            self._on_listening()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets=sockets)
        # Here, not after ``run`` returns: on SIGTERM uvicorn raises the signal again once it is done,
        # and the default action ends the process before ``run``'s caller gets another line in.
        if self._on_stopped is not None:
            self._on_stopped()


def serve_forever(
    app: t.Any,
    sock: socket.socket,
    on_listening: t.Callable[[], None],
    on_stopped: t.Callable[[], None] | None = None,
) -> None:
    """Serve on the bound socket until interrupted (Ctrl-C, SIGTERM); ``on_stopped`` runs after a graceful stop."""
    # uvicorn's own warnings are per request too ("Invalid HTTP request received."); its errors still show.
    config = uvicorn.Config(app, log_level="error", access_log=False)
    try:
        AnnouncingServer(config, on_listening, on_stopped).run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn shuts down gracefully on Ctrl-C, then raises the signal again for the caller: the end, not an error.
        pass


class BackgroundServer:
    """``with BackgroundServer(app) as server: httpx.get(server.url + ...)``; port 0 picks a free port."""

    def __init__(self, app: t.Any, host: str = "127.0.0.1", port: int = 0, *, startup_timeout: float = 20.0) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="release-mock", daemon=True)
        self._timeout = startup_timeout
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + self._timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the mock server did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
