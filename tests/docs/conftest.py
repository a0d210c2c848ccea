"""The documentation site, built once per test session (``mkdocs build --strict``) into a temporary folder.

With pytest-xdist every worker asks for the site; the first builds it under a file lock and the others
reuse it, so the suite pays for one build.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import ThreadingHTTPServer

import pytest
from filelock import FileLock

from support.docs_site import DOCS, BuiltSite, QuietHandler, build_site

sys.path.insert(0, str(DOCS))  # the generators, sitegen, as the build's hook imports them


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> BuiltSite:
    """The site, built by the first worker that asks (the others wait for it)."""
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    folder, record = shared / "docs-site", shared / "docs-site.json"
    with FileLock(str(shared / "docs-site.lock")):
        if not record.exists():
            record.write_text(json.dumps(build_site(folder)), encoding="utf-8")
    built = json.loads(record.read_text(encoding="utf-8"))
    return BuiltSite(folder, built["log"], built["seconds"])


@pytest.fixture(scope="session")
def site_url(built_site: BuiltSite) -> Iterator[str]:
    """The built site served on 127.0.0.1 (a port the system picks), for the browser."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(built_site.folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
