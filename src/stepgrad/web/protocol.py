"""The WebSocket messages between page and server, and the checks every message passes.

Page → server (JSON objects; ``seq`` counts up by at least one with every message):

* ``{"type": "config", "seq": 1, "config": {...}}``  set up or change the run (first message);
* ``{"type": "train", "seq": n}``    train one frame (up to one epoch) and send it back;
* ``{"type": "reset", "seq": n}``    seeded initial weights again;
* ``{"type": "explain", "seq": n, "sample": 0}``  the derivation of one step (small networks);
* ``{"type": "chain", "seq": n, "weight": "w5"}``  the chain rule of one weight (after explain).

Server → page: ``ready``, ``frame``, ``derivation``, ``chain`` and
``{"type": "error", "code": "invalid"|"too_large"|"order"|"rate"|"cap", "message": "..."}``.
A rejected message changes nothing: the session stays as it was.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stepgrad.web.config import ConfigError, Limits

MESSAGE_TYPES = ("config", "train", "reset", "explain", "chain")


@dataclass(frozen=True)
class Message:
    """A checked message: its type, sequence number and fields."""

    type: str
    seq: int
    fields: dict[str, Any]


def parse_message(text: str | bytes | None, last_seq: int, limits: Limits) -> Message:
    """Check one raw message: size, JSON object, known type, increasing ``seq``, field types.

    Raises:
        ConfigError: with code ``too_large``, ``invalid`` or ``order``.
    """
    if text is None:
        raise ConfigError("messages must be JSON text")
    if len(text) > limits.max_message_bytes:
        raise ConfigError(f"message too large (at most {limits.max_message_bytes} bytes)", "too_large")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise ConfigError("message is not valid JSON") from None
    if not isinstance(data, dict):
        raise ConfigError("message must be a JSON object")
    kind = data.get("type")
    if kind not in MESSAGE_TYPES:
        raise ConfigError(f"unknown message type {str(kind)[:30]!r}")
    seq = data.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise ConfigError("message needs an integer seq")
    if seq <= last_seq:
        raise ConfigError(f"out-of-order message: seq {seq} after {last_seq}", "order")
    fields = {k: v for k, v in data.items() if k not in ("type", "seq")}
    if kind == "config" and not isinstance(fields.get("config"), dict):
        raise ConfigError("a config message needs a config object")
    if kind == "explain":
        sample = fields.get("sample", 0)
        if not isinstance(sample, int) or isinstance(sample, bool):
            raise ConfigError("sample must be an integer")
        fields["sample"] = sample
    if kind == "chain" and not (isinstance(fields.get("weight"), str) and len(fields["weight"]) <= 20):
        raise ConfigError("a chain message needs a weight name")
    return Message(type=kind, seq=seq, fields=fields)


class RateLimiter:
    """A token bucket: ``rate`` messages per second on average, bursts of up to ``rate``.

    Args:
        rate: tokens added per second (and the bucket's size).
        clock: seconds, monotonic (injectable for tests).
    """

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.clock = clock
        self.tokens = rate
        self.last = clock()

    def allow(self) -> bool:
        """Take a token if there is one."""
        now = self.clock()
        self.tokens = min(self.rate, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def error_message(error: ConfigError) -> dict[str, Any]:
    """The ``error`` message the page shows."""
    return {"type": "error", "code": error.code, "message": error.message}
