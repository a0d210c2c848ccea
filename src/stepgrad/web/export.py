"""A self-contained replay page: a recorded training run that plays without a server.

The page is ``static/replay.html`` with the stylesheet, the diagram's layout and drawing code,
the replay code and the run as JSON (the ``ready`` message and one ``frame`` per recorded point)
put inline: no request leaves the page, so it works from ``file://``, offline, on slides.

Two runs are exported: a tab's own run (``session_html``: what the page showed since its last
reset, thinned as ``stepgrad.web.recording`` describes, with its settings changes), and a run
trained here from a configuration (``export_html``, for ``stepgrad viz --export``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stepgrad.network import Setup
from stepgrad.web.config import Limits, VizConfig
from stepgrad.web.session import Session


def record_run(
    config: VizConfig, frames: int, limits: Limits, file_setup: Setup | None = None, every: int = 2
) -> dict[str, Any]:
    """Train a session and keep ``frames`` frames, one after every ``every`` training frames.

    Returns:
        ``{"ready": …, "frames": [frame 0, frame 1, …, frame frames]}``: frame 0 is the initial
        network, before the ``frames`` recorded ones (the replay page counts them the same way).
    """
    session = Session(limits, file_setup)
    ready = session.configure(config, given=set(config.to_dict()))
    recorded = [ready["frame"]]
    for _ in range(frames):
        for _ in range(every):
            frame = session.train_frame()
        recorded.append(frame)
    ready = {key: value for key, value in ready.items() if key not in ("frame", "export_token")}
    return {"ready": ready, "frames": recorded, "changes": []}


def _inline_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``</script>`` can end it early)."""
    return json.dumps(data, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")


def export_html(
    config: VizConfig, frames: int = 100, limits: Limits | None = None, file_setup: Setup | None = None
) -> str:
    """The replay page of a run with ``config``: the initial network and ``frames`` frames after it."""
    return replay_page(record_run(config, frames, limits or Limits(), file_setup))


def session_html(session: Session) -> str:
    """The replay page of a tab's own run since its last reset (``Session.export_run``)."""
    return replay_page(session.export_run())


def replay_page(run: dict[str, Any]) -> str:
    """``static/replay.html`` with its code, style and ``run`` (``{"ready", "frames", "changes"}``) inline."""
    from stepgrad.web.app import static_root

    root = static_root()
    template = (root / "replay.html").read_text(encoding="utf-8")
    pieces = {
        "/*STYLE*/": (root / "style.css").read_text(encoding="utf-8"),
        "/*LAYOUT*/": (root / "layout.js").read_text(encoding="utf-8"),
        "/*DRAW*/": (root / "draw.js").read_text(encoding="utf-8"),
        "/*REPLAY*/": (root / "replay.js").read_text(encoding="utf-8"),
        "/*RUN*/": _inline_json(run),
    }
    for marker, text in pieces.items():
        template = template.replace(marker, text.replace("</script", "<\\/script"), 1)
    return template


def write_export(path: Path, config: VizConfig, frames: int = 100, file_setup: Setup | None = None) -> int:
    """Write the replay page to ``path`` atomically; returns its size in bytes."""
    from stepgrad.network.files import write_atomic

    html = export_html(config, frames, Limits(), file_setup)
    write_atomic(path, html)
    return len(html.encode("utf-8"))
