"""Checking a learner's own numbers: read answers, compare with the trace, diagnose the mistake.

>>> from stepgrad.check import check_answers
>>> report = check_answers("my_answers.toml")          # doctest: +SKIP
>>> report = check_answers({"out_h1": 0.5933}, "my_network.toml")   # doctest: +SKIP
>>> report.ok, report.first_wrong, report.diagnoses     # doctest: +SKIP
"""

from stepgrad.check.answers import Answer, answers_from_mapping, parse_answers, read_answers
from stepgrad.check.compare import Checker, check_answers
from stepgrad.check.mistakes import MISTAKES, Mistake, mistake_names
from stepgrad.check.report import CheckReport, Diagnosis, ValueCheck

__all__ = [
    "MISTAKES",
    "Answer",
    "CheckReport",
    "Checker",
    "Diagnosis",
    "Mistake",
    "ValueCheck",
    "answers_from_mapping",
    "check_answers",
    "mistake_names",
    "parse_answers",
    "read_answers",
]
