"""Derivations: a trace turned into the ordered steps a person works by hand.

``stepgrad.explain`` is this package, and it can be called: ``stepgrad.explain(path_or_setup)``
is ``stepgrad.explain.subject.explain_subject``. (Importing a submodule sets the package as the
attribute ``stepgrad.explain``, so the package itself must be the callable.)

The names below are imported on first use (PEP 562): ``stepgrad train`` needs only
``format_number`` of ``stepgrad.explain.step``, not the derivation.
"""

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stepgrad.explain.derivation import explain, explain_setup
    from stepgrad.explain.step import Derivation, Step, format_number
    from stepgrad.explain.subject import explain_subject

__all__ = ["Derivation", "Step", "explain", "explain_setup", "explain_subject", "format_number"]

_LAZY: dict[str, str] = {
    "explain": "stepgrad.explain.derivation",
    "explain_setup": "stepgrad.explain.derivation",
    "Derivation": "stepgrad.explain.step",
    "Step": "stepgrad.explain.step",
    "format_number": "stepgrad.explain.step",
    "explain_subject": "stepgrad.explain.subject",
}


def __getattr__(name: str) -> Any:
    """A public name of the package, imported from its module when first used."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'stepgrad.explain' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _CallablePackage(ModuleType):
    """The package, callable as ``explain_subject``."""

    def __call__(self, *args: Any, **kwargs: Any) -> "Derivation":
        from stepgrad.explain.subject import explain_subject

        return explain_subject(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
