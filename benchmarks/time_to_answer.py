"""time-to-answer: whole processes, as a person runs them, from start to exit.

``stepgrad train`` on the classic example (10,000 steps) against the classic text's own kind of
plain-Python script (``benchmarks/classic_script.py``, the same steps and the same figures), and
``stepgrad explain``, ``stepgrad check`` on a small answer file and a small ``--data`` run for
reference. Each command runs ``N`` times in turn with the classic script (A B A B …), each
through a small Python parent that times it (``time.perf_counter``) and reads its peak memory
(``resource.getrusage(RUSAGE_CHILDREN)``), so the figures are the command's own, its start-up,
imports and set-up included. Medians; the ratio is the median of the paired ratios. The commands run with
Python's byte-code cache on (``PYTHONDONTWRITEBYTECODE`` removed from their environment), as an installed
package runs: the warm-up run writes the cache, the timed runs read it.
Goal: ``stepgrad train`` at most 2 × the classic script.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import TaskResult, format_seconds

SCRIPT = Path(__file__).resolve().parent / "classic_script.py"
GOAL = 2.0  # stepgrad train ÷ the classic script
ANSWERS = """net_h1 = 0.3775
out_h1 = 0.5933
out_o1 = 0.7514
"dE_total/dout_o1" = -0.7414
delta_o1 = -0.1385
"w5+" = 0.4411
"""
# The parent: runs the command with its output thrown away, then prints its wall seconds and peak RSS (KiB).
TIMER = (
    "import resource, subprocess, sys, time\n"
    "started = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
    "seconds = time.perf_counter() - started\n"
    "print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
)


@dataclass
class Timing:
    """One command's whole-process runs: wall seconds and peak RSS (MiB) of each."""

    label: str
    command: list[str]
    seconds: list[float]
    peaks: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


# pip compiles an installed package's byte code; a shell that sets PYTHONDONTWRITEBYTECODE would time compiling
CACHED = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def whole_process(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run of ``command``, start-up to exit."""
    done = subprocess.run(
        [sys.executable, "-c", TIMER, *command], cwd=cwd, capture_output=True, text=True, check=True, env=CACHED
    )
    seconds, peak_kib, code = done.stdout.split()
    if code not in ("0", "1"):  # stepgrad check exits with 1 when a value is wrong
        raise RuntimeError(f"{' '.join(command)} exited with {code}")
    return float(seconds), int(peak_kib) / 1024


def stepgrad_command() -> str:
    """The installed ``stepgrad`` next to this Python (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / "stepgrad"
    return str(beside) if beside.exists() else (shutil.which("stepgrad") or "stepgrad")


def run(quick: bool) -> TaskResult:
    runs = 2 if quick else 11
    stepgrad = stepgrad_command()
    with tempfile.TemporaryDirectory(prefix="stepgrad-time-to-answer-") as folder:
        cwd = Path(folder)
        (cwd / "mine.toml").write_text(ANSWERS, encoding="utf-8")
        subprocess.run([stepgrad, "init", "classic.toml"], cwd=cwd, capture_output=True, check=True)
        script = Timing(
            "classic script (plain Python, `python classic_script.py`)", [sys.executable, str(SCRIPT)], [], []
        )
        timings = [
            Timing("`stepgrad train` (classic example, 10,000 steps)", [stepgrad, "train"], [], []),
            Timing(
                "`stepgrad train classic.toml` (the same network read from a file: NumPy imported, informational)",
                [stepgrad, "train", "classic.toml"],
                [],
                [],
            ),
            Timing("`stepgrad explain` (classic example)", [stepgrad, "explain"], [], []),
            Timing("`stepgrad check mine.toml` (6 values)", [stepgrad, "check", "mine.toml"], [], []),
            Timing(
                "`python -c 'import numpy'` (informational: where any NumPy program starts)",
                [sys.executable, "-c", "import numpy"],
                [],
                [],
            ),
            Timing(
                "`stepgrad train --data xor --layers 2,4,1 --epochs 200`",
                [stepgrad, "train", "--data", "xor", "--layers", "2,4,1", "--epochs", "200", "--no-progress"],
                [],
                [],
            ),
        ]
        for timing in [script, *timings]:  # one warm-up each (disk caches, numba's kernel cache)
            whole_process(timing.command, cwd)
        for _ in range(runs):
            for timing in timings:
                for measured in (timing, script):
                    seconds, peak = whole_process(measured.command, cwd)
                    measured.seconds.append(seconds)
                    measured.peaks.append(peak)
    result = TaskResult(
        task="time-to-answer",
        description=(
            f"Whole processes, start-up to exit (median of {runs} runs of each command, each run paired with a run "
            "of the classic script); peak memory from `getrusage(RUSAGE_CHILDREN)`. Goal: `stepgrad train` on the "
            f"classic example ≤ {GOAL:g} × the classic text's own kind of plain-Python script doing the same "
            "10,000 steps."
        ),
    )
    lines = [
        "| command | whole process (median) | ÷ classic script | goal | met | peak memory |",
        "|---|---:|---:|---:|:---:|---:|",
        f"| {script.label} | {format_seconds(script.median)} |  |  |  | {max(script.peaks):.1f} MiB |",
    ]
    ratios = {}
    for number, timing in enumerate(timings):
        # pairs: this command's k-th run with the script run right after it
        paired = script.seconds[number :: len(timings)]
        ratios[timing.label] = statistics.median(a / b for a, b in zip(timing.seconds, paired, strict=True))
        goal = f"≤ {GOAL:g}" if number == 0 else ""
        met = ("yes" if ratios[timing.label] <= GOAL else "**no**") if number == 0 else ""
        lines.append(
            f"| {timing.label} | {format_seconds(timing.median)} | {ratios[timing.label]:.2f} | {goal} | {met} "
            f"| {max(timing.peaks):.1f} MiB |"
        )
    result.table = "\n".join(lines)
    result.notes.append(
        "`stepgrad train` on the classic example runs its steps as plain Python lines over floats "
        "(`stepgrad.training.plain_sgd`) and never imports NumPy (`stepgrad.training.plain_repeat`: the same "
        "figures as the array path, tested line for line); the classic script prints every 1,000 steps and the "
        "final outputs, as `stepgrad train` does, and ends with the same E_total (3.510187783e-05)."
    )
    result.notes.append(
        "The other stepgrad commands import NumPy and click (rich where they draw a table or a bar), none imports "
        "numba or SciPy: `stepgrad train --data` "
        "loads the compiled kernel only when the NumPy path would take longer than loading it (here 200 updates); "
        "a compile on an empty numba cache is announced on stderr and shown in its own summary row, outside `time`."
    )
    result.notes.append(
        "Every command runs with Python's byte-code cache, as an installed package does (pip compiles it; the "
        "warm-up run writes the cache for a source checkout): a shell that sets `PYTHONDONTWRITEBYTECODE` makes "
        "each run compile stepgrad's modules again, which adds to every stepgrad row and not to the one-file script."
    )
    return result
