"""Derivations: a trace turned into the ordered steps a person works by hand.

The function that works a step out is ``stepgrad.explain(path_or_setup)`` (it calls
``stepgrad.derivations.subject.explain_subject``); this package holds the derivation itself
(``derivation.explain`` of a trace), its steps and its notation. The package was called
``stepgrad.explain`` and doubled as that function; it is named apart so each name means one thing.

The names below are imported on first use (PEP 562): ``stepgrad train`` needs only
``format_number`` of ``stepgrad.derivations.step``, not the derivation.
"""

from typing import TYPE_CHECKING

from stepgrad.lazy import lazy_names

if TYPE_CHECKING:
    from stepgrad.derivations.derivation import explain, explain_setup
    from stepgrad.derivations.step import Derivation, Step, format_number
    from stepgrad.derivations.subject import explain_subject

__all__ = ["Derivation", "Step", "explain", "explain_setup", "explain_subject", "format_number"]

_LAZY: dict[str, str] = {
    "explain": "stepgrad.derivations.derivation",
    "explain_setup": "stepgrad.derivations.derivation",
    "Derivation": "stepgrad.derivations.step",
    "Step": "stepgrad.derivations.step",
    "format_number": "stepgrad.derivations.step",
    "explain_subject": "stepgrad.derivations.subject",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
