"""The documentation site for tests/docs: building it once (``mkdocs build --strict``) and serving it locally."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DOCS = ROOT / "docs"


@dataclass(frozen=True)
class BuiltSite:
    """The built site's folder, what ``mkdocs build --strict`` printed, and the build's own time."""

    folder: Path
    log: str
    seconds: float


def build_site(folder: Path) -> dict[str, object]:
    """``mkdocs build --strict`` into ``folder`` with this checkout's source first on the path."""
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), environment.get("PYTHONPATH", "")])
    command = [str(BIN / "mkdocs"), "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(folder)]
    result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    seconds = float(log.rsplit("Documentation built in ", 1)[1].split(" ", 1)[0])
    return {"log": log, "seconds": seconds}


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves a folder without logging each request."""

    def log_message(self, format: str, *args: object) -> None:
        pass
