"""A session's recording: every frame since the reset, thinned to a bound, with its settings changes."""

from __future__ import annotations

import itertools
import json

from stepgrad.web.config import Limits, VizConfig
from stepgrad.web.recording import Recording
from stepgrad.web.session import Session


def test_a_long_run_is_thinned_to_evenly_spaced_frames_within_the_bound() -> None:
    recording = Recording(max_frames=10)
    recording.start({"learning_rate": 0.3}, {"frame": 0})
    for n in range(1, 1001):
        recording.add({"frame": n})
    numbers = [f["frame"] for f in recording.frames]
    assert len(numbers) <= 10 and numbers[0] == 0
    assert len({b - a for a, b in itertools.pairwise(numbers)}) == 1  # evenly spaced
    run = recording.run({"config": {}, "frame": {}, "export_token": "x"}, {"frame": 1000})
    assert run["frames"][-1] == {"frame": 1000} and "export_token" not in run["ready"]


def test_a_session_records_since_its_reset_with_changes_made_mid_run() -> None:
    session = Session(Limits())
    session.configure(VizConfig(data="xor2d", layers=(3,), learning_rate=0.03))
    for _ in range(5):
        session.train_frame()
    session.configure(VizConfig(data="xor2d", layers=(3,), learning_rate=0.3, batch_size=5))
    last = session.train_frame()
    run = session.export_run()
    assert [f["frame"] for f in run["frames"]] == [0, 1, 2, 3, 4, 5, 6]
    assert run["frames"][-1]["weights"] == last["weights"]
    assert run["ready"]["config"]["learning_rate"] == 0.03
    changed = {"learning_rate": [0.03, 0.3], "batch_size": [10, 5]}
    assert run["changes"] == [{"frame": 5, "epoch": run["frames"][5]["epoch"], "changes": changed}]
    session.reset()
    assert [f["frame"] for f in session.export_run()["frames"]] == [0] and session.export_run()["changes"] == []
    session.configure(VizConfig(data="xor2d", layers=(4,)))  # a new network starts a new run
    assert session.export_run()["ready"]["config"]["layers"] == [4]


def test_large_frames_are_held_within_the_byte_budget() -> None:
    from stepgrad.web.recording import BUDGET_BYTES

    session = Session(Limits())
    session.configure(VizConfig(data="circle", layers=(8,) * 6))
    size = len(json.dumps(session.export_run()["frames"][0], separators=(",", ":")))
    assert session.recording.max_frames == BUDGET_BYTES // size < 200
    assert session.recording.max_frames * size <= BUDGET_BYTES
