"""``stepgrad explain``, ``classic`` and ``init`` run as subprocesses on real files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

STEPGRAD = [str(Path(sys.executable).parent / "stepgrad")]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*STEPGRAD, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_classic_prints_the_worked_example() -> None:
    result = run("classic")
    assert result.returncode == 0, result.stderr
    assert "Net input of h1\n  net_h1 = w1·i1 + w2·i2 + b1·1\n" in result.stdout
    assert "= 0.291027774\n" in result.stdout  # E_total+ with the original weights
    assert "\x1b[" not in result.stdout  # no colour in a pipe
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_explain_without_a_file_is_the_classic_example_in_json() -> None:
    result = run("explain", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["values"]["w5+"] == pytest.approx(0.35891648, abs=1e-8)
    assert document["values"]["E_total+"] == pytest.approx(0.291027774, abs=1e-9)


def test_hidden_deltas_from_updated_reproduces_the_errata() -> None:
    result = run("classic", "--format", "json", "--hidden-deltas-from", "updated")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["values"]["E_total+"] == pytest.approx(0.291027924, abs=1e-9)
    assert any("already-updated" in note for note in document["notes"])


def test_output_file_is_written_and_stdout_stays_empty(tmp_path: Path) -> None:
    out = tmp_path / "classic.json"
    result = run("explain", "--format", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(out.read_text())["values"]["out_h1"] == pytest.approx(0.593269992, abs=1e-9)
    text_out = tmp_path / "classic.txt"
    assert run("classic", "-o", str(text_out), "--precision", "4").returncode == 0
    assert "= 0.5933\n" in text_out.read_text()


def test_init_writes_a_file_explain_reads(tmp_path: Path) -> None:
    result = run("init", "net.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "net.toml").read_text()
    assert text.startswith("# ") and "[[layer]]" in text and "train_bias = false" in text
    from_file = json.loads(run("explain", "net.toml", "--format", "json", cwd=tmp_path).stdout)
    classic = json.loads(run("explain", "--format", "json").stdout)
    assert from_file["values"] == classic["values"]


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    (tmp_path / "net.toml").write_text("keep me\n")
    result = run("init", "net.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--force" in result.stderr
    assert (tmp_path / "net.toml").read_text() == "keep me\n"
    assert run("init", "net.toml", "--force", cwd=tmp_path).returncode == 0
    assert "[[layer]]" in (tmp_path / "net.toml").read_text()


def test_init_json(tmp_path: Path) -> None:
    assert run("init", "net.json", "--format", "json", cwd=tmp_path).returncode == 0
    assert json.loads((tmp_path / "net.json").read_text())["learning_rate"] == 0.5


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ("inputs = [0.05, \n", "line"),
        (
            'inputs = [0.05, 0.1]\ntargets = [0.01]\n[[layer]]\nactivation = "sigmoid"\nweights = [[0.1, 0.2]]\n'
            'loss = "nope"\n',
            "bad.toml",
        ),
    ],
)
def test_bad_file_gives_one_line_and_exit_2(tmp_path: Path, content: str | None, expected: str) -> None:
    path = tmp_path / "bad.toml"
    if content is not None:
        path.write_text(content)
    result = run("explain", str(path))
    assert result.returncode == 2
    assert result.stderr.startswith("stepgrad: error: ") and result.stderr.count("\n") == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_output_to_a_device_writes_into_it() -> None:
    # -o /dev/stdout must not rename a temporary file over the device.
    result = run("explain", "--format", "json", "-o", "/dev/stdout")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["values"]["E_total"] == pytest.approx(0.298371109, abs=1e-9)
    assert not Path("/dev/stdout").resolve().is_file()


def test_sample_out_of_range_exits_2() -> None:
    result = run("classic", "--sample", "2")
    assert result.returncode == 2
    assert "sample 2" in result.stderr


def test_explain_does_not_import_heavy_modules(tmp_path: Path) -> None:
    code = (
        "import sys; from stepgrad.cli.main import main\n"
        "sys.argv = ['stepgrad', 'explain', '--format', 'json', '-o', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('torch', 'matplotlib', 'sklearn', 'numba', 'starlette', 'rich')\n"
        "print(' '.join(m for m in heavy if m in sys.modules))"
    )
    command = [sys.executable, "-c", code, str(tmp_path / "out.json")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_explain_offers_every_optimizer_of_the_registry() -> None:
    # the names are read from the registry when needed, so explain starts without importing stepgrad.training
    from stepgrad.cli.explain_cmd import explain
    from stepgrad.training.optimizers import optimizer_names

    option = next(p for p in explain.params if p.name == "optimizer")
    assert list(option.type.choices) == optimizer_names()
    result = CliRunner().invoke(explain, ["--optimizer", "adagrad"])
    assert result.exit_code != 0
    assert "'adagrad' is not one of" in result.output and "adamw" in result.output


def test_markdown_file_links_its_diagram_beside_it_by_default(tmp_path: Path) -> None:
    linked = run("explain", "-o", str(tmp_path / "linked.md"))
    assert linked.returncode == 0, linked.stderr
    page = (tmp_path / "linked.md").read_text()
    assert 'src="linked.svg"' in page and "base64" not in page
    svg = (tmp_path / "linked.svg").read_text()
    assert svg.startswith("<svg") and "w5 = 0.4" in svg
    assert linked.stderr.splitlines() == [f"wrote {tmp_path / 'linked.svg'}", f"wrote {tmp_path / 'linked.md'}"]
    embedded = run("explain", "-o", str(tmp_path / "embedded.md"), "--embed-diagram")
    assert embedded.returncode == 0, embedded.stderr
    assert 'src="data:image/svg+xml;base64,' in (tmp_path / "embedded.md").read_text()
    assert not (tmp_path / "embedded.svg").exists()
    stdout = run("explain", "--format", "markdown")
    assert 'src="data:image/svg+xml;base64,' in stdout.stdout  # nowhere else to put it


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "markdown", "--diagram-file"], "--diagram-file needs -o FILE.md"),
        (["--format", "html", "-o", "{tmp}/x.html", "--diagram-file"], "--diagram-file is for Markdown"),
        (["-o", "{tmp}/x.json", "--embed-diagram"], "--embed-diagram is for Markdown"),
        (["-o", "{tmp}/x.md", "--embed-diagram", "--diagram-file"], "contradict each other"),
        (["-o", "{tmp}/notes.pdf"], "cannot tell the format from the suffix .pdf: use one of .htm, .html, .json"),
        (["-o", "{tmp}/notes"], "cannot tell the format from the suffix (none)"),
        (["--precision", "0"], "Invalid value for '--precision': 0 is not in the range 1<=x<=17."),
        (["-o", "{tmp}"], "is a directory"),
        (["-o", "/proc/x.txt"], "/proc/x.txt: cannot write: No such file or directory"),
        (["-o", "/dev/full"], "/dev/full: cannot write: No space left on device"),
        (["--no-such-option"], "No such option '--no-such-option'"),
    ],
)
def test_usage_and_write_mistakes_are_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = run("explain", *[arg.replace("{tmp}", str(tmp_path)) for arg in args])
    assert result.returncode == 2
    assert result.stderr.startswith("stepgrad: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr
    assert result.stdout == ""
    assert [p.name for p in tmp_path.iterdir()] == []  # nothing half-written left behind


def test_unknown_suffix_is_fine_with_a_format(tmp_path: Path) -> None:
    result = run("explain", "-o", str(tmp_path / "notes.pdf"), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "notes.pdf").read_text())["values"]["w5+"] == pytest.approx(0.35891648, abs=1e-8)


@pytest.mark.parametrize("command", ["classic", "train", "init"])
def test_click_usage_errors_are_one_line_for_every_command(command: str) -> None:
    result = run(command, "--bogus")
    assert result.returncode == 2
    assert result.stderr.startswith("stepgrad: error: No such option '--bogus'.")
    assert result.stderr.count("\n") == 1


def test_stdout_write_failure_is_one_line_and_exit_2() -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run([*STEPGRAD, "classic"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr == "stepgrad: error: cannot write the output: No space left on device\n"


def test_closed_pipe_is_quiet() -> None:
    command = [*STEPGRAD, "explain", "--format", "html"]
    reader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.read(10)
    reader.stdout.close()
    assert reader.wait(timeout=120) == 0
    assert reader.stderr.read() == b""


def test_terminal_output_is_coloured_without_trailing_spaces() -> None:
    import os
    import pty

    main, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "80", "LINES": "40", "TERM": "xterm-256color"}
    process = subprocess.Popen([*STEPGRAD, "classic"], stdout=secondary, stderr=secondary, env=env)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closes when the program ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert process.wait(timeout=120) == 0
    os.close(main)
    text = b"".join(chunks).decode("utf-8")
    assert "\x1b[" in text
    plain = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in text.replace("\r\n", "\n").split("\n")]
    assert "  net_h1 = w1·i1 + w2·i2 + b1·1" in plain
    assert [line for line in plain if line != line.rstrip()] == []
    assert max(len(line) for line in plain) <= 80


def test_overflowing_values_get_one_warning_line(tmp_path: Path) -> None:
    network = tmp_path / "huge.toml"
    network.write_text(
        'inputs = [1e10, 1e10]\ntargets = [0.0]\nloss = "mse"\n'
        '[[layer]]\nactivation = "relu"\nweights = [[1e160, 1e160]]\nbias = 0.0\n'
        '[[layer]]\nactivation = "linear"\nweights = [[1e160]]\n'
    )
    result = run("explain", str(network))
    assert result.returncode == 0
    # one line: how many, and the first in the derivation's order with its likely cause (core.forensics)
    assert result.stderr.splitlines() == [
        "stepgrad: warning: 22 values are infinite or NaN; the first is net_o1 = inf: net overflows float64; "
        "its largest term is w3·out_h1 = 1e+160 · 2e+170, so out_h1 is too large (the weights have exploded? "
        "lower the learning rate, now 0.5)"
    ]
    assert "= ∞" in result.stdout
