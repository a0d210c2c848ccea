"""The server against clients that misbehave at the socket level: idle or slow headers, junk bodies,
huge paths, huge numbers. Raw sockets against a real uvicorn server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from tests.web.conftest import running_server

from stepgrad.web.app import LOCAL_HOSTS, create_app
from stepgrad.web.server import MAX_HEADER_BYTES, bind, timed_protocol

HEADER_TIMEOUT = 1.0  # seconds, shortened for the test (the server's is 10)


@pytest.fixture(scope="module")
def quick_server() -> Iterator[int]:
    """A uvicorn server in a thread with a 1-second header deadline; yields its port."""
    sock = bind("127.0.0.1", 0)
    config = uvicorn.Config(
        create_app(allowed_hosts=LOCAL_HOSTS),
        http=timed_protocol(HEADER_TIMEOUT),
        log_level="warning",
        lifespan="off",
        timeout_keep_alive=1,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield sock.getsockname()[1]
    server.should_exit = True
    thread.join(10)
    sock.close()


def closed_after(conn: socket.socket, limit: float) -> float:
    """Seconds until the server closes ``conn`` (reading and dropping what it sends)."""
    start = time.monotonic()
    conn.settimeout(limit)
    while conn.recv(4096):
        pass
    return time.monotonic() - start


def request(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(data)
        conn.settimeout(5)
        answer = b""
        while chunk := conn.recv(65536):  # until the server closes (keep-alive ends in a second)
            answer += chunk
        return answer


def test_connections_that_never_finish_their_headers_are_closed(quick_server: int) -> None:
    silent = [socket.create_connection(("127.0.0.1", quick_server)) for _ in range(40)]
    partial = [socket.create_connection(("127.0.0.1", quick_server)) for _ in range(40)]
    for conn in partial:
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    try:
        for conn in silent + partial:
            assert closed_after(conn, 5) < 3 * HEADER_TIMEOUT
    finally:
        for conn in silent + partial:
            conn.close()
    assert b'"status":"ok"' in request(quick_server, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")


def test_a_client_dribbling_header_bytes_is_still_closed(quick_server: int) -> None:
    with socket.create_connection(("127.0.0.1", quick_server)) as conn:
        start = time.monotonic()
        conn.sendall(b"GET /health HTTP/1.1\r\n")
        with pytest.raises(OSError):
            while time.monotonic() - start < 6:
                conn.sendall(b"X-A: b\r\n")  # every byte used to cancel uvicorn's only timer
                time.sleep(0.2)
        assert time.monotonic() - start < 3 * HEADER_TIMEOUT


def test_an_idle_keep_alive_connection_is_closed(quick_server: int) -> None:
    with socket.create_connection(("127.0.0.1", quick_server)) as conn:
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert closed_after(conn, 5) < 3.0


def test_headers_growing_past_the_limit_get_400(quick_server: int) -> None:
    answer = request(quick_server, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + b"a" * 40_000)
    assert answer.startswith(b"HTTP/1.1 400")


def test_bad_requests_leave_no_traceback_in_the_log() -> None:
    """Junk chunked bodies, a 5,000-character static path, a 400-digit number over the WebSocket."""
    from websockets.sync.client import connect

    with running_server() as (url, process):
        port = int(url.split(":")[2].split("/")[0])
        host = f"Host: 127.0.0.1:{port}\r\nConnection: close\r\n".encode()
        junk = b"Transfer-Encoding: chunked\r\n\r\nzz\r\njunk\r\n\r\n"
        for method, path in [(b"POST", b"/health"), (b"POST", b"/export"), (b"GET", b"/health"), (b"POST", b"/ws")]:
            answer = request(port, method + b" " + path + b" HTTP/1.1\r\n" + host + junk)
            assert answer.split(b" ")[1] in (b"400", b"403", b"405"), answer[:100]
        answer = request(port, b"GET /static/" + b"a" * 5000 + b".js HTTP/1.1\r\n" + host + b"\r\n")
        assert answer.startswith(b"HTTP/1.1 404"), answer[:100]
        with connect(f"ws://127.0.0.1:{port}/ws", origin=f"http://127.0.0.1:{port}") as ws:  # type: ignore[arg-type]
            ws.send(json.dumps({"type": "config", "seq": 1, "config": {"data": "xor2d"}}))
            assert json.loads(ws.recv())["type"] == "ready"
            ws.send('{"type": "config", "seq": 2, "config": {"seed": ' + "7" * 400 + "}}")
            reply = json.loads(ws.recv())
            assert reply["type"] == "error" and "400 digits" in reply["message"]
            ws.send(json.dumps({"type": "train", "seq": 3}))
            assert json.loads(ws.recv())["frame"] == 1  # the session lives on
        process.terminate()
        _, errors = process.communicate(timeout=10)
    assert "Traceback" not in errors and "Exception" not in errors, errors[:2000]
