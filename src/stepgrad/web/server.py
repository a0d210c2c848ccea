"""Serve the page with uvicorn on a socket bound here, so ``--port 0`` can report its port.

Ctrl-C is handled by uvicorn: it stops accepting, closes the WebSockets and returns.

Connections are timed: a client has ``HEADER_TIMEOUT`` seconds to send a request's headers (a
connection that never finishes them is closed, so idle sockets cannot use up the server's file
descriptors), an idle keep-alive connection is closed after ``KEEP_ALIVE`` seconds, and headers
larger than ``MAX_HEADER_BYTES`` get a 400. A malformed request gets uvicorn's one-line warning and
a 400, never a traceback.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

from stepgrad.errors import StepgradError
from stepgrad.network import Setup
from stepgrad.web.config import Limits, VizConfig

WS_MAX_BYTES = 1 << 20  # the transport's cap; messages over Limits.max_message_bytes get an error reply
HEADER_TIMEOUT = 10.0  # seconds a client has to send a request's headers
KEEP_ALIVE = 5  # seconds an idle keep-alive connection stays open
MAX_HEADER_BYTES = 16_384  # request line and headers together


def timed_protocol(header_timeout: float = HEADER_TIMEOUT) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol with a deadline of ``header_timeout`` seconds for each request's
    headers, and quiet bad requests.

    uvicorn's own keep-alive timer only runs between requests, and is cancelled by any byte that
    arrives: a client that sends half a request line, or one header byte a minute, would hold its
    connection forever.
    """
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class TimedH11Protocol(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(header_timeout, self._expire)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            self._deadline = None
            serving = self.cycle is not None and not self.cycle.response_complete
            if not serving and not self.transport.is_closing() and self.transport.get_protocol() is self:
                self.transport.close()  # no complete request in time (or a body that never ends)

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def handle_events(self) -> None:
            super().handle_events()
            if self.cycle is not None and not self.cycle.response_complete:
                self._disarm()  # a request's headers arrived: the application now answers it

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def send_400_response(self, msg: str) -> None:
            cycle = self.cycle
            if cycle is not None:
                cycle.disconnected = True  # the application's own answer must not follow the 400
                if cycle.response_started or self.conn.our_state is not h11.SEND_RESPONSE:
                    self.transport.close()  # a response is already on its way: only closing is left
                    return
            super().send_400_response(msg)

    return TimedH11Protocol


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free port)."""
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(info[0], socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(info[4])
    except OSError as error:
        raise StepgradError(
            f"cannot listen on {host}:{port}: {error.strerror or error}", location="--host/--port"
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


UNSPECIFIED = ("0.0.0.0", "::", "")  # listening on every interface


def url_of(sock: socket.socket) -> str:
    """``http://host:port/`` of a bound socket (IPv6 hosts in brackets).

    A socket on every interface is reached at the loopback address from this machine.
    """
    host, port = sock.getsockname()[:2]
    if host in UNSPECIFIED:
        host = "::1" if sock.family == socket.AF_INET6 else "127.0.0.1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def network_address() -> str | None:
    """This machine's address on its network (the one outgoing traffic would use), if it has one.

    Connecting a UDP socket sends nothing; it only picks the route.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            address: str = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    file_setup: Setup | None = None,
    initial: VizConfig | None = None,
    on_listening: Callable[[str], None] | None = None,
    limits: Limits | None = None,
) -> None:
    """Run the server until Ctrl-C; ``on_listening(url)`` is called once the socket is bound."""
    import uvicorn

    from stepgrad.web.app import LOCAL_HOSTS, create_app

    sock = bind(host, port)
    everywhere = host in UNSPECIFIED
    # On every interface, this machine's own IP addresses are its hosts too (never host names).
    app = create_app(
        file_setup=file_setup,
        initial=initial,
        limits=limits,
        allowed_hosts={*LOCAL_HOSTS, host} - {""},
        local_addresses=everywhere,
    )
    config = uvicorn.Config(
        app,
        http=timed_protocol(),
        log_level="warning",
        ws_max_size=WS_MAX_BYTES,
        lifespan="off",
        timeout_graceful_shutdown=2,
        timeout_keep_alive=KEEP_ALIVE,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )
    server = uvicorn.Server(config)
    if on_listening is not None:
        on_listening(url_of(sock))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn has shut down gracefully and re-raised the Ctrl-C it caught: a normal stop
    finally:
        sock.close()
