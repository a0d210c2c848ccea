"""Helpers of the sweep tests: a small XOR sweep spec, free ports, the environment of child processes."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from stepgrad.sweeps import SweepSpec

BIN = Path(sys.executable).parent
SRC = Path(__file__).resolve().parents[2] / "src"


def xor_spec(grid: list[str], per_point: int = 6, chunk_size: int = 1000, epochs: int = 300) -> SweepSpec:
    """``per_point`` 2-2-1 networks per point on XOR, base seed 3 (the sweep tests' CLI runs use ``--seed 3``)."""
    return SweepSpec.on_dataset("xor", (2, 2, 1), grid, per_point, epochs, seed=3, chunk_size=chunk_size)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_env() -> dict[str, str]:
    """This test run's environment with the source under test first on the path (for the workers too)."""
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{path}" if path else str(SRC)}
