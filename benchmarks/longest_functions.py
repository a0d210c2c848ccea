"""The longest functions under a source folder (lines per function, nested ones counted apart).

Run: ``python -m benchmarks.longest_functions src/stepgrad/training [N]``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def function_lengths(folder: Path) -> list[tuple[int, str]]:
    """(lines, "file:function") for every function and method under *folder*."""
    lengths: list[tuple[int, str]] = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno:
                lines = node.end_lineno - node.lineno + 1
                lengths.append((lines, f"{path.relative_to(folder)}:{node.name}"))
    return sorted(lengths, reverse=True)


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else Path("src/stepgrad/training")
    count = int(argv[1]) if len(argv) > 1 else 10
    for lines, name in function_lengths(folder)[:count]:
        print(f"{lines:5d}  {name}")


if __name__ == "__main__":
    main(sys.argv[1:])
