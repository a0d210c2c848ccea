"""The report's renderers: a golden Markdown report (checked by eye), HTML, JSON, text, Jupyter."""

from __future__ import annotations

import json

from stepgrad.check import check_answers

ANSWERS = 'net_h1 = 0.3775\nout_h1: 0.5933\n"w5_new" = 0.4411\ndetla_o1 = 1\n'

GOLDEN_TABLE = """\
**2 of 4 values right (1 unknown name); first wrong step: w5+**

| | value | given | expected | difference | note |
|---|---|---|---|---|---|
| ✓ | `net_h1` | 0.3775 | 0.3775 |  | right |
| ✓ | `out_h1` | 0.5933 | 0.593269992 |  | right |
| ✗ | `w5+` | 0.4411 | 0.35891648 | +0.0822 | from your earlier values, w5+ = w5 − η·dE_total/dw5 = 0.358915 |
| ? | `detla_o1` | 1 |  |  | unknown name; did you mean delta_o1, delta_o2, delta_h1? |

## Diagnosis of `w5+`

**Gradient added instead of subtracted in the update.** Gradient descent moves each weight against its gradient: \
w+ = w − η·dE/dw. Adding η·dE/dw moves uphill, so the error after the update is larger than before. The gradient \
itself may be right; only the sign of the step is wrong. Here: w5+ = w5 + η·dE_total/dw5 instead of \
w5 − η·dE_total/dw5. This rule gives 0.441085 from your other values, which matches your w5+ = 0.4411; see the step \
w5+ of the derivation (stepgrad explain).

**Or: Sign flipped in dE/dout: (target − out) instead of (out − target).**"""

# out_h1 was written with 4 decimals, so dE_total/dw5 = delta_o1 · out_h1 (not written) is taken as rounded
# to 4 decimals too: w5+ = 0.40 − 0.5·dE_total/dw5 = 0.358915 from the learner's values.


def report(write):
    return check_answers(write("small.txt", ANSWERS), source="small.txt")


def test_markdown_report_golden(write) -> None:
    markdown = report(write).render("markdown")
    assert markdown.startswith("# Check of small.txt\n\nNetwork: classic example: 2-2-2 sigmoid/sigmoid")
    assert GOLDEN_TABLE in markdown
    assert markdown.rstrip().endswith("`out_o2+`, `E_o1+`, `E_o2+`, `E_total+`")


def test_text_report_fits_80_columns(write) -> None:
    text = report(write).render("text", width=80)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "✗ w5+      0.4411  0.35891648 +0.0822" in text
    assert "2 of 4 values right (1 unknown name); first wrong step: w5+" in text
    assert "╭─ Gradient added instead of subtracted in the update" in text
    assert "╭─ Or: Sign flipped in dE/dout: (target − out) instead of (out − target) ─" in text
    # the note sits under its row, indented, not squeezed into a narrow column
    assert "\n    from your earlier values, w5+ = w5 − η·dE_total/dw5 = 0.358915\n" in text


def test_json_report_round_trips_every_number(write) -> None:
    data = json.loads(report(write).render("json"))
    assert data["score"] == {"right": 2, "checked": 4, "unknown": 1, "coarse": 0}
    w5 = data["values"][2]
    assert (w5["name"], w5["written"], w5["status"]) == ("w5+", "w5_new", "wrong")
    assert abs(w5["expected"] - 0.35891648) < 5e-9  # the published figure
    assert w5["difference"] == w5["given"] - w5["expected"]
    assert abs(w5["difference"] - (0.4411 - 0.35891648)) < 5e-9
    assert data["values"][3]["difference"] is None  # the unknown name has nothing to compare with
    assert data["diagnoses"][0]["mistake"] == "gradient_added"
    assert data["diagnoses"][0]["step"] == "w5+"


def test_jupyter_display_is_an_html_fragment(write) -> None:
    html = report(write)._repr_html_()
    assert html.startswith('<div class="stepgrad-check">') and "<html" not in html
    assert '<tr class="wrong"><td class="mark" title="wrong">✗</td><td><code>w5+</code></td>' in html
    assert "Gradient added instead of subtracted" in html
