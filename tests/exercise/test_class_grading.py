"""A class of 12 variants, a roster and a folder of answer files, graded in one ``stepgrad grade`` run."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest

from support.classroom import lines, sheet, stepgrad, with_slip

VARIANTS = 12


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("course")
    result = stepgrad("exercise", "--seed", "11", "--count", str(VARIANTS), "--out", "class", cwd=base)
    assert result.returncode == 0, result.stderr
    answers = base / "answers"
    answers.mkdir()
    ex = {number: sheet(base, number) for number in range(1, VARIANTS + 1)}
    exact = {number: exercise.checker.expected for number, exercise in ex.items()}
    header = {number: f"# Exercise {number} (seed 11): my answers\n" for number in ex}
    # s01: the key as written; s02: every value rounded to 3 decimals
    (answers / "s01.txt").write_text((base / "class" / "exercise-01" / "key.txt").read_text())
    (answers / "s02.txt").write_text(header[2] + lines(ex[2], exact[2], 3))
    # s03: the learning rate forgotten in w5+ (a common mistake): one value wrong
    forgot = dict(exact[3], **{"w5+": exact[3]["w5"] - exact[3]["dE_total/dw5"]})
    (answers / "s03.txt").write_text(header[3] + lines(ex[3], forgot))
    # s04: a slip in delta_o1, every later value worked from it (error carried forward)
    slipped = with_slip(ex[4], "delta_o1", 2 * exact[4]["delta_o1"])
    (answers / "s04.txt").write_text(header[4] + lines(ex[4], slipped))
    # s05: malformed
    (answers / "s05.json").write_text("{broken")
    # s06: the roster gives exercise 6; the file is exercise 7's key
    (answers / "s06.txt").write_text((base / "class" / "exercise-07" / "key.txt").read_text())
    # s07: in the roster, no file. s08: not in the roster, its header says exercise 8
    (answers / "s08.txt").write_text((base / "class" / "exercise-08" / "key.txt").read_text())
    # s09: two files of one student
    for group in ("a", "b"):
        (answers / group).mkdir()
        (answers / group / "s09.txt").write_text(header[9] + lines(ex[9], exact[9]))
    # s10: a header left over from another class: the roster decides
    (answers / "s10.txt").write_text("# Exercise 10 (seed 999)\n" + lines(ex[10], exact[10]))
    # s11: the blank template
    (answers / "s11.txt").write_text((base / "class" / "exercise-11" / "answers.txt").read_text())
    # s12: the gradient added to w6 instead of subtracted
    added = dict(exact[12], **{"w6+": exact[12]["w6"] + 0.5 * exact[12]["dE_total/dw6"]})
    (answers / "s12.txt").write_text(header[12] + lines(ex[12], added))
    roster = ["student,variant,email,id"]
    roster += [f"s{n:02d},{n},s{n:02d}@uni.example,{1000 + n}" for n in range(1, 13) if n != 8]
    roster += ["s03,5,dup@uni.example,9", ",4,,", "s99,exercise-99,,"]  # bad rows: listed twice, no name, no variant
    (base / "roster.csv").write_text("\n".join(roster) + "\n")
    files = sorted(str(path.relative_to(base)) for path in answers.rglob("*.*"))
    gradebooks = ("--gradebook", "canvas", "--gradebook", "moodle", "--assignment", "Backprop, week 3")
    run = stepgrad("grade", "class", *files, "--roster", "roster.csv", *gradebooks, cwd=base)
    assert run.returncode == 0, run.stderr
    return {"base": base, "run": run, "ex": ex, "exact": exact, "slipped": slipped}


def test_every_score_and_every_blank_row(graded: dict[str, object]) -> None:
    base, ex = Path(str(graded["base"])), graded["ex"]
    assert isinstance(ex, dict)
    asked = len(ex[1].asked)
    assert asked == 54  # 2-2-2: 62 values, 8 of them identities such as dnet_h1/dw1 = i1
    rows = list(csv.DictReader((base / "class" / "grades.csv").open()))
    assert list(rows[0]) == ["Student", "ID", "Email", "Score", "Problem"]
    found = {(row["Student"], row["Problem"][:40]): (row["ID"], row["Score"]) for row in rows}
    assert found == {
        ("s01", ""): ("1001", "100.0"),
        ("s02", ""): ("1002", "100.0"),
        ("s03", ""): ("1003", f"{100 * 53 / 54:.1f}"),
        ("s04", ""): ("1004", f"{100 * 53 / 54:.1f}"),  # ECF: only the slip itself costs a mark
        ("s05", "answers/s05.json: line 1: not valid JSON"): ("1005", ""),
        ("s06", "its header names Exercise 7, the roster "): ("1006", ""),
        ("s07", "no answers file"): ("1007", ""),
        ("s08", ""): ("", "100.0"),  # not in the roster: routed by its header
        ("s09", "s09 has several answer files: answers/a/"): ("", ""),
        ("s10", ""): ("1010", "100.0"),
        ("s11", "answers/s11.txt: nothing answered: every"): ("1011", ""),
        ("s12", ""): ("1012", f"{100 * 53 / 54:.1f}"),
    }
    assert sum(row["Student"] == "s09" for row in rows) == 2  # both files, both blank
    assert all(row["Score"] != "0.0" for row in rows)


def test_ecf_and_strict_credit(graded: dict[str, object]) -> None:
    base, ex, exact, slipped = (graded[key] for key in ("base", "ex", "exact", "slipped"))
    assert isinstance(base, Path) and isinstance(ex, dict) and isinstance(exact, dict) and isinstance(slipped, dict)
    details = {row["learner"]: row for row in csv.DictReader((base / "class" / "details.csv").open())}
    slip = details["s04"]
    changed = [name for name in ex[4].asked if f"{slipped[name]:.4f}" != f"{exact[4][name]:.4f}"]
    assert slip["first_wrong"] == "delta_o1" and "delta_o1" in changed and len(changed) > 20
    assert (slip["right"], slip["right_ecf"]) == (str(54 - len(changed)), "53")
    assert (
        details["s03"]["first_wrong"] == "w5+" and details["s03"]["mistake"] == "Learning rate forgotten in the update"
    )
    assert details["s12"]["first_wrong"] == "w6+" and details["s12"]["mistake"].startswith("Gradient added")
    assert details["s06"]["exercise"] == "" and details["s10"]["exercise"] == "exercise-10"
    strict = stepgrad(
        "grade", "class", "answers/s04.txt", "--roster", "roster.csv", "--credit", "strict", "--out", "strict", cwd=base
    )
    assert strict.returncode == 0, strict.stderr
    row = next(r for r in csv.DictReader((base / "strict" / "grades.csv").open()) if r["Student"] == "s04")
    assert row["Score"] == f"{100 * (54 - len(changed)) / 54:.1f}"


def test_problems_are_one_line_each_and_listed(graded: dict[str, object]) -> None:
    run = graded["run"]
    assert isinstance(run, subprocess.CompletedProcess)
    out = run.stdout.splitlines()
    assert out[:3] == [
        "roster: roster.csv: line 13: s03 is listed twice: this row is left out",
        "roster: roster.csv: line 14: no student name",
        "roster: roster.csv: line 15: s99: no exercise 'exercise-99' in this class",
    ]
    listed = [line for line in out[out.index("not graded (6, blank in grades.csv):") + 1 :] if line.startswith("  ")]
    assert [line.split(":")[0].strip() for line in listed] == ["s09", "s09", "s05", "s06", "s11", "s07"]
    assert "s04: 53/54  first wrong: delta_o1" in "\n".join(out)
    assert "(strict " in next(line for line in out if line.startswith("s04:"))


def test_feedback_and_class_summary(graded: dict[str, object]) -> None:
    base = graded["base"]
    assert isinstance(base, Path)
    feedback = base / "class" / "feedback"
    stems = {path.stem for path in feedback.iterdir()}
    assert stems == {f"s{n:02d}" for n in range(1, 13)} | {"s09_"}  # the second s09 file gets its own page
    assert all((feedback / f"{stem}.html").read_text().startswith("<!DOCTYPE html>") for stem in stems)
    assert "Learning rate forgotten" in (feedback / "s03.md").read_text()
    assert "53/54 (with error carried forward)" in (feedback / "s04.md").read_text()
    assert "Not graded: no answers file" in (feedback / "s07.md").read_text()
    summary = (base / "class" / "grades.md").read_text()
    assert "13 learners (7 graded), 54 values asked; scores are error carried forward." in summary
    assert "| Learning rate forgotten in the update | 1 |" in summary
    assert "## Roster rows left out" in summary
    steps = {row["step"]: row for row in csv.DictReader((base / "class" / "steps.csv").open())}
    assert steps["w5+"]["wrong"] == "1" and steps["w6+"]["wrong"] == "1"  # s03 and s12
    assert steps["delta_o1"]["wrong"] == "1" and steps["w5+"]["follows_from_earlier_error"] == "1"  # s04
    assert steps["w1+"]["wrong"] == "0" and steps["out_h1"]["unanswered"] == "0"
    assert "dnet_h1/dw1" not in steps


def test_a_header_for_another_exercise_or_class_is_not_graded(graded: dict[str, object]) -> None:
    base = graded["base"]
    assert isinstance(base, Path)
    key = (base / "class" / "exercise-02" / "key.txt").read_text()
    (base / "other.txt").write_text(key.replace("(seed 11)", "(seed 12)", 1))
    (base / "two.txt").write_text(key)
    (base / "bare.txt").write_text("\n".join(line for line in key.splitlines() if not line.startswith("#")))
    run = stepgrad("grade", "class/exercise-01", "other.txt", "two.txt", "bare.txt", "--out", "single", cwd=base)
    assert run.returncode == 0, run.stderr
    rows = {
        row["Student"]: (row["Score"], row["Problem"])
        for row in csv.DictReader((base / "single" / "grades.csv").open())
    }
    assert rows["other"] == ("", "its header names seed 12, this class is seed 11")
    assert rows["two"] == ("", "its header names Exercise 2, which this class does not have")
    assert rows["bare"][1] == "" and rows["bare"][0] != ""  # one exercise: a file without a header is for it
    # the whole class: without a header or a roster, a file cannot be routed
    run = stepgrad("grade", "class", "bare.txt", "two.txt", "--out", "whole", cwd=base)
    rows = {
        row["Student"]: (row["Score"], row["Problem"]) for row in csv.DictReader((base / "whole" / "grades.csv").open())
    }
    assert rows == {"bare": ("", "no '# Exercise N (seed S)' header says which exercise it is"), "two": ("100.0", "")}


def test_canvas_gradebook_has_the_layout_canvas_imports(graded: dict[str, object]) -> None:
    """The rules of Canvas's importer (instructure/canvas-lms lib/gradebook_importer.rb): ``Student`` first, ``ID``
    second, the SIS columns, ``Section`` last of the student columns, every later column an assignment; a
    ``Points Possible`` row; rows matched by ID. grades.csv itself would fail: its third column is not Section."""
    base, run = graded["base"], graded["run"]
    assert isinstance(base, Path) and isinstance(run, subprocess.CompletedProcess)
    header, points, *rows = csv.reader((base / "class" / "grades-canvas.csv").open())
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Backprop, week 3"]
    assert points[0].strip() == "Points Possible" and points[1:] == ["", "", "", "", "100"]
    gradebook = {row["Student"]: row for row in csv.DictReader((base / "class" / "grades.csv").open())}
    graded_rows = {name: row for name, row in gradebook.items() if row["Score"]}
    assert [row[0] for row in rows] == list(graded_rows)  # the 6 that could not be graded are left out
    for name, learner_id, sis_user, sis_login, section, score in rows:
        assert (learner_id, score) == (graded_rows[name]["ID"], graded_rows[name]["Score"])
        assert sis_user == sis_login == section == ""
    assert len(rows) == 7 and "wrote grades-canvas.csv (6 of 13 learners left out)" in run.stdout
    assert next(csv.reader((base / "class" / "grades.csv").open()))[2] != "Section"


def test_moodle_gradebook_has_a_user_and_a_score_on_every_row(graded: dict[str, object]) -> None:
    """Moodle's importer (moodle/moodle grade/import/csv/classes/load_data.php) stops the whole import at a row
    whose mapped user field is blank, and imports a blank score as "no grade": neither may be in the file."""
    base = graded["base"]
    assert isinstance(base, Path)
    header, *rows = csv.reader((base / "class" / "grades-moodle.csv").open())
    assert header == ["Email address", "ID number", "Backprop, week 3"]
    gradebook = {row["Email"]: row for row in csv.DictReader((base / "class" / "grades.csv").open()) if row["Email"]}
    assert [row[0] for row in rows] == [email for email, row in gradebook.items() if row["Score"]]
    assert all(email and score == gradebook[email]["Score"] for email, _, score in rows)
    assert len(rows) == 6  # s08 was graded but has no email: it cannot be matched


def test_a_gradebook_not_asked_for_again_is_removed(graded: dict[str, object]) -> None:
    base = graded["base"]
    assert isinstance(base, Path)
    run = stepgrad("grade", "class", "answers/s01.txt", "--gradebook", "canvas", "--out", "again", cwd=base)
    assert run.returncode == 0 and (base / "again" / "grades-canvas.csv").is_file()
    run = stepgrad("grade", "class", "answers/s01.txt", "--out", "again", cwd=base)
    assert run.returncode == 0 and not (base / "again" / "grades-canvas.csv").exists()
