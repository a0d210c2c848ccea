"""Fuzz: hostile network files, answer files and CSV data through the real CLI, and mutated ones
through the parsers in process (many more inputs there: the parser is the part that can blow up)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz.hostile import CLASSIC_JSON, CLASSIC_TOML, answer_corpus, csv_corpus, failures, network_corpus
from stepgrad.check.answers import read_answers
from stepgrad.data.csv_file import load_csv
from stepgrad.errors import StepgradError
from stepgrad.network.files import load_setup

ANSWERS = "out_h1 = 0.5933\nout_o1 = 0.7514\n"

# Pieces an attacker splices into a valid file: deep brackets, long keys and numbers, escapes, bad bytes.
HOSTILE_PIECES = [
    "[" * 600,
    "{" * 600,
    "]",
    "}",
    '"',
    "'''",
    '"""',
    "\\q",
    "\\U0001F600",
    "\\ud800",
    "\x00",
    "\ufeff",
    "9" * 400,
    "1e" + "9" * 400,
    "1e-400",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "NaN",
    "Infinity",
    "true",
    "a" + ".b" * 2000,
    "=",
    ",",
    ":",
    "\n[[layer]]\n",
    "weights = [[1e300]]",
    "learning_rate = 1",
    '"learning_rate": 2,',
    "#",
    "\r\n",
    "é",
    "−",
    "\t",
]


def mutated(base: str) -> st.SearchStrategy[bytes]:
    """``base`` with a few hostile pieces spliced in, or characters cut out, at random places."""
    edit = st.tuples(st.integers(0, len(base)), st.integers(0, 40), st.sampled_from(HOSTILE_PIECES))

    def apply(edits: list[tuple[int, int, str]]) -> bytes:
        text = base
        for at, cut, piece in edits:
            at = min(at, len(text))
            text = text[:at] + piece + text[at + cut :]
        return text.encode("utf-8", "surrogatepass")

    return st.lists(edit, min_size=1, max_size=4).map(apply)


def only_stepgrad_errors(read, path: Path) -> None:  # type: ignore[no-untyped-def]
    """``read(path)`` returns, or raises ``StepgradError``; no other exception, no NumPy warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            read(path)
        except StepgradError as error:
            assert error.one_line().encode("utf-8", "backslashreplace")
            assert len(error.one_line()) < 2000


# --- through the CLI ---------------------------------------------------------------------------


def test_hostile_network_files_through_explain_check_and_train(tmp_path: Path) -> None:
    corpus = network_corpus()
    for name, data in corpus.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "answers.txt").write_text(ANSWERS)
    jobs = [(["explain", name], b"") for name in corpus] + [(["check", name, "answers.txt"], b"") for name in corpus]
    # train reads files as explain does: the ones whose numbers it works with
    trained = ["valid.toml", "valid.json", "huge_weights.toml", "layers_200.json", "duplicate.json", "int99.json"]
    jobs += [(["train", name, "--steps", "3"], b"") for name in trained]
    assert failures(jobs, tmp_path) == []


def test_hostile_answer_files_through_check(tmp_path: Path) -> None:
    corpus = answer_corpus()
    for name, data in corpus.items():
        (tmp_path / name).write_bytes(data)
    jobs = [(["check", name], b"") for name in corpus]
    on_stdin = [
        "valid.txt",
        "valid.json",
        "invalid_utf8.txt",
        "bad_utf16.txt",
        "surrogate.json",
        "exp400.txt",
        "deep_object.json",
        "nul.txt",
    ]
    jobs += [(["check", "-"], corpus[name]) for name in on_stdin]
    assert failures(jobs, tmp_path) == []


def test_hostile_csv_data_through_train_and_sweep(tmp_path: Path) -> None:
    corpus = csv_corpus()
    for name, data in corpus.items():
        (tmp_path / name).write_bytes(data)
    jobs = [(["train", "--data", name, "--epochs", "2"], b"") for name in corpus]
    jobs += [(["sweep", "--data", name, "--nets", "2", "--epochs", "2"], b"") for name in list(corpus)[:2]]
    assert failures(jobs, tmp_path) == []


@settings(max_examples=12)
@given(data=mutated(CLASSIC_TOML), suffix=st.sampled_from([".toml", ".json", ".txt"]))
def test_mutated_network_files_through_the_cli(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    work = tmp_path_factory.mktemp("net")
    (work / f"net{suffix}").write_bytes(data)
    (work / "answers.txt").write_text(ANSWERS)
    assert failures([(["explain", f"net{suffix}"], b""), (["check", f"net{suffix}", "answers.txt"], b"")], work) == []


@settings(max_examples=12)
@given(data=mutated(ANSWERS + '{"out_h2": 0.59}\nw5+ = 0.35891648\n'), stdin=st.booleans())
def test_mutated_answer_files_through_the_cli(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, stdin: bool
) -> None:
    work = tmp_path_factory.mktemp("answers")
    (work / "answers.txt").write_bytes(data)
    job = (["check", "-"], data) if stdin else (["check", "answers.txt"], b"")
    assert failures([job], work) == []


# --- in process: the parsers alone, many more inputs -------------------------------------------


@settings(max_examples=300)
@given(data=st.one_of(mutated(CLASSIC_TOML), mutated(CLASSIC_JSON)), suffix=st.sampled_from([".toml", ".json", ""]))
def test_mutated_network_files_give_only_stepgrad_errors(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("net") / f"net{suffix}"
    path.write_bytes(data)
    only_stepgrad_errors(load_setup, path)


@settings(max_examples=300)
@given(
    data=st.one_of(
        mutated(ANSWERS),
        mutated('{"out_h1": 0.5933, "dE_total/dw5": 0.0822}'),
        mutated("name,value\nout_h1,0.5933\n"),
        st.binary(max_size=200),
    ),
    suffix=st.sampled_from([".txt", ".json", ".toml", ".csv", ".md"]),
)
def test_mutated_answer_files_give_only_stepgrad_errors(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("answers") / f"answers{suffix}"
    path.write_bytes(data)
    only_stepgrad_errors(read_answers, path)


@settings(max_examples=200)
@given(
    data=st.one_of(mutated("a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"), st.binary(max_size=200)),
    task=st.sampled_from(["auto", "classify", "regress"]),
)
def test_mutated_csv_data_gives_only_stepgrad_errors(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, task: str
) -> None:
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    path.write_bytes(data)
    only_stepgrad_errors(lambda p: load_csv(p, None, task), path)  # type: ignore[arg-type]
