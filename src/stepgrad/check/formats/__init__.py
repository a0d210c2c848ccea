"""Renderers of a ``CheckReport``: one module per format, registered by name.

Each renderer is ``render_x(report, **options) -> str`` and only formats what the
report holds.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stepgrad.check.report import CheckReport

REPORT_FORMATS: dict[str, str] = {
    "text": "text:render_text",
    "json": "json_format:render_json",
    "markdown": "markdown:render_markdown",
    "html": "html:render_html",
}


def render_report(report: CheckReport, fmt: str = "text", **options: Any) -> str:
    """Render ``report`` in ``fmt`` (a key of ``REPORT_FORMATS``)."""
    module_name, _, function_name = REPORT_FORMATS[fmt].partition(":")
    module = importlib.import_module(f"stepgrad.check.formats.{module_name}")
    text: str = getattr(module, function_name)(report, **options)
    return text
