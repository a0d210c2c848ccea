"""Packages whose public names are imported on first use (PEP 562), so a command imports only what it needs.

A package lists ``_LAZY = {"name": "module", …}`` and ends with
``__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)``. A module that needs a heavy library only
inside its functions binds it with ``module_on_first_use`` (``stepgrad.functions.activations``: NumPy).
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


class _ModuleOnFirstUse:
    """Stands in for a module under a global name until an attribute is read: then imports the module, rebinds
    the global to it (later reads of the name find the real module and pay nothing) and answers the read."""

    def __init__(self, module: str, namespace: dict[str, Any], name: str) -> None:
        self._module, self._namespace, self._name = module, namespace, name

    def __getattr__(self, attribute: str) -> Any:
        real = importlib.import_module(self._module)
        self._namespace[self._name] = real
        return getattr(real, attribute)

    def __repr__(self) -> str:
        return f"<{self._module}, imported on first use>"


def module_on_first_use(module: str, namespace: dict[str, Any], name: str) -> Any:
    """A stand-in for ``module`` to bind to the global ``name`` of ``namespace`` (a module's ``globals()``):
    ``np = module_on_first_use("numpy", globals(), "np")`` imports NumPy when ``np.…`` is first read, not when
    the module is imported. For mypy, import the real module under ``if TYPE_CHECKING:`` and bind the stand-in
    in its ``else:``."""
    return _ModuleOnFirstUse(module, namespace, name)
