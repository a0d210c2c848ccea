"""The classic example as a page of the site: stepgrad's own HTML derivation (MathML and the diagram)."""

from __future__ import annotations

import stepgrad
from stepgrad.render import render


def classic_page_markdown() -> str:
    """The page: a short introduction, then ``render(…, "html", fragment=True)`` as it is."""
    derivation = stepgrad.explain()
    return "\n".join(
        [
            "# The classic example, worked",
            "",
            "The 2-2-2 logistic network with shared biases, inputs (0.05, 0.10), targets (0.01, 0.99), "
            "η = 0.5: one training step, number by number. This page is what "
            "`stepgrad explain --format html` writes, rendered when the site is built "
            "(`docs/sitegen/classic.py`), so it always matches the code. The same derivation in a "
            "terminal is `stepgrad classic`; [the notebook](notebook.md) does it from Python.",
            "",
            render(derivation, "html", fragment=True),
            "",
        ]
    )
