"""Derivations: a trace turned into the ordered steps a person works by hand."""

from stepgrad.explain.derivation import explain, explain_setup
from stepgrad.explain.step import Derivation, Step, format_number

__all__ = ["Derivation", "Step", "explain", "explain_setup", "format_number"]
