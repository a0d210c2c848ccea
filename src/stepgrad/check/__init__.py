"""Checking a learner's own numbers: read answers, compare with the trace, diagnose the mistake.

A value given to k decimals counts as right when it rounds the exact value to k decimals,
or follows, within the rounding its inputs carry, from the learner's own earlier values
(steps left unwritten are taken as rounded like the value checked). It needs 3 decimals,
or enough to show 2 significant digits of the value; with fewer it is "too few digits to
check", and a bare 0 or 1 claims the value exactly. The network's given numbers and exact
values carry no rounding (``stepgrad.check.tolerance`` has the whole rule). The step checked is the one
``stepgrad explain --sample K`` works, and values are reported in its order.

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
