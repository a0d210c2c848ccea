"""The Starlette application: the page, its static files, the WebSocket, the checks.

* ``/``             the page (``static/index.html``); without a query string it redirects to
                    the URL of the starting configuration, so every page's URL is its setup;
* ``/static/<f>``   files of the package's ``static`` folder only (no ``..``, no links out);
* ``/ws``           one training session per connection, freed when the tab closes;
* ``/export?...``   a self-contained replay page of a run with the query's configuration;
* ``/health``       ``{"status": "ok", "sessions": n}``.

DNS-rebinding protection: every request (HTTP and WebSocket) must name an allowed host in
its ``Host`` header and, when it sends an ``Origin``, come from one of those hosts;
otherwise it is refused with 403 before any route runs.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from stepgrad.errors import StepgradError
from stepgrad.network import Setup
from stepgrad.web.config import ConfigError, Limits, VizConfig, parse_config
from stepgrad.web.protocol import Message, RateLimiter, error_message, parse_message
from stepgrad.web.session import Session

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
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
EXPORT_FRAMES = 120  # frames of a replay page made by /export


def static_root() -> Path:
    """The package's ``static`` folder, found with ``importlib.resources``."""
    return Path(str(resources.files("stepgrad.web") / "static"))


def confined_path(root: Path, requested: str) -> Path | None:
    """The file ``requested`` names inside ``root``, or None when it would leave it or is not served.

    Refused: empty, absolute or backslash paths, ``.``/``..``/empty segments, NUL bytes, files
    whose resolved path (after symbolic links) is outside ``root``, unknown file types.
    """
    if not requested or requested.startswith("/") or "\\" in requested or "\x00" in requested:
        return None
    if any(part in ("", ".", "..") for part in requested.split("/")):
        return None
    base = root.resolve()
    candidate = (base / requested).resolve()
    if not candidate.is_relative_to(base) or not candidate.is_file():
        return None
    if candidate.suffix not in CONTENT_TYPES:
        return None
    return candidate


def _hostname(value: str) -> str:
    """``localhost`` from ``localhost:8000``, ``::1`` from ``[::1]:8000``; lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class SessionRegistry:
    """The open sessions by id; a session is removed when its WebSocket closes."""

    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}

    def __len__(self) -> int:
        return len(self.sessions)


class HostOriginGuard:
    """ASGI middleware refusing requests whose Host or Origin is not an allowed host name."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str], registry: SessionRegistry | None = None) -> None:
        self.app = app
        self.registry = registry  # the application's open sessions (for tests and /health)
        self.allowed = {_hostname(h) for h in allowed_hosts}

    def permits(self, headers: dict[str, str]) -> bool:
        """True when ``Host`` is allowed and ``Origin`` is absent or on an allowed host."""
        host = headers.get("host")
        if host is None or _hostname(host) not in self.allowed:
            return False
        origin = headers.get("origin")
        if origin is None:
            return True
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and (parts.hostname or "") in self.allowed

    async def __call__(
        self, scope: Scope, receive: Callable[[], Awaitable[Any]], send: Callable[[Any], Awaitable[None]]
    ) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            if not self.permits(headers):
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
        config = parse_config(values, datasets, session.limits, base=session.config)
        return session.configure(config, given=set(values))
    if session.config is None:
        raise ConfigError(f"send a config message before {message.type!r}", "order")
    if message.type == "train":
        return session.train_frame()
    if message.type == "reset":
        return session.reset()
    if message.type == "explain":
        return session.explain(message.fields["sample"])
    return session.chain(message.fields["weight"])


def create_app(
    file_setup: Setup | None = None,
    initial: VizConfig | None = None,
    limits: Limits | None = None,
    allowed_hosts: Iterable[str] = LOCAL_HOSTS,
) -> Any:
    """The ASGI application.

    Args:
        file_setup: a network file's setup, offered as dataset ``file``.
        initial: the configuration ``/`` redirects to.
        limits: the caps.
        allowed_hosts: host names accepted in ``Host`` and ``Origin`` headers.
    """
    caps = limits or Limits()
    start = initial or VizConfig()
    root = static_root()
    registry = SessionRegistry()
    datasets = Session(caps, file_setup).datasets()

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
        return JSONResponse({"status": "ok", "sessions": len(registry)})

    async def export(request: Request) -> Response:
        from stepgrad.web.export import export_html

        try:
            config = parse_config(dict(request.query_params), datasets, caps, base=start)
            html = await asyncio.to_thread(export_html, config, EXPORT_FRAMES, caps, file_setup)
        except StepgradError as error:
            return PlainTextResponse(error.message, status_code=400)
        response = Response(html, media_type=CONTENT_TYPES[".html"])
        response.headers["Content-Disposition"] = 'attachment; filename="stepgrad-run.html"'
        return response

    async def websocket(ws: WebSocket) -> None:
        await ws.accept()
        if len(registry) >= caps.max_sessions:
            refusal = f"too many open tabs (at most {caps.max_sessions}); close one and reload"
            await ws.send_text(json.dumps({"type": "error", "code": "cap", "message": refusal}))
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
                    reply = await asyncio.to_thread(handle, session, checked, datasets)
                except ConfigError as error:
                    reply = error_message(error)
                except StepgradError as error:
                    reply = {"type": "error", "code": "invalid", "message": error.message}
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
            WebSocketRoute("/ws", websocket),
        ]
    )
    return HostOriginGuard(app, allowed_hosts, registry)


def config_query(config: VizConfig) -> str:
    """The URL query of ``config`` with the page's short names: ``data=circle&layers=4,2&…``."""
    values = config.to_dict()
    short = {"activation": "act", "optimizer": "opt", "learning_rate": "lr", "batch_size": "batch"}
    pairs = []
    for key, value in values.items():
        text = (
            ",".join(str(v) for v in value)
            if isinstance(value, list)
            else f"{value:g}"
            if isinstance(value, float)
            else str(value)
        )
        pairs.append((short.get(key, key), text))
    return urlencode(pairs, safe=",")
