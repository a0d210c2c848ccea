"""``stepgrad check`` run as a subprocess on real files: exit codes 0, 1, 2 and every format."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from stepgrad.check.compare import Checker
from stepgrad.core import train_step
from stepgrad.network import classic_setup

STEPGRAD = str(Path(sys.executable).parent / "stepgrad")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([STEPGRAD, "check", *args], capture_output=True, text=True)


def correct_answers() -> str:
    setup = classic_setup()
    values = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate).values()
    return "".join(f"{name} = {values[name]:.4f}\n" for name in Checker(setup).asked())


def test_a_fully_correct_file_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "answers.txt"
    path.write_text(correct_answers())
    result = run(str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    asked = len(Checker(classic_setup()).asked())  # 62: the classic step, the updated forward pass included
    assert f"{asked} values: {asked} right; everything you wrote is right" in result.stdout


def test_a_wrong_file_exits_1_with_the_diagnosis_in_every_format(tmp_path: Path) -> None:
    path = tmp_path / "answers.toml"
    path.write_text('out_o1 = 0.7514\n"dE_total/dout_o1" = -0.7414\n')
    text = run(str(path))
    assert text.returncode == 1
    assert "first wrong step: dE_total/dout_o1" in text.stdout
    assert "Sign flipped" in text.stdout
    data = json.loads(run(str(path), "--format", "json").stdout)
    assert data["ok"] is False and data["first_wrong"] == "dE_total/dout_o1"
    assert data["diagnoses"][0]["mistake"] == "sign_flipped"
    assert [v["status"] for v in data["values"]] == ["right", "wrong"]
    markdown = run(str(path), "--format", "markdown").stdout
    assert "| ✗ | `dE_total/dout_o1` | −0.7414 | 0.74136507 | −1.483 |" in markdown
    out = tmp_path / "report.html"
    result = run(str(path), "--format", "html", "-o", str(out))
    assert result.returncode == 1
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_output_takes_the_format_from_its_suffix_and_says_where_it_wrote(tmp_path: Path) -> None:
    path = tmp_path / "mine.txt"
    path.write_text("out_h1 = 0.5933\ndE_total/dout_o1 = -0.7414\n")
    for suffix, start in ((".html", "<!DOCTYPE html>"), (".json", "{"), (".md", "# "), (".txt", "Check of")):
        out = tmp_path / f"report{suffix}"
        result = run(str(path), "-o", str(out))
        assert result.returncode == 1, result.stderr
        assert out.read_text().startswith(start), suffix
        assert result.stderr == f"wrote {out}\n"
        assert result.stdout == ""
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["first_wrong"] == "dE_total/dout_o1"
    # --format wins over the suffix; --output is the long name
    assert run(str(path), "--format", "json", "--output", str(tmp_path / "r.html")).returncode == 1
    assert (tmp_path / "r.html").read_text().startswith("{")
    for bad, message in (("r.tex", "a check report cannot be latex"), ("r.pdf", "cannot tell the format")):
        result = run(str(path), "-o", str(tmp_path / bad))
        assert result.returncode == 2 and message in result.stderr and not (tmp_path / bad).exists()


def test_a_network_file_where_the_answers_belong_gets_a_hint(tmp_path: Path) -> None:
    network = tmp_path / "my.toml"
    assert subprocess.run([STEPGRAD, "init", str(network)], capture_output=True).returncode == 0
    answers = tmp_path / "answers.txt"
    answers.write_text(correct_answers())
    hint = "give the network first, then the answers (stepgrad check NETWORK ANSWERS)"
    alone = run(str(network))
    assert alone.returncode == 2
    assert alone.stderr == f"stepgrad: error: {network}: this is a network file, not an answer file: {hint}\n"
    swapped = run(str(answers), str(network))
    assert swapped.returncode == 2
    assert swapped.stderr == f"stepgrad: error: {answers}: this looks like an answer file, not a network file: {hint}\n"
    assert run(str(network), str(answers)).returncode == 0


def test_a_network_file_and_csv_answers(tmp_path: Path) -> None:
    network = tmp_path / "net.toml"
    network.write_text(
        'inputs = [0.5, 0.9]\ntargets = [0.2]\nlearning_rate = 0.25\nloss = "half_squared_error"\n'
        '[[layer]]\nactivation = "tanh"\nweights = [[0.1, 0.2]]\nbias = 0.1\n'
    )
    # net_o1 = 0.1·0.5 + 0.2·0.9 + 0.1 = 0.33 by hand; the learner forgot the bias: 0.23
    answers = tmp_path / "a.csv"
    answers.write_text("name,value\nnet_o1,0.23\n")
    result = run(str(network), str(answers), "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["diagnoses"][0]["mistake"] == "bias_left_out"
    answers.write_text("net_o1,0.33\n")
    assert run(str(network), str(answers)).returncode == 0


def test_unusable_files_exit_2_with_one_line(tmp_path: Path) -> None:
    cases = {
        "dup.txt": "out_h1 = 0.5933\nout_h1 = 0.5933\n",
        "alias_dup.txt": "w5+ = 0.3589\nw5_new = 0.3589\n",
        "nan.txt": "out_h1 = abc\n",
        "broken.json": '{"out_h1": ',
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        result = run(str(path))
        assert result.returncode == 2, name
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"stepgrad: error: {path}"), result.stderr
    assert run(str(tmp_path / "missing.txt")).returncode == 2


TWO_SAMPLES = (
    "samples = [[0.05, 0.10], [0.60, -0.30]]\ntargets = [[0.01, 0.99], [0.70, 0.20]]\nlearning_rate = 0.5\n"
    'loss = "half_squared_error"\n'
    '[[layer]]\nactivation = "sigmoid"\nweights = [[0.15, 0.20], [0.25, 0.30]]\nbias = 0.35\ntrain_bias = false\n'
    '[[layer]]\nactivation = "sigmoid"\nweights = [[0.40, 0.45], [0.50, 0.55]]\nbias = 0.60\ntrain_bias = false\n'
)


def test_sample_k_is_the_step_explain_shows_for_sample_k(tmp_path: Path) -> None:
    network = tmp_path / "two.toml"
    network.write_text(TWO_SAMPLES)
    explained = subprocess.run(
        [STEPGRAD, "explain", str(network), "--sample", "2", "--format", "json"], capture_output=True, text=True
    )
    values = json.loads(explained.stdout)["values"]
    answers = tmp_path / "second.txt"
    names = ("net_h1", "out_o2", "delta_o1", "dE_total/dw5", "w5+", "w1+", "E_total+")
    answers.write_text("".join(f"{name} = {values[name]:.6f}\n" for name in names))
    assert run(str(network), str(answers), "--sample", "2").returncode == 0
    # the first sample's step is another one; and the update is this sample's alone, not a batch mean
    assert run(str(network), str(answers), "--sample", "1").returncode == 1
    assert run(str(network), str(answers)).returncode == 1  # --sample 1 is the default
    missing = run(str(network), str(answers), "--sample", "3")
    assert missing.returncode == 2
    assert missing.stderr.strip().endswith(": --sample 3 does not exist: the file has 2 samples")
    explained = subprocess.run([STEPGRAD, "explain", str(network), "--sample", "3"], capture_output=True, text=True)
    assert explained.returncode == 2
    assert explained.stderr.strip().endswith(": --sample 3 does not exist: the file has 2 samples")


def test_answers_from_standard_input(tmp_path: Path) -> None:
    result = subprocess.run(
        [STEPGRAD, "check", "-", "--format", "json"],
        input="out_h1 = 0.5933\nw5+ = 0.3589\n",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["source"] == "<stdin>" and data["score"]["right"] == 2
    csv_input = subprocess.run(
        [STEPGRAD, "check", "-"], input="name,value\nout_h1,0.5\n", capture_output=True, text=True
    )
    assert csv_input.returncode == 1 and "✗ out_h1" in csv_input.stdout


def test_an_empty_file_or_a_blank_template_has_no_values(tmp_path: Path) -> None:
    for name, text in (("empty.txt", ""), ("blank.txt", "# my answers\nout_h1 =\nw5+ =\n"), ("e.json", "{}")):
        path = tmp_path / name
        path.write_text(text)
        result = run(str(path))
        assert result.returncode == 2, name
        assert result.stderr == f"stepgrad: error: {path}: no values: the answers are empty or every value is blank\n"


def test_non_finite_values_are_unusable_input(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("out_h1 = 0.5933\nw5+ = 1e999\n")
    result = run(str(path))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"stepgrad: error: {path}: line 2: the value of w5+ is not a finite number: '1e999'\n"


def test_the_text_report_fits_80_columns_with_full_precision_values(tmp_path: Path) -> None:
    setup = classic_setup()
    values = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate).values()
    wrong = {**values, "dE_o2/dout_h1": values["delta_o2"] * 0.45}  # w6 where w7 belongs, full precision
    path = tmp_path / "full.txt"
    path.write_text("".join(f"{name} = {wrong[name]!r}\n" for name in Checker(setup).asked()))
    result = run(str(path))  # not a terminal: 80 columns
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    # each note is a whole line under its row, not squeezed into a column of 2–3 characters
    note = lines[lines.index(next(line for line in lines if line.startswith("✗ dE_o2/dout_h1"))) + 1]
    assert note.startswith("    from your earlier values, dE_o2/dout_h1 = delta_o2 · w7 = ")
    # the diagnosis shows the value as written, not a float's 20 digits
    written = repr(wrong["dE_o2/dout_h1"]).replace("-", "−")
    flat = " ".join(line.strip("│ ") for line in lines)
    assert f"your dE_o2/dout_h1 = {written};" in flat
    assert "−0.017144206432450303373" not in flat and "-0.0171" not in flat


def test_a_file_of_notes_only_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Forward pass\nI did not finish this one.\n", encoding="utf-8")
    result = run(str(path))
    assert result.returncode == 2 and result.stdout == ""
    message = "no values: no line reads as 'name = value' (2 lines of notes skipped)"
    assert result.stderr == f"stepgrad: error: {path}: {message}\n"


def test_answers_as_people_write_them_have_no_unknown_names(tmp_path: Path) -> None:
    # a byte order mark, decimal commas, a trailing ;, notes, working, and spellings of every kind
    text = (
        "\ufeff## Forward pass\nFirst the hidden layer:\n"
        "h1 net = 0.15*0.05 + 0.2*0.1 + 0.35 = 0.3775\nouth1 = 0,5933;\nh2_out = 0.5969\n"
        "o1_out: 0.7514\nE total = 0.2984\n\nBackward pass\n"
        "∂E/∂out_o1 = 0.7414\ndE/dnet_o1 = 0.1385\nδ_o2 = −0.0381\ndEtotal/dw5 = 0.0822\n"
        "w5' = 0.3589\nw6_new = 0.4087\nW₇⁺ = 0.5113\n"
    )
    path = tmp_path / "mine.txt"
    path.write_text(text, encoding="utf-8")
    result = run(str(path), "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["score"]["unknown"] == 0
    assert [value["name"] for value in data["values"]] == [
        "net_h1", "out_h1", "out_h2", "out_o1", "E_total", "dE_total/dout_o1", "delta_o1", "dE_total/dw5",
        "w5+", "w6+", "delta_o2", "w7+",
    ]  # fmt: skip
    assert data["notes"] == [
        "skipped 2 lines of notes (lines 2, 9)",
        "line 3: h1 net = 0.15*0.05 + 0.2*0.1 + 0.35 = 0.3775: read the last number",
    ]
