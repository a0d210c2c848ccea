"""A short version of the many-tabs soak (the 50 × 30 s run is benchmarks/web_soak.py)."""

from __future__ import annotations

import asyncio

from benchmarks.web_soak import soak
from tests.web.conftest import running_server


def test_ten_training_tabs_for_three_seconds_leave_the_server_responsive_and_clean() -> None:
    with running_server() as (url, process):
        base = url.split("?")[0]
        result = asyncio.run(soak(base, process.pid, sessions=10, seconds=3.0))
    assert len(result.frames) == 10 and min(result.frames) >= 1
    assert result.errors == 0
    assert len(result.health_ms) >= 2  # /health kept answering while every tab trained
    assert result.sessions_after == 0  # every closed tab freed its session
    assert max(result.rss_mb) < result.rss_before_mb + 200  # memory stays bounded
