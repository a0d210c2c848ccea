"""The report as JSON: every field of ``CheckReport.to_dict``, numbers at full precision."""

from __future__ import annotations

import json
from typing import Any

from stepgrad.check.report import CheckReport


def render_json(report: CheckReport, **options: Any) -> str:
    """``{"ok", "score", "first_wrong", "diagnoses", "values": [{name, status, given, expected, …}], …}``."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
