"""The Starlette application: the page, its static files, the WebSocket, the checks.

* ``/``             the page (``static/index.html``); without a query string it redirects to
                    the URL of the starting configuration, so every page's URL is its setup;
* ``/static/<f>``   files of the package's ``static`` folder only (no ``..``, no links out);
* ``/ws``           one training session per connection, freed when the tab closes;
* ``/export?token=…`` the replay page of an open tab's own run (the token is that tab's, sent to it
                    in its ``ready`` message; no other page can know it);
* ``/health``       ``{"status": "ok", "sessions": n, "exports": n}`` (exports made so far).

Same-origin only: a request to ``/ws`` or ``/export`` that a browser marks as coming from another
site or origin (``Sec-Fetch-Site`` other than ``same-origin`` or ``none``: what an ``<img src>``,
a ``fetch(no-cors)``, a form or a WebSocket of a foreign page sends, even one on another port of
this host) is refused with 403 before any work. Exports are bounded: one at a time per tab
(another gets 429), ``MAX_EXPORTS`` at once for the server, each in a worker thread.

DNS-rebinding protection: every request (HTTP and WebSocket) must name an allowed host in
its ``Host`` header and, when it sends an ``Origin``, come from this very server: the same host
(``localhost``, ``127.0.0.1`` and ``[::1]`` count as one) and the same port. Anything else is
refused with 403 before any route runs. A server listening on every interface also accepts the
IP addresses of this machine's own interfaces, written as numbers, never other host names: a
rebinding attack needs a name it controls.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import logging
import secrets
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from stepgrad.errors import StepgradError
from stepgrad.network import Setup
from stepgrad.web.config import ConfigError, Limits, VizConfig, config_query, field_name, parse_config, parse_link
from stepgrad.web.protocol import Message, RateLimiter, error_message, parse_message
from stepgrad.web.session import Session

logger = logging.getLogger("stepgrad.web")
Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
DEFAULT_PORTS = {"http": 80, "https": 443}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
MAX_EXPORTS = 2  # replay pages made at once (each in a worker thread)
MAX_STATIC_PATH = 200  # characters; longer static paths are not served (the OS would refuse them)
SAME_ORIGIN_PATHS = ("/ws", "/export", "/upload")  # state-changing or costly: a foreign page's requests are refused
SAME_ORIGIN_FETCH = ("same-origin", "none")  # Sec-Fetch-Site values of this page's own requests


def static_root() -> Path:
    """The package's ``static`` folder, found with ``importlib.resources``."""
    return Path(str(resources.files("stepgrad.web") / "static"))


def confined_path(root: Path, requested: str) -> Path | None:
    """The file ``requested`` names inside ``root``, or None when it would leave it or is not served.

    Refused: empty, absolute or backslash paths, ``.``/``..``/empty segments, NUL bytes, files
    whose resolved path (after symbolic links) is outside ``root``, unknown file types.
    """
    if not requested or len(requested) > MAX_STATIC_PATH:
        return None
    if requested.startswith("/") or "\\" in requested or "\x00" in requested:
        return None
    if any(part in ("", ".", "..") for part in requested.split("/")):
        return None
    base = root.resolve()
    try:
        candidate = (base / requested).resolve()
        if not candidate.is_relative_to(base) or not candidate.is_file():
            return None
    except OSError:  # a name the file system refuses (too long, invalid) is a file we do not have
        return None
    if candidate.suffix not in CONTENT_TYPES:
        return None
    return candidate


def split_host(value: str) -> tuple[str, int | None]:
    """``("localhost", 8000)`` from ``localhost:8000``, ``("::1", 8000)`` from ``[::1]:8000``; lower case.

    The port is None when absent or not a number.
    """
    value = value.strip().lower()
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif value.count(":") == 1:
        name, _, port_text = value.partition(":")
    else:
        name, port_text = value, ""
    port = int(port_text) if port_text.isdigit() and len(port_text) <= 5 else None
    return name, port


@functools.lru_cache(maxsize=256)
def is_local_address(name: str) -> bool:
    """True when ``name`` is an IP address literal of one of this machine's interfaces.

    Checked by binding a socket to it, which only succeeds for the machine's own addresses.
    """
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if address.is_unspecified or address.is_multicast:
        return False
    if address.is_loopback:
        return True
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((str(address), 0))
    except OSError:
        return False
    return True


def _same_host(a: str, b: str) -> bool:
    """Equal host names, the loopback names counting as one."""
    return a == b or (a in LOCAL_HOSTS and b in LOCAL_HOSTS)


class SessionRegistry:
    """The open sessions by id; a session is removed when its WebSocket closes."""

    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}
        self.exports = 0  # replay pages made

    def __len__(self) -> int:
        return len(self.sessions)

    def by_token(self, token: str) -> Session | None:
        """The open session whose export token is ``token``."""
        for session in list(self.sessions.values()):
            if secrets.compare_digest(session.export_token, token):
                return session
        return None


class HostOriginGuard:
    """ASGI middleware refusing requests whose Host is not allowed or whose Origin is another site.

    Args:
        app: the application.
        allowed_hosts: host names (or IP literals) accepted in the ``Host`` header.
        registry: the application's open sessions (for tests and ``/health``).
        local_addresses: also accept the IP literals of this machine's interfaces (a server
            listening on every interface).
    """

    def __init__(
        self,
        app: ASGIApp,
        allowed_hosts: Iterable[str],
        registry: SessionRegistry | None = None,
        local_addresses: bool = False,
    ) -> None:
        self.app = app
        self.registry = registry
        self.allowed = {split_host(h)[0] for h in allowed_hosts}
        self.local_addresses = local_addresses

    def host_allowed(self, name: str) -> bool:
        """Whether ``name`` may be this server's host."""
        return name in self.allowed or (self.local_addresses and is_local_address(name))

    def permits(self, headers: dict[str, str], path: str = "/") -> bool:
        """True when ``Host`` is allowed, ``Origin`` is absent or this same host and port and, for the
        state-changing or costly paths, the browser does not mark the request as another site's."""
        if path in SAME_ORIGIN_PATHS and headers.get("sec-fetch-site", "none") not in SAME_ORIGIN_FETCH:
            return False
        host = headers.get("host")
        if host is None:
            return False
        name, port = split_host(host)
        if not self.host_allowed(name):
            return False
        origin = headers.get("origin")
        if origin is None:
            return True
        parts = urlsplit(origin.strip().lower())
        if parts.scheme not in DEFAULT_PORTS or parts.path not in ("", "/"):
            return False
        try:
            origin_port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError:
            return False
        origin_name = parts.hostname or ""
        served_port = port or DEFAULT_PORTS[parts.scheme]
        return _same_host(origin_name, name) and origin_port == served_port and self.host_allowed(origin_name)

    async def __call__(
        self, scope: Scope, receive: Callable[[], Awaitable[Any]], send: Callable[[Any], Awaitable[None]]
    ) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            if not self.permits(headers, scope.get("path", "/")):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                else:
                    await PlainTextResponse("forbidden host or origin", status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def handle(session: Session, message: Message, datasets: tuple[str, ...]) -> dict[str, Any]:
    """Run one checked message on ``session``; ``ConfigError`` when it cannot be done."""
    if message.type == "config":
        values = message.fields["config"]
        link = message.fields.get("link", False)
        dropped: dict[str, str] = {}
        if link:
            config, dropped = parse_link(values, datasets, session.limits, base=session.config)
        else:
            config = parse_config(values, datasets, session.limits, base=session.config)
        used = [key for key in values if str(key)[:40] not in dropped]
        ready = session.configure(config, given={field_name(key) for key in used})
        if link:  # a link's fields that a fixed network does not use are named like the invalid ones
            dropped.update(session.unused_fields(used, config))
        ready["dropped"] = dropped
        return ready
    if session.config is None:
        raise ConfigError(f"send a config message before {message.type!r}", "order")
    if message.type == "train":
        return session.train_frame()
    if message.type == "reset":
        return session.reset()
    if message.type == "sample":
        return session.select_sample(message.fields["sample"])
    if message.type == "explain":
        return session.explain(message.fields["sample"])
    if message.type == "set_weight":
        return session.set_parameter(message.fields["weight"], message.fields["value"])
    return session.chain(message.fields["weight"])


def create_app(
    file_setup: Setup | None = None,
    initial: VizConfig | None = None,
    limits: Limits | None = None,
    allowed_hosts: Iterable[str] = LOCAL_HOSTS,
    local_addresses: bool = False,
) -> Any:
    """The ASGI application.

    Args:
        file_setup: a network file's setup, offered as dataset ``file``.
        initial: the configuration ``/`` redirects to.
        limits: the caps.
        allowed_hosts: host names accepted in ``Host`` and ``Origin`` headers.
        local_addresses: also accept this machine's own IP addresses (see ``HostOriginGuard``).
    """
    caps = limits or Limits()
    start = initial or VizConfig()
    root = static_root()
    registry = SessionRegistry()

    def with_headers(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    async def index(request: Request) -> Response:
        if not request.url.query:
            return RedirectResponse("/?" + config_query(start), status_code=302)
        return with_headers(FileResponse(root / "index.html", media_type=CONTENT_TYPES[".html"]))

    async def static(request: Request) -> Response:
        path = confined_path(root, request.path_params["path"])
        if path is None:
            return PlainTextResponse("not found", status_code=404)
        return with_headers(FileResponse(path, media_type=CONTENT_TYPES[path.suffix]))

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "sessions": len(registry), "exports": registry.exports})

    exporting: set[int] = set()  # sessions (by id()) whose export is being made
    export_slots = asyncio.Semaphore(MAX_EXPORTS)

    async def export(request: Request) -> Response:
        from stepgrad.web.export import session_html

        session = registry.by_token(request.query_params.get("token", "")[:64])
        if session is None:
            return PlainTextResponse(
                "no such tab: export from the page's own Export button while its tab is open", status_code=403
            )
        if id(session) in exporting:
            return PlainTextResponse("this tab's export is already being made", status_code=429)
        exporting.add(id(session))
        try:
            async with export_slots:
                html = await asyncio.to_thread(session_html, session)
        except StepgradError as error:
            return PlainTextResponse(error.message, status_code=400)
        finally:
            exporting.discard(id(session))
        registry.exports += 1
        response = Response(html, media_type=CONTENT_TYPES[".html"])
        response.headers["Content-Disposition"] = 'attachment; filename="stepgrad-run.html"'
        return with_headers(response)

    async def upload(request: Request) -> Response:
        """A tab's CSV file (the body, at most ``MAX_UPLOAD_BYTES``): checked, then offered as dataset ``upload``."""
        from stepgrad.web.upload import MAX_UPLOAD_BYTES, read_upload

        session = registry.by_token(request.query_params.get("token", "")[:64])
        if session is None:
            return JSONResponse({"message": "no such tab: upload from the page's own file input"}, status_code=403)
        too_large = {"message": f"your CSV: the file is larger than {MAX_UPLOAD_BYTES // 1024} KB"}
        declared = request.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > MAX_UPLOAD_BYTES:
            return JSONResponse(too_large, status_code=413)
        body = b""
        async for chunk in request.stream():  # counted as it arrives: a false Content-Length gains nothing
            body += chunk
            if len(body) > MAX_UPLOAD_BYTES:
                return JSONResponse(too_large, status_code=413)
        try:
            inputs, targets, what = await asyncio.to_thread(read_upload, body, caps)
        except ConfigError as error:
            return JSONResponse({"message": error.message}, status_code=400)
        session.use_upload(inputs, targets)
        return JSONResponse({"message": f"Your CSV: {what}.", "data": "upload"})

    async def websocket(ws: WebSocket) -> None:
        await ws.accept()
        if len(registry) >= caps.max_sessions:
            refusal = (
                f"Too many open tabs: this server runs at most {caps.max_sessions} sessions at once. "
                "Close another stepgrad tab, then try again."
            )
            await ws.send_text(json.dumps({"type": "error", "code": "sessions", "message": refusal}))
            await ws.close(code=1013)
            return
        session_id = uuid.uuid4().hex
        session = Session(caps, file_setup)
        registry.sessions[session_id] = session
        limiter = RateLimiter(caps.messages_per_second)
        rate_error = ConfigError(
            f"too many messages (at most {caps.messages_per_second:g} per second); slow down", "rate"
        )
        last_seq = 0
        warned_rate = False
        try:
            while True:
                raw = await ws.receive()
                if raw["type"] == "websocket.disconnect":
                    break
                text: str | bytes | None = raw.get("text")
                if text is None and raw.get("bytes") is not None:
                    text = raw["bytes"]
                if not limiter.allow():
                    if not warned_rate:
                        # One warning per burst: answering every excess message would amplify a flood.
                        warned_rate = True
                        await ws.send_text(json.dumps(error_message(rate_error)))
                    continue
                warned_rate = False
                seq: int | None = None
                try:
                    checked = parse_message(text, last_seq, caps)
                    last_seq = seq = checked.seq
                    # In a worker thread: the event loop keeps serving other tabs and HTTP meanwhile.
                    reply = await asyncio.to_thread(handle, session, checked, session.datasets())
                except ConfigError as error:
                    reply = error_message(error)
                except StepgradError as error:
                    reply = {"type": "error", "code": "invalid", "message": error.message}
                except (ArithmeticError, ValueError, TypeError, RecursionError) as error:
                    # A value the checks above missed: the tab gets an answer and keeps its session.
                    logger.warning("refused a message: %s", type(error).__name__)
                    reply = {"type": "error", "code": "invalid", "message": "the server could not use that message"}
                if seq is not None:
                    reply["seq"] = seq
                await ws.send_text(json.dumps(reply, allow_nan=False))
        except WebSocketDisconnect:
            pass
        finally:
            registry.sessions.pop(session_id, None)

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/static/{path:path}", static),
            Route("/health", health),
            Route("/export", export),
            Route("/upload", upload, methods=["POST"]),
            WebSocketRoute("/ws", websocket),
        ]
    )
    return HostOriginGuard(app, allowed_hosts, registry, local_addresses)
