"""The WebSocket messages between page and server, and the checks every message passes.

Page → server (JSON objects; ``seq`` counts up by at least one with every message, from 1 to
``MAX_SEQ``):

* ``{"type": "config", "seq": 1, "config": {...}, "link": true}``  set up or change the run (first
  message); with ``link`` (a page's URL) an invalid field is dropped and named, not the whole setup;
* ``{"type": "train", "seq": n}``    train one frame (up to one epoch) and send it back;
* ``{"type": "reset", "seq": n}``    seeded initial weights again;
* ``{"type": "sample", "seq": n, "sample": 3}``  show training sample 3's values in the diagram;
* ``{"type": "explain", "seq": n, "sample": 0}``  the derivation of one step (small networks);
* ``{"type": "chain", "seq": n, "weight": "w5"}``  the chain rule of one weight or bias (after explain);
* ``{"type": "set_weight", "seq": n, "weight": "w5", "value": 0.4}``  give a weight or bias a new value.

Server → page: ``ready``, ``frame``, ``derivation``, ``chain`` and
``{"type": "error", "code": "invalid"|"too_large"|"order"|"rate"|"cap"|"sessions", "message": "..."}``
(``sessions``: too many open tabs; the server then closes the connection with code 1013).
A rejected message changes nothing: the session stays as it was.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stepgrad.web.config import ConfigError, Limits, _number

MESSAGE_TYPES = ("config", "train", "reset", "sample", "explain", "chain", "set_weight")
MAX_WEIGHT = 1000.0  # an edited weight's size at most: far beyond what a page's network learns
MAX_SEQ = 2**53 - 1  # the largest integer a page's JavaScript counts exactly
MAX_SAMPLE = 10**9  # far above any dataset: larger sample numbers are malformed, not out of range
MAX_DEPTH = 8  # arrays and objects inside one another; the page's messages nest 3 deep at most


@dataclass(frozen=True)
class Message:
    """A checked message: its type, sequence number and fields."""

    type: str
    seq: int
    fields: dict[str, Any]


def parse_message(text: str | bytes | None, last_seq: int, limits: Limits) -> Message:
    """Check one raw message: size, JSON object nesting at most ``MAX_DEPTH`` deep, known type,
    increasing ``seq``, field types.

    Raises:
        ConfigError: with code ``too_large``, ``invalid`` or ``order``.
    """
    if text is None:
        raise ConfigError("messages must be JSON text")
    if len(text) > limits.max_message_bytes:
        raise ConfigError(f"message too large (at most {limits.max_message_bytes} bytes)", "too_large")
    too_deep = f"message nests arrays or objects too deeply (at most {MAX_DEPTH} levels)"
    try:
        data = json.loads(text)
    except RecursionError:  # deeper than Python's own limit: "[[[[…]]]]" fits in a few kilobytes
        raise ConfigError(too_deep) from None
    except (ValueError, UnicodeDecodeError):
        raise ConfigError("message is not valid JSON") from None
    # Shallower nests parse, but would still reach code that walks values recursively (repr, error texts).
    if nesting_depth(data) > MAX_DEPTH:
        raise ConfigError(too_deep)
    if not isinstance(data, dict):
        raise ConfigError("message must be a JSON object")
    kind = data.get("type")
    if kind not in MESSAGE_TYPES:
        raise ConfigError(f"unknown message type {str(kind)[:30]!r}")
    seq = data.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise ConfigError("message needs an integer seq")
    if not 1 <= seq <= MAX_SEQ:
        raise ConfigError(f"seq must be between 1 and {MAX_SEQ}")
    if seq <= last_seq:
        raise ConfigError(f"out-of-order message: seq {seq} after {last_seq}", "order")
    fields = {k: v for k, v in data.items() if k not in ("type", "seq")}
    if kind == "config":
        if not isinstance(fields.get("config"), dict):
            raise ConfigError("a config message needs a config object")
        if not isinstance(fields.get("link", False), bool):
            raise ConfigError("link must be true or false")
    if kind in ("explain", "sample"):
        sample = fields.get("sample", 0)
        if not isinstance(sample, int) or isinstance(sample, bool) or not 0 <= sample <= MAX_SAMPLE:
            raise ConfigError("sample must be a whole number from 0")
        fields["sample"] = sample
    if kind in ("chain", "set_weight") and not (isinstance(fields.get("weight"), str) and len(fields["weight"]) <= 20):
        raise ConfigError(f"a {kind} message needs a weight name")
    if kind == "set_weight":
        fields["value"] = _number("a weight", fields.get("value"), -MAX_WEIGHT, MAX_WEIGHT)
    return Message(type=kind, seq=seq, fields=fields)


def nesting_depth(value: Any) -> int:
    """How deeply lists and dicts nest in ``value`` (a scalar 0, ``[]`` 1, ``[[1]]`` 2), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest


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
