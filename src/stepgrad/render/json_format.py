"""The derivation as JSON: every named value at full float64 precision, and the steps.

``{"values": {name: number}, "steps": [{name, section, title, formula, substituted, value}],
"network": {...network file fields...}, "learning_rate": η, "notes": [...]}``.
Numbers are written with Python's shortest round-trip repr, so they read back exactly.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from stepgrad.network.files import network_to_dict

if TYPE_CHECKING:
    from stepgrad.derivations.step import Derivation


def derivation_document(derivation: Derivation, precision: int = 9) -> dict[str, Any]:
    """The JSON document as a dict."""
    trace = derivation.trace
    return {
        "title": derivation.title,
        "notes": list(derivation.notes),
        "sample": derivation.sample,
        "learning_rate": trace.learning_rate,
        "hidden_deltas_from": trace.hidden_deltas_from,
        "network": network_to_dict(trace.network),
        "values": dict(derivation.values),
        "steps": [
            {
                "name": step.name,
                "section": step.section,
                "title": step.title,
                "formula": step.formula,
                "formula_latex": step.formula_latex,
                "substituted": step.substituted(precision),
                "substituted_latex": step.substituted_latex(precision),
                "value": step.value,
                "involves": list(step.involves),
                "note": step.note,
            }
            for step in derivation.steps
        ],
    }


def render_json(derivation: Derivation, precision: int = 9) -> str:
    """The derivation as indented JSON text (non-finite numbers as null)."""
    document = derivation_document(derivation, precision)
    return json.dumps(_finite(document), indent=2, ensure_ascii=False) + "\n"


def _finite(value: Any) -> Any:
    if (isinstance(value, float) and value != value) or value in (float("inf"), float("-inf")):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value
