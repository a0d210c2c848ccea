"""``python -m benchmarks [--quick] [--only TASK …] [--no-readme]``: run the tasks, print and save their tables.

A full run of every task (``make bench``) also writes the tables into the documentation site's
benchmarks page (docs/researcher/benchmarks.md) between ``<!-- BENCH:START -->`` and
``<!-- BENCH:END -->`` (replacing a bare ``<!-- BENCH -->`` placeholder the first time), leaving the
rest of the page as it is. ``--quick`` runs each task once with small sizes to check that everything
works; it never touches the page.
The web benchmarks have their own entry points (``make bench-web``).
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
from pathlib import Path

TASKS = {
    "classic-10k": "benchmarks.classic_10k",
    "digits": "benchmarks.digits",
    "sigmoid-digits": "benchmarks.sigmoid_digits",
    "xor-ensemble": "benchmarks.xor_ensemble",
    "scaling": "benchmarks.scaling",
    "time-to-answer": "benchmarks.time_to_answer",
    "sweep-scaling": "benchmarks.sweep_scaling",
}
ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
README = ROOT.parent / "docs" / "researcher" / "benchmarks.md"  # the page the tables go into
START, END, PLACEHOLDER = "<!-- BENCH:START -->", "<!-- BENCH:END -->", "<!-- BENCH -->"


def with_tables(readme: str, tables: str) -> str:
    """``readme`` with ``tables`` between the BENCH markers (or in place of the placeholder)."""
    block = f"{START}\n{tables.strip()}\n{END}"
    if START in readme and END in readme:
        before, rest = readme.split(START, 1)
        _, after = rest.split(END, 1)
        return before + block + after
    if PLACEHOLDER in readme:
        return readme.replace(PLACEHOLDER, block, 1)
    raise SystemExit(f"{README}: no {START} … {END} markers and no {PLACEHOLDER} placeholder to fill")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="each task once, small sizes (a check, not numbers)")
    parser.add_argument("--only", nargs="+", choices=sorted(TASKS), help="run only these tasks")
    parser.add_argument(
        "--no-readme", action="store_true", help="do not write the tables into docs/researcher/benchmarks.md"
    )
    args = parser.parse_args(argv)

    import numpy as np
    import torch

    from benchmarks.common import match_torch_threads
    from stepgrad.network.files import write_atomic

    threads = match_torch_threads()
    header = (
        f"Python {platform.python_version()}, NumPy {np.__version__}, PyTorch {torch.__version__}; every runner "
        f"computes in float64 (stepgrad, PyTorch, scikit-learn, micrograd and pure Python; a float32 PyTorch row, "
        f"where shown, is for information only). NumPy's BLAS and PyTorch both use {threads} thread(s) "
        f"(`torch.set_num_threads({threads})`); times are the best of several runs "
        f"(ratio = stepgrad's time ÷ the peer's, lower is better){' — --quick run' if args.quick else ''}."
    )
    print(header, flush=True)
    RESULTS.mkdir(exist_ok=True)
    sections = [header, ""]
    started = time.perf_counter()
    for name in args.only or list(TASKS):
        print(f"\nrunning {name} …", file=sys.stderr, flush=True)
        result = importlib.import_module(TASKS[name]).run(args.quick)
        table = result.markdown()
        write_atomic(RESULTS / f"{name}.md", header + "\n\n" + table)
        print("\n" + table, flush=True)
        sections.append(table)
    tables = "\n".join(sections)
    write_atomic(RESULTS / "all.md", tables)
    print(f"total {time.perf_counter() - started:.0f} s; tables written to {RESULTS}/", file=sys.stderr)
    if args.quick or args.only or args.no_readme:
        print(f"{README} left as it is (only a full run of every task updates it)", file=sys.stderr)
    else:
        write_atomic(README, with_tables(README.read_text(encoding="utf-8"), tables))
        print(f"wrote the tables into {README} between {START} and {END}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
