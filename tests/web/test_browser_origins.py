"""A foreign page (served on another port) attacks the server; the page's own Export records its run.

In a real headless Chromium: what a browser really sends (``Sec-Fetch-Site``, ``Origin``) decides.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.web.conftest import open_page, screenshot

pytestmark = pytest.mark.browser

ATTACK = """<!doctype html><html><body>
<img id="img" src="{base}export?token={token}">
<iframe name="sink"></iframe>
<form id="post" method="post" action="{base}export?token={token}" target="sink"><input name="a" value="1"></form>
<form id="get" method="get" action="{base}export" target="sink"><input name="token" value="{token}"></form>
<script>
window.results = {{}};
const target = "{base}export?token={token}";
const settle = (key) => [() => results[key] = "answered", () => results[key] = "failed"];
fetch(target, {{mode: "no-cors"}}).then(...settle("fetch"));
fetch(target, {{mode: "no-cors", method: "POST", body: "x"}}).then(...settle("post"));
const ws = new WebSocket("{ws}ws");
ws.onopen = () => {{ results.ws = "open"; ws.send(JSON.stringify({{type: "config", seq: 1, config: {{lr: 10}}}})); }};
ws.onmessage = (e) => {{ results.wsMessage = e.data; }};
ws.onclose = () => {{ results.wsClosed = true; }};
document.getElementById("post").submit();
setTimeout(() => document.getElementById("get").submit(), 300);
</script></body></html>"""


@pytest.fixture()
def foreign_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static web server on another port of this host: a different origin (same site)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", tmp_path
    server.shutdown()


def health(base: str) -> dict:
    with urllib.request.urlopen(base + "health", timeout=10) as response:
        return json.load(response)


@pytest.mark.parametrize("attacker_host", ["127.0.0.1", "localhost"])
def test_a_foreign_page_costs_no_work_and_changes_no_session(  # type: ignore[no-untyped-def]
    browser, page, server_url: str, foreign_site, attacker_host: str
) -> None:
    open_page(page, server_url + "?data=xor2d&layers=4&lr=0.03&seed=5")
    page.click("#step")
    page.wait_for_function("() => window.stepgradStats.framesReceived >= 2")
    token = page.evaluate("() => window.stepgrad.ready().export_token")  # even the right token is refused
    before = health(server_url)
    state = page.evaluate("() => window.stepgrad.frame().frame")
    site, folder = foreign_site
    site = site.replace("127.0.0.1", attacker_host)
    ws_base = server_url.replace("http://", "ws://")
    (folder / "attack.html").write_text(ATTACK.format(base=server_url, ws=ws_base, token=token), encoding="utf-8")
    attacker = browser.new_page()
    attacker.goto(site + "attack.html")
    attacker.wait_for_function(
        "() => results.fetch && results.post && results.wsClosed && document.getElementById('img').complete",
        timeout=15_000,
    )
    attacker.wait_for_timeout(500)  # the GET form's navigation
    results = attacker.evaluate("() => results")
    assert "ws" not in results and "wsMessage" not in results  # the WebSocket never opened
    attacker.close()
    assert health(server_url) == before  # no export made, no session opened
    assert page.evaluate("() => window.stepgrad.frame().frame") == state
    assert page.evaluate("() => window.stepgrad.ready().config.learning_rate") == 0.03
    page.click("#step")  # the tab goes on as before
    page.wait_for_function(f"() => window.stepgrad.frame().frame === {state + 1}")
    assert page.problems == []


def embedded_run(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="run">(.*?)</script>', html, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_export_records_the_tabs_own_run_with_its_changes(browser, page, server_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=circle&layers=4,2&lr=0.03&seed=2")
    page.click("#play")
    page.wait_for_function("() => window.stepgradStats.framesDrawn >= 25", timeout=60_000)
    page.select_option("#lr", "0.3")  # mid-run, without a reset
    page.wait_for_url("**lr=0.3**")
    page.wait_for_function("() => window.stepgradStats.framesReceived >= 60", timeout=60_000)
    page.click("#play")
    page.wait_for_timeout(300)  # the last frames in flight arrive
    last = page.evaluate("() => window.stepgrad.frame()")
    with page.expect_download() as download:
        page.click("#export")
    target = tmp_path / "run.html"
    download.value.save_as(target)
    run = embedded_run(target.read_text(encoding="utf-8"))
    frames = run["frames"]
    assert frames[0]["frame"] == 0 and frames[-1]["frame"] == last["frame"] >= 60
    assert frames[-1]["weights"] == last["weights"] and frames[-1]["loss"] == last["loss"]
    assert run["ready"]["config"]["learning_rate"] == 0.03  # the run started at 0.03 …
    [change] = run["changes"]
    assert change["changes"] == {"learning_rate": [0.03, 0.3]} and 25 <= change["frame"] < last["frame"]
    replay = browser.new_page(viewport={"width": 1400, "height": 900})
    replay.goto(target.as_uri())
    replay.wait_for_selector("body[data-state=ready]")
    assert "learning rate 0.03 → 0.3" in replay.inner_text("#changes")
    mark = replay.locator(".change-mark")
    assert mark.count() == 1
    mark.click()
    shown = int(replay.evaluate("() => document.body.dataset.frame"))
    assert frames[shown]["frame"] >= change["frame"] and frames[shown - 1]["frame"] < change["frame"]
    replay.fill("#position", str(len(frames) - 1))
    replay.dispatch_event("#position", "input")
    assert replay.inner_text("#epoch") == page.inner_text("#epoch")
    assert replay.inner_text("#loss-train") == page.inner_text("#loss-train")
    screenshot(replay, "replay-own-run-with-change")
    replay.close()
    assert page.problems == []
