"""The report's renderers: a golden Markdown report (checked by eye), HTML, JSON, text, Jupyter."""

from __future__ import annotations

import json

from stepgrad.check import check_answers

ANSWERS = 'net_h1 = 0.3775\nout_h1: 0.5933\n"w5_new" = 0.4411\ndetla_o1 = 1\n'

GOLDEN_TABLE = """\
**4 values: 2 right, 1 wrong (1 unknown name); first wrong step: w5+**

Score: strict 2/4, with error carried forward 2/4

## Diagnosis of `w5+`

**Gradient added instead of subtracted in the update.** Gradient descent moves each weight against its gradient: \
w+ = w − η·dE/dw. Adding η·dE/dw moves uphill, so the error after the update is larger than before. The gradient \
itself may be right; only the sign of the step is wrong. Here: w5+ = w5 + η·dE_total/dw5 instead of \
w5 − η·dE_total/dw5. This rule gives 0.441085 from your other values, which matches your w5+ = 0.4411; see the step \
w5+ of the derivation (stepgrad explain).

**Or: Sign flipped in dE/dout: (target − out) instead of (out − target).**"""

GOLDEN_VALUES = """\
## Values

| | value | given | expected | difference | note |
|---|---|---|---|---|---|
| ✓ | `net_h1` | 0.3775 | 0.3775 |  | right |
| ✓ | `out_h1` | 0.5933 | 0.593269992 |  | right |
| ✗ | `w5+` | 0.4411 | 0.35891648 | +0.0822 | from your earlier values, w5+ = w5 − η·dE_total/dw5 = 0.358915 |
| ? | `detla_o1` | 1 |  |  | unknown name; did you mean delta_o1, delta_o2, delta_h1? |

Not answered (51): `net_h2`, `out_h2`,"""

# out_h1 was written with 4 decimals, so dE_total/dw5 = delta_o1 · out_h1 (not written) is taken as rounded
# to 4 decimals too: w5+ = 0.40 − 0.5·dE_total/dw5 = 0.358915 from the learner's values.


def report(write):
    return check_answers(write("small.txt", ANSWERS), source="small.txt")


def test_markdown_report_golden(write) -> None:
    markdown = report(write).render("markdown")
    assert markdown.startswith("# Check of small.txt\n\nNetwork: classic example: 2-2-2 sigmoid/sigmoid")
    assert GOLDEN_TABLE in markdown
    assert GOLDEN_VALUES in markdown
    assert markdown.index("## Diagnosis") < markdown.index("## Values")  # the diagnosis leads
    assert "`dnet_" not in markdown  # dnet_o1/dw5 = out_h1: not a value a person is missing
    assert markdown.rstrip().endswith("`out_o2+`, `E_o1+`, `E_o2+`, `E_total+`")


def test_text_report_fits_80_columns(write) -> None:
    text = report(write).render("text", width=80)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "✗ w5+      0.4411  0.35891648 +0.0822" in text
    assert "4 values: 2 right, 1 wrong (1 unknown name); first wrong step: w5+\nScore: strict 2/4" in text
    assert text.index("╭─ Gradient added") < text.index("  value     given")  # the diagnosis leads
    assert "╭─ Gradient added instead of subtracted in the update" in text
    assert "╭─ Or: Sign flipped in dE/dout: (target − out) instead of (out − target) ─" in text
    # the note sits under its row, indented, not squeezed into a narrow column
    assert "\n    from your earlier values, w5+ = w5 − η·dE_total/dw5 = 0.358915\n" in text


def test_json_report_round_trips_every_number(write) -> None:
    data = json.loads(report(write).render("json"))
    assert data["score"] == {"right": 2, "checked": 4, "wrong": 1, "follows": 0, "unknown": 1, "coarse": 0}
    assert data["score_ecf"] == {"right_or_consistent": 2, "checked": 4}
    assert data["summary"] == "4 values: 2 right, 1 wrong (1 unknown name); first wrong step: w5+"
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


# One slip (the sign of dE_total/dout_o1) and two values right from it: the README's example.
SLIP = (
    'net_h1 = 0.3775\nout_h1 = 0.5933\nout_o1 = 0.7514\n"dE_total/dout_o1" = -0.7414\ndelta_o1 = -0.1385\n'
    '"w5+" = 0.4411\n'
)
LEGEND = "↳ follows from an earlier error: right from your own earlier values"


def slip(write):
    return check_answers(write("slip.toml", SLIP), source="slip.toml")


def test_values_that_follow_from_an_earlier_error_are_counted_apart(write) -> None:
    report = slip(write)
    assert [check.status for check in report.values] == ["right"] * 3 + ["wrong", "follows", "follows"]
    assert report.score == (3, 6)  # strict
    assert report.score_ecf == (5, 6)  # with error carried forward: the two that follow count
    assert report.first_wrong == "dE_total/dout_o1"


def test_text_report_marks_what_follows_and_gives_both_scores(write) -> None:
    text = slip(write).render("text", width=80)
    lines = text.splitlines()
    assert lines[2:4] == [
        "6 values: 3 right, 1 wrong, 2 follow from it; first wrong step: dE_total/dout_o1",
        "Score: strict 3/6, with error carried forward 5/6",
    ]
    assert lines[4].startswith("╭─ Sign flipped in dE/dout")
    assert "✗ dE_total/dout_o1 −0.7414  0.74136507  −1.483" in lines
    assert "↳ delta_o1         −0.1385 0.138498562  −0.277" in lines
    assert "↳ w5+               0.4411  0.35891648 +0.0822" in lines
    assert sum(line.startswith("✗") for line in lines) == 1
    assert lines[-2:] == [LEGEND, "Not answered (48): net_h2, out_h2, net_o1, net_o2, out_o2, E_o1, E_o2, E_total,…"]


def test_markdown_and_html_reports_mark_what_follows_and_give_both_scores(write) -> None:
    report = slip(write)
    markdown = report.render("markdown")
    assert "**6 values: 3 right, 1 wrong, 2 follow from it; first wrong step: dE_total/dout_o1**" in markdown
    assert "\nScore: strict 3/6, with error carried forward 5/6\n" in markdown
    assert "| ↳ | `delta_o1` | −0.1385 | 0.138498562 | −0.277 | follows from your earlier error" in markdown
    assert f"\n{LEGEND}\n" in markdown
    html = report.render("html")
    assert '<tr class="follows"><td class="mark" title="follows from your earlier error">↳</td>' in html
    assert '<p class="score">Score: strict 3/6, with error carried forward 5/6</p>' in html
    assert f'<p class="legend">{LEGEND}</p>' in html
    assert html.index('<div class="diagnosis">') < html.index("<table>")  # the diagnosis leads


def test_json_report_has_the_same_fields(write) -> None:
    data = json.loads(slip(write).render("json"))
    assert data["score"] == {"right": 3, "checked": 6, "wrong": 1, "follows": 2, "unknown": 0, "coarse": 0}
    assert data["score_ecf"] == {"right_or_consistent": 5, "checked": 6}
    assert data["score_text"] == "Score: strict 3/6, with error carried forward 5/6"
    assert data["legend"] == LEGEND
    assert [value["mark"] for value in data["values"]] == ["✓", "✓", "✓", "✗", "↳", "↳"]
    assert len(data["missing"]) == 48 and not any(name.startswith("dnet_") for name in data["missing"])


def test_a_report_without_an_earlier_error_has_no_legend(write) -> None:
    report = check_answers(write("ok.txt", "net_h1 = 0.3775\nout_h1 = 0.5933\n"))
    text = report.render("text")
    assert "↳" not in text and "2 values: 2 right; everything you wrote is right" in text
    assert "Score: strict 2/2, with error carried forward 2/2" in text
    assert json.loads(report.render("json"))["legend"] == ""


def test_how_the_answers_were_read_is_a_note_in_every_report(write) -> None:
    path = write("notes.txt", "Forward pass\nnet_h1 = 0.15*0.05 + 0.2*0.1 + 0.35 = 0.3775\n")
    report = check_answers(path, source="notes.txt")
    assert report.notes == (
        "skipped 1 line of notes (line 1)",
        "line 2: net_h1 = 0.15*0.05 + 0.2*0.1 + 0.35 = 0.3775: read the last number",
    )
    assert report.ok  # a note, not an error
    text = report.render("text", width=120)
    assert "\nNote: skipped 1 line of notes (line 1)\n" in text
    assert "\n_Note: skipped 1 line of notes (line 1)_\n" in report.render("markdown")
    assert '<p class="reading">Note: skipped 1 line of notes (line 1)</p>' in report.render("html")
