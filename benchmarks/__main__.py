"""``python -m benchmarks [--quick] [--only TASK …]``: run the tasks, print and save their tables."""

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
    "xor-ensemble": "benchmarks.xor_ensemble",
    "scaling": "benchmarks.scaling",
}
RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and steps (about a minute)")
    parser.add_argument("--only", nargs="+", choices=sorted(TASKS), help="run only these tasks")
    args = parser.parse_args(argv)

    import numpy as np
    import torch

    from benchmarks.common import match_torch_threads

    threads = match_torch_threads()
    header = (
        f"Python {platform.python_version()}, NumPy {np.__version__}, PyTorch {torch.__version__}, "
        f"float64 everywhere; NumPy's BLAS and PyTorch both use {threads} thread(s) "
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
        (RESULTS / f"{name}.md").write_text(header + "\n\n" + table, encoding="utf-8")
        print("\n" + table, flush=True)
        sections.append(table)
    (RESULTS / "all.md").write_text("\n".join(sections), encoding="utf-8")
    print(f"total {time.perf_counter() - started:.0f} s; tables written to {RESULTS}/", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
