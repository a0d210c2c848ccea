"""A session's own run, kept for export: every frame since the last reset, thinned to a size bound.

Frames are kept at a stride: at first every frame; when the bound is reached, every second one
is dropped (the first, frame 0, always stays) and the stride doubles. So a run of any length is
held in a bounded number of evenly spaced frames, and each ``add`` costs O(1) on average: the
frame path does not slow down. The bound is ``MAX_FRAMES`` frames and ``BUDGET_BYTES`` of JSON,
whichever is fewer (at least ``MIN_FRAMES``): a frame of 2-8-8-1 with its heat-maps is about 21 KB
(191 frames), one of six layers of 8 about 56 KB (72 frames). An export is at most about 4 MB,
and so is what a tab holds for it. The current frame is always added when the run is exported, so a replay ends
where the page is.

Settings changed without a reset (learning rate, optimizer, batch size) are kept as ``changes``:
``{"frame": n, "epoch": e, "changes": {"learning_rate": [0.03, 0.3]}}``, at most ``MAX_CHANGES``
(the latest), shown on the replay's timeline.
"""

from __future__ import annotations

import json
from typing import Any

MAX_FRAMES = 200  # frames an export holds at most (the current frame may add one)
MIN_FRAMES = 40  # however large the frames
BUDGET_BYTES = 4_000_000  # JSON of the frames held, about
MAX_CHANGES = 100  # settings changes kept (the latest)


class Recording:
    """The frames and settings changes of one run, since its last reset."""

    def __init__(self, max_frames: int = MAX_FRAMES) -> None:
        self.largest = max_frames
        self.max_frames = max_frames
        self.config: dict[str, Any] = {}
        self.frames: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []
        self.stride = 1

    def start(self, config: dict[str, Any], frame: dict[str, Any]) -> None:
        """A new run: ``config`` as it starts and its first frame (the untrained network)."""
        self.config = dict(config)
        size = len(json.dumps(frame, separators=(",", ":")))  # once per run: the frames' size does not change
        self.max_frames = min(self.largest, max(MIN_FRAMES, BUDGET_BYTES // max(1, size)))
        self.frames = [frame]
        self.changes = []
        self.stride = 1

    def add(self, frame: dict[str, Any]) -> None:
        """Keep ``frame`` when its number falls on the stride; thin out when full."""
        if not self.frames or frame["frame"] % self.stride or frame["frame"] == self.frames[-1]["frame"]:
            return
        self.frames.append(frame)
        if len(self.frames) > self.max_frames:
            self.stride *= 2
            # A new list, assigned at once: an export reading the old one meanwhile sees a whole list.
            self.frames = [f for f in self.frames if f["frame"] % self.stride == 0]

    def note_change(self, frame: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> None:
        """Record the settings that differ between ``before`` and ``after`` at ``frame``."""
        changed = {name: [before[name], value] for name, value in after.items() if before.get(name) != value}
        if not changed or not self.frames:
            return
        self.changes = [*self.changes, {"frame": frame["frame"], "epoch": frame["epoch"], "changes": changed}]
        self.changes = self.changes[-MAX_CHANGES:]
        self.add(frame)  # the replay shows the frame where the change was made

    def run(self, ready: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
        """The replay's data: ``ready`` (with the config the run started with), frames, changes.

        ``current`` (the page's state now) ends the frames unless it is already the last one.
        """
        frames = list(self.frames)
        if not frames or frames[-1]["frame"] != current["frame"]:
            frames.append(current)
        start = {key: value for key, value in ready.items() if key not in ("frame", "export_token")}
        start["config"] = dict(self.config) or ready["config"]
        return {"ready": start, "frames": frames, "changes": list(self.changes), "stride": self.stride}
