"""Packages whose public names are imported on first use (PEP 562), so a command imports only what it needs.

A package lists ``_LAZY = {"name": "module", …}`` and ends with
``__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_names(
    package: str, where: Mapping[str, str], public: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``: ``name`` is imported from ``where[name]`` when first
    used and then kept in the package (later uses are plain attribute reads)."""
    names = sorted(set(public) | set(where))

    def attribute(name: str) -> Any:
        if name in where:
            value = getattr(importlib.import_module(where[name]), name)
            setattr(sys.modules[package], name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def listing() -> list[str]:
        return sorted({*vars(sys.modules[package]), *names})

    return attribute, listing
