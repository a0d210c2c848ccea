"""Renderers: one module per format, each a function of a ``Derivation``.

``RENDERERS`` maps a format name to ``module:function``; modules are imported
only when their format is used. Every renderer has the signature
``render_x(derivation, precision=9, **options) -> str`` and does no math.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stepgrad.derivations.step import Derivation

RENDERERS: dict[str, str] = {
    "text": "text:render_text",
    "markdown": "markdown:render_markdown",
    "latex": "latex:render_latex",
    "html": "html:render_html",
    "json": "json_format:render_json",
}

FILE_SUFFIXES: dict[str, str] = {"text": ".txt", "markdown": ".md", "latex": ".tex", "html": ".html", "json": ".json"}


def format_names() -> list[str]:
    """The formats a derivation can be rendered in (for CLI choices)."""
    return list(RENDERERS)


def render(derivation: Derivation, fmt: str, precision: int = 9, **options: Any) -> str:
    """Render ``derivation`` in format ``fmt``."""
    module_name, _, function_name = RENDERERS[fmt].partition(":")
    module = importlib.import_module(f"stepgrad.render.{module_name}")
    text: str = getattr(module, function_name)(derivation, precision=precision, **options)
    return text
