"""Reading answer files in every format, and the one-line errors for unusable ones."""

from __future__ import annotations

import pytest

from stepgrad.check.answers import answers_from_mapping, parse_answers, read_answers, reading_notes
from stepgrad.check.names import NameIndex, name_key
from stepgrad.core import train_step
from stepgrad.errors import StepgradError
from stepgrad.network import classic_setup


def test_decimals_follow_the_written_text() -> None:
    answers = parse_answers("a = 0.5933\nb: 8.2167e-2\nc = 1\nd = −0.25\ne = .5\n", "f")
    assert [(a.written, a.value, a.decimals) for a in answers] == [
        ("a", 0.5933, 4),
        ("b", 0.082167, 6),
        ("c", 1.0, 0),
        ("d", -0.25, 2),
        ("e", 0.5, 1),
    ]
    assert answers[0].half_unit == pytest.approx(0.00005)


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".toml", 'out_h1 = 0.5933\n"w5+" = 0.3589\n"dE_total/dw5" = 0.0822\n'),
        (".json", '{"out_h1": 0.5933, "w5+": "0.3589", "dE_total/dw5": 0.0822}'),
        (".csv", "name,value\nout_h1,0.5933\nw5+,0.3589\ndE_total/dw5,0.0822\n"),
        (".txt", "out_h1 = 0.5933\nw5+: 0.3589   # after the update\ndE_total/dw5 = 0.0822\n"),
        (".toml", "out_h1 = 0.5933\nw5+ = 0.3589\ndE_total/dw5 = 0.0822\n"),  # not TOML: read as lines
    ],
)
def test_every_format_reads_the_same_answers(tmp_path, suffix: str, text: str) -> None:
    path = tmp_path / f"answers{suffix}"
    path.write_text(text)
    answers = read_answers(path)
    assert [(a.written, a.text, a.decimals) for a in answers] == [
        ("out_h1", "0.5933", 4),
        ("w5+", "0.3589", 4),
        ("dE_total/dw5", "0.0822", 4),
    ]


def test_a_name_with_a_prime_is_not_an_unclosed_quote() -> None:
    assert [answer.written for answer in parse_answers('w5\' = 0.3589\n"w6+" = 0.4087\n')] == ["w5'", "w6+"]


def test_blank_values_are_unanswered() -> None:
    assert parse_answers("out_h1 =\nw5+ = 0.3589\n# comment\n\n", "f")[0].written == "w5+"
    assert parse_answers('{"out_h1": null, "w1+": ""}', "f", "json") == []


@pytest.mark.parametrize(
    ("suffix", "text", "message"),
    [
        (".txt", "out_h1 = 0.59\nout_h1 = 0.6\n", "answers.txt: line 2: out_h1 is given twice"),
        (".json", '{"w5+": 0.35, "w5+": 0.36}', "answers.json: line 1: w5+ is given twice"),
        (".json", '{\n"w5+": 0.35,\n"out_h1": 0.5,\n"w5+": 0.36}', "answers.json: line 4: w5+ is given twice"),
        (".txt", "out_h1 = about 0.6\n", "answers.txt: line 1: the value of out_h1 is not a number: 'about 0.6'"),
        (
            ".txt",
            "out_h1 = 0.5\nw5+ = 1e999\n",
            "answers.txt: line 2: the value of w5+ is not a finite number: '1e999'",
        ),
        (".txt", "out_h1 = inf\n", "answers.txt: line 1: the value of out_h1 is not a finite number: 'inf'"),
        (".toml", "out_h1 = inf\n", "answers.toml: line 1: the value of out_h1 is not a finite number: 'inf'"),
        (".toml", "out_h1 = 1e400\n", "answers.toml: line 1: the value of out_h1 is not a finite number: '1e400'"),
        (".json", '{"out_h1": 1e999}', "answers.json: line 1: the value of out_h1 is not a finite number: '1e999'"),
        (".csv", "out_h1,about 0.6\n", "answers.csv: line 1: the value of out_h1 is not a number: 'about 0.6'"),
        (".csv", ",0.59\n", "answers.csv: line 1: a value without a name"),
        (".json", '{"out_h1": 0.59,', "answers.json: line 1: not valid JSON: Expecting property name enclosed"),
        (".txt", "= 0.5933\n", "answers.txt: line 1: a value without a name"),
        (".txt", "out_h1 = 0.59.3\n", "answers.txt: line 1: the value of out_h1 is not a number: '0.59.3'"),
        (".json", '{"out_h1": NaN}', "answers.json: line 1: the value of out_h1 is not a finite number: 'NaN'"),
        (".json", '{"out_h1": Infinity}', "answers.json: line 1: the value of out_h1 is not a finite number"),
        # the line of the key itself, not the first line that mentions the name (a comment, a longer name)
        (
            ".toml",
            '# w1 is given, not asked\n"dE_total/dw1" = 0.0004\nw1 = "x"\n',
            "answers.toml: line 3: the value of w1",
        ),
        (
            ".json",
            '{\n  "dE_total/dw1": 0.0004,\n  "w1+": 0.1498,\n  "w1": "abc"\n}',
            "answers.json: line 4: the value of w1",
        ),
        (
            ".toml",
            '[answers]\nout_h1 = 0.5933\n"w5+" = true\n',
            "answers.toml: line 3: the value of w5+ is not a number",
        ),
        (".csv", "name;value;notes\nout_h1;0,59,3;x\n", "answers.csv: line 2: the value of out_h1 is not a number"),
        (".toml", "out_h1 = 0.5933\n[extra]\nw5 = 1\n", "answers.toml: line 2: the value of extra is not a number"),
        # a JSON report fed back in: one line, no traceback
        (".json", '{"values": [{"name": "out_h1", "given": 0.5}]}', "answers.json: line 1: the value of values"),
        (".toml", 'w = "x"\n[[w]]\n', "answers.toml: line 2: not valid TOML"),
        # an unclosed quote is not read by the plain-lines fallback (it used to drop the quote silently)
        (
            ".toml",
            'out_h1 = 0.5933\n"w5+ = 0.3589\nnet_h1 = 0.3775\n',
            "answers.toml: line 2: not valid TOML: an unclosed quote in '\"w5+ = 0.3589'",
        ),
        (".toml", 'out_h1 = "0.5933\n', "answers.toml: line 1: not valid TOML: an unclosed quote"),
        (".txt", '"w5+ = 0.3589\n', "answers.txt: line 1: an unclosed quote"),
        (".toml", "out_h1 = 0.5933\n[a\n", "answers.toml: line 2: not valid TOML: Expected ']'"),
        # a network file where the answers belong
        (
            ".toml",
            "inputs = [0.05, 0.1]\ntargets = [0.01, 0.99]\n[[layer]]\nweights = [[0.1, 0.2]]\n",
            "answers.toml: this is a network file, not an answer file: give the network first",
        ),
        (".json", '{"inputs": [0.05], "layers": []}', "answers.json: this is a network file, not an answer file"),
    ],
)
def test_unusable_files_give_one_clear_line(tmp_path, suffix: str, text: str, message: str) -> None:
    path = tmp_path / f"answers{suffix}"
    path.write_text(text)
    with pytest.raises(StepgradError) as caught:
        read_answers(path)
    line = str(caught.value)
    assert "\n" not in line
    assert message in line


@pytest.mark.parametrize(
    ("text", "suffix"),
    [
        ("name,value\nout_h1,0.5933\nw5+,0.3589\n", ".csv"),
        ("step,value\nout_h1,0.5933\nw5+,0.3589\n", ".csv"),
        ("quantity;answer\nout_h1;0,5933\nw5+;0,3589\n", ".csv"),  # a spreadsheet with decimal commas
        ("variable,answer\nout_h1,0.5933\nw5+,0.3589\n", ".csv"),
        ("out_h1,0.5933\nw5+,0.3589\n", ".csv"),  # no header
        ("out_h1;0.5933\nw5+;0.3589\n", ".txt"),  # detected by content
        ("out_h1\t0.5933\nw5+\t0.3589\n", ".tsv"),
    ],
)
def test_csv_delimiters_and_headers(tmp_path, text: str, suffix: str) -> None:
    path = tmp_path / f"answers{suffix}"
    path.write_text(text)
    assert [(a.written, a.value, a.decimals) for a in read_answers(path)] == [("out_h1", 0.5933, 4), ("w5+", 0.3589, 4)]


def test_a_dict_of_answers_reads_like_a_file() -> None:
    answers = answers_from_mapping({"out_h1": 0.5933, "w5+": "0.35890", "E_total": 1, "blank": None})
    assert [(a.written, a.value, a.decimals, a.significant) for a in answers] == [
        ("out_h1", 0.5933, 4, 4),
        ("w5+", 0.3589, 5, 5),
        ("E_total", 1.0, 0, 1),
    ]
    with pytest.raises(StepgradError, match="the value of w5\\+ is not a number: True"):
        answers_from_mapping({"w5+": True})


@pytest.mark.parametrize(
    ("text", "significant", "decimals"),
    [
        ("0", 0, 0),
        ("1", 1, 0),
        ("0.36", 2, 2),
        ("0.359", 3, 3),
        ("0.0004", 1, 4),
        ("0.000", 0, 3),
        ("1.10", 3, 2),
        ("−0.0171", 3, 4),
        ("8.2e-2", 2, 3),
        ("8.2e-5", 2, 6),
        ("8.217e-2", 4, 5),
        ("123", 3, 0),
        ("0.0000", 0, 4),
    ],
)
def test_significant_digits_and_decimals_as_written(text: str, significant: int, decimals: int) -> None:
    (answer,) = parse_answers(f"x = {text}\n")
    assert (answer.significant, answer.decimals) == (significant, decimals)
    assert answer.half_unit == pytest.approx(0.5 * 10.0**-decimals)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("w5_new", "w5+"),
        ("w5'", "w5+"),
        ("new_w5", "w5+"),
        ("W5 new", "w5+"),
        ("dEtotal/dw5", "dE_total/dw5"),
        ("dE/dw5", "dE_total/dw5"),
        ("∂E_total/∂w5", "dE_total/dw5"),
        ("Etotal", "E_total"),
        ("E_total_after", "E_total+"),
        ("E_total'", "E_total+"),
        ("δ_o1", "delta_o1"),
        ("out_{h1}", "out_h1"),
        ("outh1", "out_h1"),
        ("out_o1_new", "out_o1+"),
        ("dE_o2/dout_h1", "dE_o2/dout_h1"),
        ("dout_o1/dnet_o1", "dout_o1/dnet_o1"),
        ("E_total_before", "E_total"),
        ("w5_old", "w5"),
        ("dE_total_dw5", "dE_total/dw5"),
        ("dEtotal_dw6", "dE_total/dw6"),
        ("dE_dw5", "dE_total/dw5"),
        ("dE_dout_o1", "dE_total/dout_o1"),
        ("dout_o1_dnet_o1", "dout_o1/dnet_o1"),
        ("dE_o2_dout_h1", "dE_o2/dout_h1"),
        ("w5_updated", "w5+"),
    ],
)
def test_common_spellings_resolve(written: str, canonical: str) -> None:
    setup = classic_setup()
    values = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate).values()
    assert NameIndex(values).resolve(written) == canonical


def test_keys_do_not_merge_different_names() -> None:
    setup = classic_setup()
    values = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate).values()
    keys = [name_key(name) for name in values]
    assert len(set(keys)) == len(keys)


def test_unknown_names_get_the_closest_known_ones() -> None:
    setup = classic_setup()
    values = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate).values()
    index = NameIndex(values)
    assert index.resolve("outt_h1") is None
    assert index.closest("outt_h1")[0] == "out_h1"
    assert "delta_o1" in index.closest("detla_o1")


# ------------------------------------------------------------------ files as people write them
BOM = "\ufeff"
EXPECTED = [("out_h1", 0.5933, 4), ("w5+", 0.3589, 4)]


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".toml", f'{BOM}out_h1 = 0.5933\n"w5+" = 0.3589\n'),
        (".json", f'{BOM}{{"out_h1": 0.5933, "w5+": 0.3589}}'),
        (".csv", f"{BOM}name,value\nout_h1,0.5933\nw5+,0.3589\n"),
        (".csv", f"{BOM}out_h1;0,5933\nw5+;0,3589\n"),
        (".txt", f"{BOM}out_h1 = 0.5933\nw5+ = 0.3589\n"),
        ("", f'{BOM}{{"out_h1": 0.5933, "w5+": 0.3589}}'),  # JSON found by content behind the mark
    ],
)
def test_a_byte_order_mark_is_read_in_every_format(tmp_path, suffix: str, text: str) -> None:
    path = tmp_path / f"answers{suffix}"
    path.write_text(text, encoding="utf-8")
    assert [(a.written, a.value, a.decimals) for a in read_answers(path)] == EXPECTED


def test_utf16_with_its_mark_is_read(tmp_path) -> None:
    path = tmp_path / "answers.txt"  # Excel's "Unicode text"
    path.write_bytes("out_h1\t0.5933\nw5+\t0.3589\n".encode("utf-16"))
    assert [(a.written, a.value, a.decimals) for a in read_answers(path)] == EXPECTED


@pytest.mark.parametrize(
    "text",
    [
        "out_h1 = 0,5933\nw5+ = 0,3589\n",
        "out_h1 = 0.5933;\nw5+ = 0.3589;\n",
        "out_h1 = 0,5933;\nw5+: 0,3589\n",
        '"out_h1": 0.5933,\n"w5+": 0.3589,\n',  # pasted from a dict
        "- out_h1 = 0.5933\n* **w5+** = 0.3589\n",  # a Markdown list
        "out_h1 0.5933\nw5+    0.3589\n",  # no '=' at all
        "out_h1 ≈ 0.5933\nw5+ = 0.3589\n",
    ],
)
def test_decimal_commas_semicolons_and_list_marks_in_lines(tmp_path, text: str) -> None:
    path = tmp_path / "answers.txt"
    path.write_text(text, encoding="utf-8")
    answers = read_answers(path)
    assert [(a.written, a.value, a.decimals) for a in answers] == EXPECTED
    assert answers[0].text == "0.5933"  # the decimal point a number is read with, digits as written


NOTES = """\
# Exercise 1
Forward pass
First the hidden layer, with w1 = 0.15 and so on:
net_h1 = w1*i1 + w2*i2 + b1
net_h1 = 0.15*0.05 + 0.2*0.1 + 0.35 = 0.3775
out_h1 = 1/(1+exp(-0.3775)) = 0.5933

Output layer:
o1_out = 0.7514
That is all for today.
"""


def test_pasted_notes_skip_prose_and_read_working_lines(tmp_path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(NOTES, encoding="utf-8")
    answers = read_answers(path)
    assert [(a.written, a.text, a.location) for a in answers] == [
        ("net_h1", "0.3775", "line 5"),
        ("out_h1", "0.5933", "line 6"),
        ("o1_out", "0.7514", "line 9"),
    ]
    assert answers[0].working == "0.15*0.05 + 0.2*0.1 + 0.35"
    assert answers.skipped == (2, 3, 4, 8, 10)  # the heading comment is a comment, not a skipped note
    assert reading_notes(answers) == (
        "skipped 5 lines of notes (lines 2, 3, 4, 8, 10)",
        "line 5: net_h1 = 0.15*0.05 + 0.2*0.1 + 0.35 = 0.3775: read the last number",
        "line 6: out_h1 = 1/(1+exp(-0.3775)) = 0.5933: read the last number",
    )


def test_a_line_that_reads_as_an_answer_is_kept_even_with_an_unknown_name() -> None:
    answers = parse_answers("Forward pass\ndetla_o1 = 0.1385\nLearning rate: 0.5\n", "f")
    assert [answer.written for answer in answers] == ["detla_o1", "Learning rate"]
    assert answers.skipped == (1,)


def test_a_known_name_with_a_broken_value_is_still_an_error() -> None:
    with pytest.raises(StepgradError, match=r"line 2: the value of out_h1 is not a number: 'about 0\.6'"):
        parse_answers("Some notes here\nout_h1 = about 0.6\n", "f")


@pytest.mark.parametrize(
    "text",
    [
        "name,value,notes\nout_h1,0.5933,from net_h1\nw5+,0.3589,\n",
        "out_h1,0.5933,rounded\nw5+,0.3589,after the update\n",
        "Name;Value;Notes\nout_h1;0,5933;x\nw5+;0,3589;y\n",
        "sep=;\nout_h1;0,5933\nw5+;0,3589\n",  # Excel's separator line
        "out_h1,w5+\n0.5933,0.3589\n",  # wide: a row of names over a row of values
        "out_h1;w5+\n0,5933;0,3589\n",
        "Forward pass,\nout_h1,0.5933\nUpdates,\nw5+,0.3589\n",  # headings in the first column
    ],
)
def test_csv_notes_column_headers_and_wide_files(tmp_path, text: str) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(text, encoding="utf-8")
    assert [(a.written, a.value, a.decimals) for a in read_answers(path)] == EXPECTED


def test_a_wide_csv_names_the_column_of_each_value(tmp_path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text("out_h1,w5+,E_total\n0.5933,,x\n", encoding="utf-8")
    with pytest.raises(StepgradError) as caught:
        read_answers(path)
    assert str(caught.value) == f"{path}: line 2, column 3: the value of E_total is not a number: 'x'"


def test_a_toml_file_with_a_decimal_comma_is_read_as_lines() -> None:
    answers = parse_answers("out_h1 = 0,5933\n", "f", "toml")
    assert [(a.written, a.value) for a in answers] == [("out_h1", 0.5933)]


def test_several_statements_on_a_line_and_markdown_tables() -> None:
    text = (
        "Given: i1 = 0.05, i2 = 0.10\nw1 = 0,15; w2 = 0,20\n"
        "| value | answer |\n|---|---|\n| out_h1 | 0.5933 |\n| **w5+** | 0,3589 |\n"
        "E_total = E_o1 + E_o2 = 0.2748 + 0.0236 = 0.2984\n"
    )
    answers = parse_answers(text, "f")
    assert [(a.written, a.text, a.location) for a in answers] == [
        ("i1", "0.05", "line 1"),
        ("i2", "0.10", "line 1"),
        ("w1", "0.15", "line 2"),
        ("w2", "0.20", "line 2"),
        ("out_h1", "0.5933", "line 5"),
        ("w5+", "0.3589", "line 6"),
        ("E_total", "0.2984", "line 7"),
    ]
    assert answers[-1].working == "E_o1 + E_o2 = 0.2748 + 0.0236"
    assert answers.skipped == ()  # a table's header and rule are not notes
