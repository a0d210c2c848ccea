"""Online SGD compiled for one network's shape: ``plain_sgd``'s written-out lines, compiled by numba.

``stepgrad.training.plain_sgd.update_source(shape, arrays=True)`` writes one line over floats per number of
the derivation (every weight a local variable, no loops over layers or neurons); numba compiles those lines
once per shape (layer sizes, bias modes, activations, loss). For a network as small as the classic 2-2-2
that is close to a hand-unrolled loop, about 10× faster than the general kernel of ``epochs``, which walks
the layers' arrays. The arithmetic is ``plain_sgd``'s, so both agree with the NumPy path (tests: 1e-12).

The source is written to a file in the user's cache directory so that numba caches the machine code beside
it: a new process loads it instead of compiling again (an unwritable cache directory: it compiles in memory).
Importing this module imports numba.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from stepgrad.network.atomic import write_atomic
from stepgrad.training import plain_sgd
from stepgrad.training.compiled import cache_holds
from stepgrad.training.plain_repeat import Advance

Array = NDArray[np.float64]

_HEADER = f"from math import {', '.join(plain_sgd.MATH_NAMES)}\n\n\n"


def cache_directory() -> Path:
    """Where the generated sources (and numba's cache of them) live: ``$XDG_CACHE_HOME/stepgrad/kernels``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stepgrad" / "kernels"


@functools.lru_cache(maxsize=64)
def kernel_for(shape: plain_sgd.Shape) -> Any:
    """The numba dispatcher of ``train(order, x_rows, t_rows, w, b, rate)`` for ``shape`` (not compiled until
    its first call)."""
    source = _HEADER + plain_sgd.update_source(shape, arrays=True)
    name = "stepgrad_shape_" + hashlib.sha256(source.encode()).hexdigest()[:16]
    path = cache_directory() / f"{name}.py"
    try:
        if not path.exists() or path.read_text() != source:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, source)
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # numba's cached code finds its globals by module name
        spec.loader.exec_module(module)
        return numba.njit(cache=True)(module.train)
    except OSError:  # no writable cache directory: compile in memory, every process
        namespace: dict[str, Any] = {}
        exec(compile(source, f"<stepgrad {name}>", "exec"), namespace)
        return numba.njit(namespace["train"])


def is_cached(shape: plain_sgd.Shape) -> bool | None:
    """Whether numba's cache holds the kernel for ``shape`` (None: cannot tell)."""
    return cache_holds(kernel_for(shape))


def is_loaded(shape: plain_sgd.Shape) -> bool:
    """Whether this process has compiled or loaded the kernel for ``shape``."""
    return bool(kernel_for(shape).signatures)


def advance(shape: plain_sgd.Shape, inputs: Sequence[float], targets: Sequence[float], rate: float) -> Advance:
    """``plain_repeat``'s ``advance`` on the kernel for ``shape`` (the steps alone: ``repeat_plain`` measures the
    error at each report)."""
    train = kernel_for(shape)
    x, t = np.array([inputs], dtype=np.float64), np.array([targets], dtype=np.float64)

    def steps(count: int, w: list[float], b: list[float]) -> None:
        w_array, b_array = np.array(w, dtype=np.float64), np.array(b, dtype=np.float64)
        train(np.zeros(count, dtype=np.int64), x, t, w_array, b_array, float(rate))
        w[:], b[:] = w_array.tolist(), b_array.tolist()

    return steps
