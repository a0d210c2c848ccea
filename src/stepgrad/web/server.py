"""Serve the page with uvicorn on a socket bound here, so ``--port 0`` can report its port.

Ctrl-C is handled by uvicorn: it stops accepting, closes the WebSockets and returns.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from stepgrad.errors import StepgradError
from stepgrad.network import Setup
from stepgrad.web.config import Limits, VizConfig

WS_MAX_BYTES = 1 << 20  # the transport's cap; messages over Limits.max_message_bytes get an error reply


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
        app, log_level="warning", ws_max_size=WS_MAX_BYTES, lifespan="off", timeout_graceful_shutdown=2
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
