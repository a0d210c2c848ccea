"""What every command checks before it writes a file: never over one of its own inputs.

``stepgrad explain net.json -o net.json`` would replace the network it reads with its
derivation. Two paths are the same file when they resolve to the same place (``./x`` and
``x``, a symbolic link and its target) or name the same inode (a hard link).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from stepgrad.errors import StepgradError


def same_file(first: str | os.PathLike[str], second: str | os.PathLike[str]) -> bool:
    """Whether ``first`` and ``second`` name one file (resolved paths, or one inode)."""
    if os.path.realpath(first) == os.path.realpath(second):
        return True
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist (yet)
        return False


def refuse_inputs(output: str | os.PathLike[str] | None, inputs: Iterable[tuple[str, str | None]]) -> None:
    """Raise ``StepgradError`` naming ``output`` when it is one of ``inputs``: (what it is, path) pairs,
    such as ``("the training data (--data d.csv)", "d.csv")``.

    ``-`` (standard input) and devices (``/dev/stdout``) are never the same as a file written.
    """
    if output is None or str(output) == "-" or (Path(output).exists() and not Path(output).is_file()):
        return
    for role, path in inputs:
        if path is None or path == "-" or not Path(path).is_file():
            continue
        if same_file(output, path):
            raise StepgradError(f"is {role}; writing there would replace it", str(output))
