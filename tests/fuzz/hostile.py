"""The fuzz suite's runner and hand-made corpora: what an attacker or a careless user gives stepgrad.

Every run is a real ``stepgrad`` process under ``RLIMIT_AS`` (2 GiB) and a timeout, and must end
the way the README promises: exit 0, 1 or 2; for 2, exactly one line on stderr; never a
traceback; never a NumPy RuntimeWarning.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

STEPGRAD = str(Path(sys.executable).parent / "stepgrad")
MEMORY_LIMIT = 2 * 1024**3
TIMEOUT_SECONDS = 30
WORKERS = 4


@dataclass(frozen=True)
class Run:
    """One ``stepgrad`` run: its arguments, what it read on stdin, and how it ended."""

    args: tuple[str, ...]
    code: int | None
    stdout: str
    stderr: str

    def problem(self) -> str | None:
        """What broke the promise, or None."""
        if self.code is None:
            return f"no answer within {TIMEOUT_SECONDS} s"
        if self.code not in (0, 1, 2):
            return f"exit code {self.code}"
        if "Traceback" in self.stdout + self.stderr:
            return "a traceback: " + self.stderr[-300:]
        if "RuntimeWarning" in self.stderr:
            return "a RuntimeWarning: " + self.stderr[-300:]
        if self.code == 2 and len(self.stderr.strip().splitlines()) != 1:
            return f"exit 2 with {len(self.stderr.strip().splitlines())} lines on stderr: {self.stderr[:300]!r}"
        return None


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(args: Sequence[str], cwd: Path, stdin: bytes = b"") -> Run:
    """``stepgrad ARGS`` in ``cwd`` under the memory limit and the timeout."""
    env = {**os.environ, "LC_ALL": "C.UTF-8", "COLUMNS": "80"}
    try:
        done = subprocess.run(
            [STEPGRAD, *args],
            input=stdin,
            capture_output=True,
            cwd=cwd,
            timeout=TIMEOUT_SECONDS,
            preexec_fn=_limit_memory,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return Run(tuple(args), None, "", "")
    text = {
        name: data.decode("utf-8", "backslashreplace") for name, data in (("out", done.stdout), ("err", done.stderr))
    }
    return Run(tuple(args), done.returncode, text["out"], text["err"])


def failures(runs: Iterable[tuple[Sequence[str], bytes]], cwd: Path) -> list[str]:
    """Run every ``(args, stdin)`` (a few at a time) and list the ones that broke the promise."""
    with ThreadPoolExecutor(WORKERS) as pool:
        done = list(pool.map(lambda job: run(job[0], cwd, job[1]), runs))
    return [f"{' '.join(r.args)[:160]}: {problem}" for r in done if (problem := r.problem()) is not None]


# --- network files ---------------------------------------------------------------------------

CLASSIC_TOML = """inputs = [0.05, 0.10]
targets = [0.01, 0.99]
learning_rate = 0.5
[[layer]]
activation = "sigmoid"
weights = [[0.15, 0.20], [0.25, 0.30]]
bias = 0.35
[[layer]]
activation = "sigmoid"
weights = [[0.40, 0.45], [0.50, 0.55]]
bias = 0.60
"""
CLASSIC = {
    "inputs": [0.05, 0.10],
    "targets": [0.01, 0.99],
    "learning_rate": 0.5,
    "layer": [
        {"activation": "sigmoid", "weights": [[0.15, 0.20], [0.25, 0.30]], "bias": 0.35},
        {"activation": "sigmoid", "weights": [[0.40, 0.45], [0.50, 0.55]], "bias": 0.60},
    ],
}
CLASSIC_JSON = json.dumps(CLASSIC, indent=1)


def _square(width: int, layers: int) -> str:
    row = [0.01] * width
    return json.dumps(
        {"inputs": row, "targets": [0.5] * width, "layer": [{"weights": [row] * width} for _ in range(layers)]}
    )


def network_corpus() -> dict[str, bytes]:
    """Hand-made hostile network files, by name (the suffix says how stepgrad reads it)."""
    big = "9" * 4301
    texts: dict[str, str | bytes] = {
        "valid.toml": CLASSIC_TOML,
        "valid.json": CLASSIC_JSON,
        "deep.json": '{"inputs": ' + "[" * 1000 + "]" * 1000 + "}",
        "deep_objects.json": '{"meta": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}",
        "deep.toml": "inputs = " + "[" * 500 + "]" * 500 + "\n",
        "deep_inline.toml": "meta = " + "{a = " * 500 + "1" + "}" * 500 + "\n",
        "dotted.toml": "a" + ".b" * 50_000 + " = 1\n",
        "dotted_header.toml": "[a" + ".b" * 20_000 + "]\nx = 1\n",
        "long_key.toml": "k" * 300 + " = 1\n" + CLASSIC_TOML,
        "long_key.json": '{"' + "k" * 100_000 + '": 1}',
        "digits.toml": CLASSIC_TOML.replace("learning_rate = 0.5", f"learning_rate = {big}"),
        "digits.json": CLASSIC_JSON.replace('"learning_rate": 0.5', f'"learning_rate": {big}'),
        "int400.toml": CLASSIC_TOML.replace("bias = 0.35", "bias = 1" + "0" * 400),
        "int400.json": CLASSIC_JSON.replace('"learning_rate": 0.5', '"learning_rate": 1' + "0" * 400),
        "int99.json": CLASSIC_JSON.replace('"learning_rate": 0.5', '"learning_rate": 1' + "0" * 99),
        "exp400.json": CLASSIC_JSON.replace('"learning_rate": 0.5', '"learning_rate": 1e' + "9" * 400),
        "float_big.toml": CLASSIC_TOML.replace("0.15", "1e400"),
        "huge_weights.toml": CLASSIC_TOML.replace("0.15, 0.20", "1e300, 1e300").replace("0.40", "1e300"),
        "nan.json": CLASSIC_JSON.replace('"learning_rate": 0.5', '"learning_rate": NaN'),
        "inf.toml": CLASSIC_TOML.replace("bias = 0.35", "bias = inf"),
        "escape_q.json": '{"\\q": 1}',
        "escape_U.toml": '"\\U0001F600" = 1\n' + CLASSIC_TOML,
        "escape_in_literal.toml": "meta = '''\n\"\\q\" = 3\n'''\n" + CLASSIC_TOML,
        "surrogate_key.json": '{"\\ud800": 1}',
        "surrogate_value.json": CLASSIC_JSON.replace('"sigmoid"', '"\\udc00"', 1),
        "duplicate.json": CLASSIC_JSON.replace('"learning_rate": 0.5', '"learning_rate": 0.5, "learning_rate": 50'),
        "duplicate.toml": CLASSIC_TOML + "learning_rate = 3\n",
        "invalid_utf8.toml": CLASSIC_TOML.encode() + b"\xff\xfe\n",
        "utf16.toml": "\ufeff".encode("utf-16-le") + CLASSIC_TOML.encode("utf-16-le"),
        "nul.toml": CLASSIC_TOML.replace("0.5", "0\x005"),
        "empty.toml": "",
        "bom_only.json": "\ufeff",
        "array.json": "[1, 2, 3]",
        "string_weights.toml": CLASSIC_TOML.replace("[[0.15, 0.20], [0.25, 0.30]]", '"lots"'),
        "ragged.json": CLASSIC_JSON.replace("0.25, 0.30", "0.25"),
        "cube.toml": CLASSIC_TOML.replace("[[0.15, 0.20], [0.25, 0.30]]", "[[[0.15]]]"),
        "bool_rate.toml": CLASSIC_TOML.replace("learning_rate = 0.5", "learning_rate = true"),
        "layers_200.json": json.dumps({"inputs": [0.1], "targets": [0.5], "layer": [{"weights": [[0.5]]}] * 200}),
        "two_100.json": _square(100, 2),
        "one_300.json": _square(300, 1),
        "spaces.toml": " " * (5 * 1024 * 1024),
        "long_string.toml": 'loss = "' + "x" * 200_000 + '"\n',
    }
    return {
        name: text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass") for name, text in texts.items()
    }


# --- answer files ----------------------------------------------------------------------------


def answer_corpus() -> dict[str, bytes]:
    """Hand-made hostile answer files, by name."""
    texts: dict[str, str | bytes] = {
        "valid.txt": "out_h1 = 0.5933\nout_o1 = 0.7514\n",
        "valid.json": '{"out_h1": 0.5933}',
        "valid.csv": "name,value\nout_h1,0.5933\n",
        "valid.toml": "out_h1 = 0.5933\n",
        "exp400.txt": "out_h1 = 1e" + "9" * 400 + "\n",
        "exp_neg400.txt": "out_h1 = 1e-" + "9" * 400 + "\n",
        "digits.txt": "out_h1 = " + "9" * 5000 + "\n",
        "digits.json": '{"out_h1": ' + "9" * 5000 + "}",
        "exp400.json": '{"out_h1": 1e-' + "9" * 400 + "}",
        "digits.toml": "out_h1 = " + "9" * 4301 + "\n",
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "deep_object.json": '{"a": ' * 2000 + "1" + "}" * 2000,
        "deep.toml": "x = " + "[" * 600 + "]" * 600 + "\n",
        "dotted.toml": "a" + ".b" * 50_000 + " = 1\n",
        "escape_q.json": '{"\\q": 0.5}',
        "escape_U.toml": '"\\U0001F600" = 0.5\nout_h1 = 0.5933\n',
        "literal.toml": "x = '''\n\"\\q\" = 3\n'''\nout_h1 = 0.5\n",
        "surrogate.json": '{"\\ud800": 0.5}',
        "surrogate_value.json": '{"out_h1": "\\ud800"}',
        "duplicate.json": '{"out_h1": 0.5, "out_h1": 0.6}',
        "invalid_utf8.txt": b"out_h1 = 0.5\xff\n",
        "bad_utf16.txt": b"\xff\xfe" + b"\x00\xd8",
        "big_field.csv": 'out_h1,"' + "x" * 200_000 + '"\n',
        "unclosed.csv": 'out_h1,"0.5\n',
        "nul.txt": "out_h1 = 0.5\x00\n",
        "network.toml": CLASSIC_TOML,
        "network.json": CLASSIC_JSON,
        "nan.txt": "out_h1 = nan\nout_o1 = inf\n",
        "list.json": '{"out_h1": [1, 2, 3]}',
        "working.txt": "net_h1 = 0.15*0.05 + 0.2*0.1 + 0.35 = " + "0." + "3" * 200 + "\n",
        "prose.md": "# Forward pass\n\n| name | value |\n|---|---|\n| out_h1 | 0,5933 |\n",
        "long_line.txt": "out_h1 = " + "1 + " * 100_000 + "1\n",
        "empty.txt": "",
    }
    return {
        name: text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass") for name, text in texts.items()
    }


# --- CSV data --------------------------------------------------------------------------------


def csv_corpus() -> dict[str, bytes]:
    """Hand-made hostile CSV data sets, by name."""
    rows = "\n".join(f"{i % 2},{(i // 2) % 2},{(i % 2) ^ ((i // 2) % 2)}" for i in range(8))
    texts: dict[str, str | bytes] = {
        "valid.csv": "a,b,y\n" + rows + "\n",
        "e308.csv": "a,b,y\n1e308,1e308,0\n-1e308,1e308,1\n1e308,-1e308,1\n",
        "e308_target.csv": "a,y\n1,1e308\n2,-1e308\n3,0\n",
        "inf.csv": "a,y\n1,0\ninf,1\n",
        "digits.csv": "a,y\n" + "9" * 5000 + ",0\n1,1\n",
        "one_column.csv": "y\n1\n0\n",
        "no_rows.csv": "a,y\n",
        "ragged.csv": "a,b,y\n1,2\n3,4,5,6\n",
        "big_field.csv": 'a,y\n"' + "1" * 200_000 + '",0\n1,1\n',
        "unclosed.csv": 'a,y\n"1,0\n',
        "invalid_utf8.csv": b"a,y\n1,0\n\xff,1\n",
        "one_class.csv": "a,y\n1,0\n2,0\n",
        "many_classes.csv": "a,y\n" + "\n".join(f"{i},c{i}" for i in range(300)) + "\n",
        "duplicate_header.csv": "a,a,y\n1,2,0\n3,4,1\n",
        "numbers_header.csv": "1,2,3\n1,2,3\n",
        "nul.csv": "a,y\n1\x00,0\n2,1\n",
        "empty.csv": "",
    }
    return {name: text if isinstance(text, bytes) else text.encode() for name, text in texts.items()}


# --- options ---------------------------------------------------------------------------------

N400 = "9" * 400
N5000 = "9" * 5000


def option_corpus() -> list[list[str]]:
    """Hand-made hostile command lines (files they name are written by the test)."""
    return [
        ["train", "--data", "xor", "--loss", "foo", "--epochs", "1"],
        ["train", "--data", "xor", "--activation", "foo", "--epochs", "1"],
        ["train", "--data", "xor", "--output-activation", "softmax", "--loss", "mse", "--epochs", "1"],
        ["train", "--data", "xor", "--layers", "2,99999999999999999999,1", "--epochs", "1"],
        ["train", "--data", "xor", "--layers", ",".join(["2"] * 500), "--epochs", "1"],
        ["train", "--data", "xor", "--layers", "2,-1,1", "--epochs", "1"],
        ["train", "--steps", "99999999999999999999"],
        ["train", "--steps", N5000],
        ["train", "--steps", "0"],
        ["train", "--steps", "3", "--every", N400],
        ["train", "--data", "xor", "--epochs", "99999999999999999999"],
        ["train", "--data", "xor", "--epochs", "1", "--batch-size", N5000],
        ["train", "--data", "xor", "--epochs", "1", "--seed", "4294967296"],
        ["train", "--data", "xor", "--epochs", "1", "--seed", "-1"],
        ["train", "--data", "xor", "--epochs", "1", "--lr", "1e308"],
        ["train", "--data", "xor", "--epochs", "2", "--lr", "nan"],
        ["train", "--data", "xor", "--epochs", "1", "--weight-decay", "1e308"],
        ["train", "--data", "xor", "--epochs", "1", "--samples", N400],
        ["train", "--data", "circle", "--epochs", "1", "--samples", "100000000"],
        ["train", "--data", "circle", "--epochs", "1", "--noise", "1e308"],
        ["train", "--data", "nope", "--epochs", "1"],
        ["train", "--data", "xor", "--epochs", "1", "--validation-split", "2"],
        ["viz", "--seed", N400],
        ["viz", "--seed", "2147483648"],
        ["viz", "--points", N400],
        ["viz", "--batch-size", N400],
        ["viz", "--port", N400],
        ["viz", "--lr", "1e999", "--export", "replay.html", "--frames", "2"],
        ["sweep", "--nets", "4294967296", "--epochs", "1"],
        ["sweep", "--nets", "2", "--epochs", "99999999999999"],
        ["sweep", "--nets", "2", "--epochs", "1", "--seed", N400],
        ["sweep", "--nets", "2", "--epochs", "1", "--loss", "foo"],
        ["sweep", "--nets", "2", "--epochs", "1", "--layers", "2,99999999999999999999,1"],
        ["exercise", "--seed", "1", "--count", "99999999999", "--out", "ex"],
        ["exercise", "--seed", N400, "--out", "ex"],
        ["exercise", "--seed", "1", "--layers", "2,99999999,2", "--out", "ex"],
        ["explain", "--step", "99999999999"],
        ["explain", "--optimizer", "sgd", "--weight-decay", "1e308"],
        ["explain", "--optimizer", "adam", "--eps", "0", "--step", "3"],
        ["explain", "--optimizer", "momentum", "--momentum", "1e308", "--step", "5"],
        ["explain", "--optimizer", "adam", "--lr", "1e308", "--step", "10"],
        ["explain", "--optimizer", "sgd", "--lr", "-1e308"],
        ["explain", "--precision", N400],
        ["explain", "--sample", N400],
        ["explain", "/dev/zero"],
        ["explain", "/dev/null"],
        ["explain", "."],
        ["explain", "missing.toml"],
        ["check", "/dev/zero"],
        ["check", "/dev/zero", "/dev/zero"],
        ["check", "--sample", N400, "answers.txt"],
        ["check", "a", "b", "c"],
        ["classic", "--precision", "0"],
        ["init", "-"],
        ["grade", "--exercise", "/dev/zero", "answers.txt", "--out", "g"],
        ["verify-torch", "/dev/zero"],
    ]
