"""Question sheets, answer templates, the Moodle quiz and grading, on generated exercises."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from stepgrad.check import check_answers, parse_answers
from stepgrad.exercise import Exercise, ExerciseSpec, generate_setup, grade
from support.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

SPEC = ExerciseSpec(layers=(2, 2, 2), bias="per_neuron", train_bias=True)


@pytest.fixture(scope="module")
def exercise() -> Exercise:
    return Exercise(generate_setup(21, SPEC), "Exercise 1 (seed 21)")


def test_template_lists_every_asked_name_once_and_reads_as_no_answers(exercise: Exercise) -> None:
    template = exercise.answers_template()
    names = re.findall(r"^(\S+) =$", template, flags=re.MULTILINE)
    assert names == exercise.asked
    assert "b1+" in names and "dE_total/db1" in names  # trained per-neuron biases are asked
    assert "w1" not in names and "i1" not in names  # given numbers are not
    assert parse_answers(template, "template") == []


def test_each_section_is_asked_once_and_the_sheets_agree_on_the_precision(exercise: Exercise) -> None:
    # the derivation puts each update right after its gradient: the sheet used to alternate
    # "Backward pass" and "Updates" headings 8 times
    template, sheet = exercise.answers_template(), exercise.question_markdown()
    headings = re.findall(r"^# (.+)$", template.split("\n\n", 1)[1], flags=re.MULTILINE)
    assert headings == ["Forward pass", "Errors", "Backward pass", "Updates", "After the update"]
    assert re.findall(r"^\*\*(.+):\*\*", sheet, flags=re.MULTILINE) == headings
    updates = dict(exercise.sections())["Updates"]
    assert updates == [
        name for name in exercise.asked if name.endswith("+") and not name.startswith(("net", "out", "E"))
    ]
    instruction = "Give every value to 4 decimals; carrying your own rounded values forward is fine."
    assert instruction in sheet and instruction in template and instruction in exercise.question_html()


def test_filled_key_checks_as_right(exercise: Exercise) -> None:
    report = check_answers(parse_answers(exercise.key_values(), "key"), exercise.setup)
    assert report.ok and report.score == (len(exercise.asked), len(exercise.asked))


def test_question_sheet_gives_every_number_and_asks_every_value(exercise: Exercise) -> None:
    sheet = exercise.question_markdown()
    setup = exercise.setup
    assert f"| `w1` | {setup.network.layers[0].weights[0, 0]:g} | i1 → h1 |".replace("-", "−") in sheet
    for name in exercise.asked:
        assert f"`{name}`" in sheet
    assert "![the network](network.svg)" in sheet
    html = exercise.question_html()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "</html>" in html


def test_grading_a_class(tmp_path: Path, exercise: Exercise) -> None:
    values = exercise.checker.expected
    right = tmp_path / "ada.txt"
    right.write_text("".join(f"{n} = {values[n]:.4f}\n" for n in exercise.asked))
    # bea adds the gradient to w5 and everything after it follows
    wrong = tmp_path / "bea.txt"
    wrong.write_text(
        "".join(f"{n} = {values[n]:.4f}\n" for n in exercise.asked if not n.startswith(("w5+", "out_o", "E_o")))
        + f"w5+ = {values['w5'] + 0.5 * values['dE_total/dw5']:.4f}\n"
    )
    broken = tmp_path / "cid.txt"
    broken.write_text("net_h1 = oops\n")
    result = grade(exercise.setup, [right, wrong, broken])
    rows = list(csv.DictReader(io.StringIO(result.details_csv())))
    assert [r["learner"] for r in rows] == ["ada", "bea", "cid"]
    asked = len(exercise.asked)
    assert rows[0]["right"] == str(asked) and rows[0]["first_wrong"] == ""
    assert rows[1]["first_wrong"] == "w5+"
    assert rows[1]["diagnosis"].startswith("Gradient added")
    assert "not a number" in rows[2]["problem"] and rows[2]["score"] == ""
    assert result.wrong["w5+"] == 1 and result.wrong["net_h1"] == 0
    markdown = result.to_markdown("Grades")
    assert "| `w5+` | 1 |" in markdown
    assert f"| ada | – | {asked}/{asked} (100%) | – | – | – |" in markdown


def test_the_sheet_style_is_plain_css(exercise: Exercise) -> None:
    # The style used to be half an f-string: "}}" and "{{" reached the page and the table lost its rules.
    css = re.search(r"<style>(.*?)</style>", exercise.question_html()).group(1)
    assert "{{" not in css and "}}" not in css
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    assert "".join(f"{selector}{{{body}}}" for selector, body in rules) == css  # every rule is "selector{...}"
    for selector, body in rules:
        assert all(re.fullmatch(r"[a-z-]+:[^:;]+", declaration) for declaration in body.split(";")), selector
    selectors = {selector for selector, _ in rules}
    assert {"td", "figure svg"} <= selectors


@pytest.mark.browser
def test_chromium_fits_a_wide_diagram_and_rules_the_table(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    wide = Exercise(generate_setup(3, ExerciseSpec(layers=(2, 3, 3, 2))), "Exercise 1 (seed 3)")
    page_file = tmp_path / "questions.html"
    page_file.write_text(wide.question_html(), encoding="utf-8")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.goto(page_file.as_uri())
            layout = page.evaluate(
                """() => {
                    const svg = document.querySelector('figure svg').getBoundingClientRect();
                    const td = getComputedStyle(document.querySelector('td'));
                    return {svgWidth: svg.width, svgRight: svg.right, pageWidth: document.documentElement.scrollWidth,
                            viewport: window.innerWidth, border: td.borderBottomStyle,
                            bodyWidth: document.body.getBoundingClientRect().width};
                }"""
            )
        finally:
            browser.close()
    # the 1030-pixel diagram is scaled into the text column: no horizontal scrolling, nothing clipped
    assert layout["pageWidth"] <= layout["viewport"]
    assert 400 < layout["svgWidth"] <= layout["bodyWidth"] and layout["svgRight"] <= layout["viewport"]
    assert layout["border"] == "solid"
