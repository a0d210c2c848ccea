"""Derivations: a trace turned into the ordered steps a person works by hand.

``stepgrad.explain`` is this package, and it can be called: ``stepgrad.explain(path_or_setup)``
is ``stepgrad.explain.subject.explain_subject``. (Importing a submodule sets the package as the
attribute ``stepgrad.explain``, so the package itself must be the callable.)
"""

import sys
from types import ModuleType
from typing import Any

from stepgrad.explain.derivation import explain, explain_setup
from stepgrad.explain.step import Derivation, Step, format_number
from stepgrad.explain.subject import explain_subject

__all__ = ["Derivation", "Step", "explain", "explain_setup", "explain_subject", "format_number"]


class _CallablePackage(ModuleType):
    """The package, callable as ``explain_subject``."""

    def __call__(self, *args: Any, **kwargs: Any) -> Derivation:
        return explain_subject(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
