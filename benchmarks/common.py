"""Timing, thread settings and the Markdown tables every task shares."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def best_time(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """The fastest of ``repeats`` runs in seconds (the least disturbed by other processes), and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def race(runs: list[Callable[[], Any]], repeats: int) -> list[tuple[float, Any]]:
    """``best_time`` of several runners, taking turns round by round, so a burst of load from
    other processes on a shared machine hits them alike rather than one of them."""
    best = [float("inf")] * len(runs)
    results: list[Any] = [None] * len(runs)
    for _ in range(repeats):
        for index, run in enumerate(runs):
            seconds, results[index] = best_time(run, 1)
            best[index] = min(best[index], seconds)
    return list(zip(best, results, strict=True))


def first_call_seconds(setup: str, statement: str) -> tuple[float, float]:
    """How long ``statement``'s first call takes in a new process (after ``setup``, imports included):
    with an empty numba cache, where numba compiles the kernel (once per installation), and in a second
    process that loads the kernel the first one cached (numba's import included in both)."""
    code = f"import time\n{setup}\nstarted = time.perf_counter()\n{statement}\nprint(time.perf_counter() - started)"
    seconds = []
    with tempfile.TemporaryDirectory(prefix="stepgrad-numba-cache-") as cache:
        for _ in range(2):
            done = subprocess.run(
                [sys.executable, "-c", code],
                env={**os.environ, "NUMBA_CACHE_DIR": cache},
                capture_output=True,
                text=True,
                check=True,
            )
            seconds.append(float(done.stdout.split()[-1]))
    return seconds[0], seconds[1]


def compile_note(setup: str, statement: str) -> str:
    """The table note on the numba kernel's one-time compile (see ``first_call_seconds``)."""
    cold, warm = first_call_seconds(setup, statement)
    return (
        f"numba compiles the kernel on its first use: {cold:.1f} s once per installation (an empty cache), "
        f"then {warm:.2f} s in each new process to load it from the cache (numba's import included); "
        "the timed runs follow one warm-up call, so they exclude both."
    )


def blas_threads() -> int:
    """The number of threads NumPy's BLAS uses (threadpoolctl, installed with scikit-learn)."""
    from threadpoolctl import threadpool_info

    counts = [info["num_threads"] for info in threadpool_info() if info.get("user_api") == "blas"]
    return max(counts) if counts else 1


def match_torch_threads() -> int:
    """Give PyTorch the thread count NumPy's BLAS uses, so both multiply with the same cores."""
    import torch

    threads = blas_threads()
    torch.set_num_threads(threads)
    return threads


def format_seconds(seconds: float) -> str:
    """``1.23 s``, ``45.6 ms`` or ``789 µs``."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


@dataclass
class Row:
    """One runner's line of a task table: its time and what it computed (for the check column)."""

    runner: str
    seconds: float
    check: str = ""
    goal: float | None = None  # stepgrad ÷ this runner must be at most this
    stepgrad: bool = False  # a stepgrad variant: the other rows get a ratio column for it
    goal_for: tuple[int, ...] | None = None  # the stepgrad variants (by position) the goal is for; None: all


@dataclass
class TaskResult:
    """A task's rows; the stepgrad rows (``stepgrad=True``, else the first) are compared with every row."""

    task: str
    description: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unit: str = "time"
    table: str | None = None  # a task's own table, in place of the standard one

    def markdown(self) -> str:
        """The task's table: time, ratio stepgrad ÷ runner, goal and whether it is met."""
        lines = [f"### {self.task}", "", self.description, ""]
        if self.table is not None:
            lines.append(self.table)
            lines.extend(["", *(f"- {note}" for note in self.notes)] if self.notes else [])
            return "\n".join(lines) + "\n"
        variants = [row for row in self.rows if row.stepgrad] or self.rows[:1]
        ratio_heads = " | ".join(f"{v.runner.split(' (')[0]} ÷ runner" for v in variants)
        lines += [
            f"| runner | {self.unit} | {ratio_heads} | goal | met | check |",
            "|---|---:|" + "---:|" * len(variants) + "---:|:---:|---|",
        ]
        for row in self.rows:
            ratios = [v.seconds / row.seconds for v in variants]
            goal = f"≤ {row.goal:g}" if row.goal is not None else ""
            met = ""
            if row.goal is not None:
                held = range(len(ratios)) if row.goal_for is None else row.goal_for
                met = " / ".join(
                    ("yes" if r <= row.goal else "**no**") if i in held else "–" for i, r in enumerate(ratios)
                )
            cells = " | ".join("" if row is v else f"{r:.3g}" for r, v in zip(ratios, variants, strict=True))
            lines.append(f"| {row.runner} | {format_seconds(row.seconds)} | {cells} | {goal} | {met} | {row.check} |")
        lines.extend(["", *(f"- {note}" for note in self.notes)] if self.notes else [])
        return "\n".join(lines) + "\n"
