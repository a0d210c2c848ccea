"""The application over HTTP and WebSocket: static files, Host/Origin checks, sessions, bad messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

import stepgrad
from stepgrad.web.app import confined_path, create_app, is_local_address, split_host, static_root
from stepgrad.web.config import Limits
from stepgrad.web.server import network_address

HOSTS = ("testserver", "127.0.0.1", "localhost")


def client_for(limits: Limits | None = None, local_addresses: bool = False) -> TestClient:
    return TestClient(create_app(limits=limits, allowed_hosts=HOSTS, local_addresses=local_addresses))


class Tab:
    """One page's WebSocket: numbered messages, JSON replies."""

    def __init__(self, ws) -> None:  # type: ignore[no-untyped-def]
        self.ws = ws
        self.seq = 0

    def ask(self, type_: str, **fields: object) -> dict:
        self.seq += 1
        self.ws.send_text(json.dumps({"type": type_, "seq": self.seq, **fields}))
        return json.loads(self.ws.receive_text())

    def raw(self, text: str) -> dict:
        self.ws.send_text(text)
        return json.loads(self.ws.receive_text())


# ---------------------------------------------------------------- static files
def test_static_root_is_the_installed_package_folder() -> None:
    root = static_root()
    assert root == Path(stepgrad.__file__).parent / "web" / "static"
    assert {"index.html", "app.js", "layout.js", "draw.js", "style.css", "replay.html", "replay.js"} <= {
        p.name for p in root.iterdir()
    }


def test_static_files_are_served_with_their_type_and_a_strict_policy() -> None:
    with client_for() as client:
        response = client.get("/static/app.js")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/javascript")
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.text == (static_root() / "app.js").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/..%2fapp.py",
        "/static/%2e%2e%2f%2e%2e%2f__init__.py",
        "/static/%2Fetc%2Fpasswd",
        "/static/..%5capp.py",
        "/static/",
        "/static/nothing.js",
    ],
)
def test_static_paths_cannot_escape_the_folder(path: str) -> None:
    with client_for() as client:
        response = client.get(path)
        assert response.status_code == 404
        assert "import" not in response.text


def test_confined_path_refuses_links_out_and_unknown_types(tmp_path: Path) -> None:
    root = tmp_path / "static"
    root.mkdir()
    (root / "page.html").write_text("ok")
    (tmp_path / "secret.html").write_text("secret")
    (root / "escape.html").symlink_to(tmp_path / "secret.html")
    (root / "notes.txt").write_text("text")
    assert confined_path(root, "page.html") == (root / "page.html").resolve()
    for requested in ("escape.html", "../secret.html", "notes.txt", "/page.html", "page.html\x00.js", "a//page.html"):
        assert confined_path(root, requested) is None, requested


# ---------------------------------------------------------------- Host / Origin
def test_index_redirects_to_the_url_of_the_starting_configuration() -> None:
    with client_for() as client:
        response = client.get("/", follow_redirects=False)
        assert response.status_code == 302
        assert response.headers["location"].startswith("/?data=circle&points=500")
        page = client.get(response.headers["location"])
        assert page.status_code == 200 and "<title>stepgrad" in page.text


@pytest.mark.parametrize(
    "headers",
    [
        {"host": "evil.example"},
        {"host": "evil.example:8000"},
        {"host": "127.0.0.1.evil.example"},
        {"host": "localhost", "origin": "http://evil.example"},
        {"host": "localhost", "origin": "null"},
        {"host": "localhost", "origin": "file://"},
    ],
)
def test_foreign_host_or_origin_is_refused(headers: dict[str, str]) -> None:
    with client_for() as client:
        response = client.get("/static/app.js", headers=headers)
        assert response.status_code == 403


def test_local_host_and_origin_with_ports_are_accepted() -> None:
    with client_for() as client:
        for host, origin in [
            ("127.0.0.1:8123", "http://localhost:8123"),
            ("localhost:8123", "http://127.0.0.1:8123"),
            ("testserver", "http://testserver"),
            ("testserver", "http://testserver:80"),
        ]:
            response = client.get("/health", headers={"host": host, "origin": origin})
            assert response.json() == {"status": "ok", "sessions": 0, "exports": 0}, (host, origin)


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        ("localhost:8123", "http://localhost:9999"),  # another local server's page
        ("127.0.0.1:8123", "http://127.0.0.1:8124"),
        ("localhost:8123", "http://localhost"),  # port 80
        ("testserver", "http://testserver:8080"),
        ("localhost:8123", "http://localhost:99999"),
        ("localhost:8123", "http://localhost:8123/path"),
        ("127.0.0.1:8123", "http://testserver:8123"),  # allowed names, but another host than the page's
    ],
)
def test_an_origin_on_another_port_or_host_is_refused(host: str, origin: str) -> None:
    with client_for() as client:
        assert client.get("/health", headers={"host": host, "origin": origin}).status_code == 403


def test_a_websocket_from_another_port_is_refused() -> None:
    headers = {"host": "localhost:8123", "origin": "http://localhost:9999"}
    with client_for() as client, pytest.raises(WebSocketDisconnect) as caught:  # noqa: SIM117
        with client.websocket_connect("/ws", headers=headers) as ws:
            ws.receive_text()
    assert caught.value.code == 1008


def test_split_host_reads_names_ports_and_brackets() -> None:
    assert split_host("LocalHost:8000") == ("localhost", 8000)
    assert split_host("[::1]:8000") == ("::1", 8000)
    assert split_host("[::1]") == ("::1", None)
    assert split_host("example.org") == ("example.org", None)
    assert split_host("example.org:http") == ("example.org", None)


def test_only_ip_literals_of_this_machine_count_as_local_addresses() -> None:
    assert is_local_address("127.0.0.1") and is_local_address("::1")
    assert not is_local_address("203.0.113.9")  # TEST-NET-3: never this machine's
    assert not is_local_address("0.0.0.0")
    assert not is_local_address("localhost.evil.example")
    assert not is_local_address("example.org")
    address = network_address()
    if address is not None:
        assert is_local_address(address)


def test_a_server_on_every_interface_accepts_its_own_addresses_only() -> None:
    address = network_address() or "127.0.0.2"  # 127.0.0.0/8 is all loopback when there is no network
    with client_for(local_addresses=True) as client:
        assert client.get("/health", headers={"host": f"{address}:8123"}).status_code == 200
        origin = {"host": f"{address}:8123", "origin": f"http://{address}:8123"}
        assert client.get("/health", headers=origin).status_code == 200
        for host in ("203.0.113.9:8123", "evil.example:8123", "0.0.0.0:8123"):
            assert client.get("/health", headers={"host": host}).status_code == 403, host
    with client_for() as client:
        assert client.get("/health", headers={"host": "203.0.113.9:8123"}).status_code == 403


def test_websocket_from_a_foreign_origin_is_refused() -> None:
    with client_for() as client, pytest.raises(WebSocketDisconnect) as caught:  # noqa: SIM117
        with client.websocket_connect("/ws", headers={"origin": "http://evil.example"}) as ws:
            ws.receive_text()
    assert caught.value.code == 1008


# ---------------------------------------------------------------- sessions
def test_a_session_configures_trains_and_is_freed_on_close() -> None:
    app = create_app(allowed_hosts=HOSTS)
    with TestClient(app) as client:
        with client.websocket_connect("/ws") as ws:
            tab = Tab(ws)
            ready = tab.ask("config", config={"data": "circle", "layers": "3"})
            assert ready["type"] == "ready" and ready["network"]["sizes"] == [2, 3, 1]
            assert app.registry is not None and len(app.registry) == 1
            first = tab.ask("train")
            second = tab.ask("train")
            assert (first["type"], first["frame"], second["frame"]) == ("frame", 1, 2)
            assert second["loss"]["train"] < ready["frame"]["loss"]["train"]
        assert client.get("/health").json()["sessions"] == 0


def test_export_gives_the_tabs_own_run_only_to_its_token() -> None:
    with client_for() as client, client.websocket_connect("/ws") as ws:
        tab = Tab(ws)
        ready = tab.ask("config", config={"data": "gauss", "layers": "2", "seed": 4})
        token = ready["export_token"]
        frames = [tab.ask("train") for _ in range(3)]
        response = client.get("/export?token=" + token)
        assert response.status_code == 200
        assert "attachment" in response.headers["content-disposition"]
        assert '"sizes":[2,2,1]' in response.text and '"seed":4' in response.text
        assert token not in response.text  # the replay page cannot export again
        assert f'"updates":{frames[-1]["updates"]}' in response.text
        for wrong in ("", "?token=", "?token=" + token[:-1] + "x", "?data=gauss&layers=2"):
            assert client.get("/export" + wrong).status_code == 403
        assert client.get("/health").json()["exports"] == 1
    assert client.get("/export?token=" + token).status_code == 403  # the tab is closed


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_export_and_websocket_refuse_requests_a_browser_marks_as_foreign(site: str) -> None:
    """``<img src>``, ``fetch(no-cors)`` from another port of this host send ``Sec-Fetch-Site: same-site``."""
    with client_for() as client, client.websocket_connect("/ws") as ws:
        token = Tab(ws).ask("config", config={"data": "gauss"})["export_token"]
        foreign = {"sec-fetch-site": site}
        assert client.get("/export?token=" + token, headers=foreign).status_code == 403
        with pytest.raises(WebSocketDisconnect) as caught:  # noqa: SIM117
            with client.websocket_connect("/ws", headers=foreign) as other:
                other.receive_text()
        assert caught.value.code == 1008
        assert client.get("/health").json() == {"status": "ok", "sessions": 1, "exports": 0}
        own = {"sec-fetch-site": "same-origin"}
        assert client.get("/export?token=" + token, headers=own).status_code == 200
        assert client.get("/?data=circle", headers=foreign).status_code == 200  # a shared link still opens


def test_a_huge_integer_in_a_config_gets_an_error_and_changes_nothing() -> None:
    with client_for() as client, client.websocket_connect("/ws") as ws:
        tab = Tab(ws)
        tab.ask("config", config={"data": "xor2d", "layers": "4", "seed": 3})
        before = tab.ask("train")
        for config in (
            {"seed": int("9" * 400)},
            {"points": -int("9" * 400)},
            {"layers": [2, int("9" * 400)]},
            {"lr": "1" * 400},
            {"batch": 10**20, "lr": 0.5},
        ):
            reply = tab.ask("config", config=config)
            assert reply["type"] == "error", config
            assert "e+" not in reply["message"] and len(reply["message"]) < 200
        reply = tab.ask("config", config={"seed": -(10**399)})
        assert "between 0 and 2147483647; got a number with 400 digits" in reply["message"]
        after = tab.ask("train")
        assert after["frame"] == before["frame"] + 1
        assert tab.ask("config", config={})["config"]["learning_rate"] == 0.3  # the rejected 0.5 never applied


def test_a_five_thousand_character_static_path_is_not_found() -> None:
    with client_for() as client:
        assert client.get("/static/" + "a" * 5000 + ".js").status_code == 404
        assert client.get("/static/" + "a/" * 2000 + "app.js").status_code == 404


def test_messages_before_config_are_out_of_order() -> None:
    with client_for() as client, client.websocket_connect("/ws") as ws:
        reply = Tab(ws).ask("train")
        assert reply["type"] == "error" and reply["code"] == "order"


def _script(tab: Tab) -> list[dict]:
    """The same session steps, for comparing a disturbed session with a clean one."""
    ready = tab.ask("config", config={"data": "xor2d", "layers": "4", "seed": 3})
    ready.pop("export_token")  # each tab's own
    return [ready, *(tab.ask("train") for _ in range(3))]


def test_bad_messages_are_rejected_and_change_nothing_here_or_elsewhere() -> None:
    with client_for() as client:
        with client.websocket_connect("/ws") as clean_ws:
            expected = _script(Tab(clean_ws))
        with client.websocket_connect("/ws") as bad_ws, client.websocket_connect("/ws") as good_ws:
            bad, good = Tab(bad_ws), Tab(good_ws)
            bad.ask("config", config={"data": "xor2d", "layers": "4", "seed": 3})
            before = bad.ask("train")
            replies = [
                bad.raw("{oops"),
                bad.raw(json.dumps({"type": "train", "seq": 1})),  # seq goes backwards
                bad.raw(json.dumps({"type": "train", "seq": 99, "padding": "x" * 50_000})),
                bad.raw(json.dumps({"type": "config", "seq": 100, "config": {"layers": "40"}})),
                bad.raw(json.dumps({"type": "selfdestruct", "seq": 101})),
                bad.raw(json.dumps([1, 2, 3])),
            ]
            assert [r["code"] for r in replies] == ["invalid", "order", "too_large", "cap", "invalid", "invalid"]
            assert "at most 8 neurons" in replies[3]["message"]
            bad.seq = 101
            after = bad.ask("train")
            assert after["frame"] == before["frame"] + 1  # nothing in between changed the session
            assert after["weights"] != before["weights"]
            assert _script(good) == expected


def test_a_deeply_nested_message_gets_an_error_and_the_session_goes_on() -> None:
    with client_for() as client, client.websocket_connect("/ws") as ws:
        tab = Tab(ws)
        ready = tab.ask("config", config={"data": "xor2d", "layers": "4", "seed": 3})
        reply = tab.raw("[" * 5000 + "]" * 5000)  # raised RecursionError in json.loads, closing the socket
        assert reply["type"] == "error" and reply["code"] == "invalid" and "too deeply" in reply["message"]
        frame = tab.ask("train")
        assert frame["type"] == "frame" and frame["frame"] == 1
        assert frame["loss"]["train"] != ready["frame"]["loss"]["train"]


def test_explain_and_chain_over_the_websocket() -> None:
    pytest.importorskip("stepgrad.derivations.derivation")
    with client_for() as client, client.websocket_connect("/ws") as ws:
        tab = Tab(ws)
        tab.ask("config", config={"data": "classic"})
        assert tab.ask("chain", weight="w5")["code"] == "order"
        derivation = tab.ask("explain", sample=0)
        values = {step["name"]: step["value"] for step in derivation["steps"]}
        assert values["out_o1"] == "0.75136507" and values["w5+"] == "0.35891648"
        chain = tab.ask("chain", weight="w5")
        assert chain["type"] == "chain" and chain["steps"][-1]["name"] == "w5+"


def test_too_many_tabs_get_a_clear_message() -> None:
    limits = Limits(max_sessions=2)
    with (
        client_for(limits) as client,
        client.websocket_connect("/ws"),
        client.websocket_connect("/ws"),
        client.websocket_connect("/ws") as third,
    ):
        reply = json.loads(third.receive_text())
        assert reply["code"] == "sessions" and "Too many open tabs" in reply["message"]
        assert "at most 2 sessions" in reply["message"]
        with pytest.raises(WebSocketDisconnect) as caught:
            third.receive_text()
        assert caught.value.code == 1013


def test_message_flood_is_cut_by_the_rate_limit() -> None:
    with client_for(Limits(messages_per_second=5)) as client, client.websocket_connect("/ws") as ws:
        for seq in range(1, 31):
            ws.send_text(json.dumps({"type": "config", "seq": seq, "config": {"points": 20}}))
        replies = []
        # The 5 allowed messages are answered, then one rate warning; the rest are dropped silently.
        for _ in range(6):
            replies.append(json.loads(ws.receive_text()))
        kinds = [r["type"] for r in replies]
        assert kinds.count("ready") >= 5
        assert replies[-1]["code"] == "rate" and "too many messages" in replies[-1]["message"]


def test_a_link_config_drops_only_its_invalid_fields() -> None:
    with client_for() as client, client.websocket_connect("/ws") as ws:
        tab = Tab(ws)
        values = {"data": "xor2d", "layers": "4,30", "noise": "abc", "lr": "0.1"}
        refused = tab.ask("config", config=values)
        assert refused["type"] == "error" and refused["code"] == "cap"  # not from a link: all or nothing
        ready = tab.ask("config", config=values, link=True)
        assert ready["type"] == "ready"
        assert set(ready["dropped"]) == {"layers", "noise"}
        assert ready["config"]["data"] == "xor2d" and ready["config"]["learning_rate"] == 0.1
        assert ready["config"]["layers"] == [4, 2] and ready["config"]["noise"] == 0.1


def test_a_link_to_the_classic_example_keeps_its_learning_rate() -> None:
    with client_for() as client, client.websocket_connect("/ws") as ws:
        ready = Tab(ws).ask("config", config={"data": "classic", "lr": "0.1", "batch": "1"}, link=True)
        assert ready["config"]["learning_rate"] == 0.1 and ready["dropped"] == {}


def test_a_link_names_the_fields_a_fixed_network_does_not_use() -> None:
    with client_for() as client, client.websocket_connect("/ws") as ws:
        tab = Tab(ws)
        link = {"data": "classic", "layers": "4,4", "noise": "0.3", "act": "relu", "lr": "0.1", "batch": "1"}
        ready = tab.ask("config", config=link, link=True)
        assert ready["config"]["layers"] == [2] and ready["config"]["learning_rate"] == 0.1
        assert ready["dropped"] == {
            "layers": "not used with the classic network, which has layers=2",
            "noise": "not used with the classic network, which brings its own samples",
            "act": "not used with the classic network, which has act=sigmoid",
        }
        # The page's URL (from the server) leaves the generated data's fields out, so reloading it
        # names nothing: its layers and activation are the network's own.
        assert ready["query"] == "data=classic&layers=2&act=sigmoid&opt=sgd&lr=0.1&batch=1&seed=1"
        again = tab.ask("config", config=dict(pair.split("=") for pair in ready["query"].split("&")), link=True)
        assert again["dropped"] == {} and again["config"] == ready["config"]
        # A batch larger than the samples is named; a control's change (not a link) is not reported.
        assert tab.ask("config", config={"batch": "10"}, link=True)["dropped"] == {
            "batch": "not used with the classic network, which has batch=1"
        }
        assert tab.ask("config", config={"noise": "0.2"})["dropped"] == {}


def test_a_link_to_generated_data_uses_every_field() -> None:
    with client_for() as client, client.websocket_connect("/ws") as ws:
        link = {"data": "xor2d", "layers": "4,4", "noise": "0.3", "act": "relu", "lr": "0.001", "points": "200"}
        ready = Tab(ws).ask("config", config=link, link=True)
        assert ready["dropped"] == {}
        assert ready["query"] == (
            "data=xor2d&points=200&noise=0.3&split=0.5&layers=4,4&act=relu&opt=sgd&lr=0.001&batch=10&seed=1&features=x1,x2"
        )


def test_choosing_a_sample_over_the_websocket() -> None:
    with client_for() as client, client.websocket_connect("/ws") as ws:
        tab = Tab(ws)
        ready = tab.ask("config", config={"data": "gauss", "layers": "2", "points": 40})
        assert ready["n_train"] == 20
        frame = tab.ask("sample", sample=7)
        assert frame["type"] == "frame" and frame["sample"] == 7
        assert frame["values"][0] == ready["points"]["train"][7][:2]
        assert tab.ask("sample", sample=20)["code"] == "invalid"


def test_exports_are_bounded_per_tab_and_for_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import threading
    import time

    import httpx

    import stepgrad.web.export
    from stepgrad.web.app import MAX_EXPORTS
    from stepgrad.web.session import Session

    running, most = [0], [0]
    lock = threading.Lock()

    def slow_page(session: Session) -> str:  # a worker thread's export, taking its time
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.3)
        with lock:
            running[0] -= 1
        return "<html></html>"

    monkeypatch.setattr(stepgrad.web.export, "session_html", slow_page)
    app = create_app(allowed_hosts=HOSTS)
    tabs = [Session(Limits()) for _ in range(4)]
    for k, tab in enumerate(tabs):
        app.registry.sessions[str(k)] = tab

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            same = [client.get("/export?token=" + tabs[0].export_token) for _ in range(2)]
            others = [client.get("/export?token=" + tab.export_token) for tab in tabs[1:]]
            replies = await asyncio.gather(*same, *others)
        return [reply.status_code for reply in replies]

    codes = asyncio.run(run())
    assert sorted(codes[:2]) == [200, 429]  # one export at a time per tab
    assert codes[2:] == [200, 200, 200] and most[0] == MAX_EXPORTS  # the others wait for a slot
