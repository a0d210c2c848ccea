"""The report as JSON: every field of ``CheckReport.to_dict``, numbers at full precision."""

from __future__ import annotations

import json
from typing import Any

from stepgrad.check.formats.common import legend, score_line, summary
from stepgrad.check.report import STATUS_MARKS, CheckReport


def render_json(report: CheckReport, **options: Any) -> str:
    """``{"ok", "score", "score_ecf", "summary", "first_wrong", "diagnoses", "values": [{name, status, mark,
    given, expected, …}], "notes", …}``: the fields the other reports show, as data."""
    data = report.to_dict()
    data["summary"], data["score_text"], data["legend"] = summary(report), score_line(report), legend(report)
    for row in data["values"]:
        row["mark"] = STATUS_MARKS[row["status"]]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
