"""The result of checking a learner's answers: one ``ValueCheck`` per value and a diagnosis.

Data only; ``stepgrad.check.formats`` renders it (text, json, markdown, html) and
``CheckReport._repr_html_`` shows it in Jupyter.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Status = Literal["right", "rounding", "coarse", "follows", "wrong", "unknown"]

#: Statuses that count as correct.
CORRECT_STATUSES: tuple[Status, ...] = ("right", "rounding")
#: … and with error carried forward ("ecf"): also a value right from the learner's own earlier, wrong values.
CONSISTENT_STATUSES: tuple[Status, ...] = (*CORRECT_STATUSES, "follows")
#: One mark per status. A value that follows from an earlier error has its own mark, not ✗: one slip early
#: in the derivation is one mistake, not thirty.
STATUS_MARKS: dict[str, str] = {
    "right": "✓",
    "rounding": "✓",
    "coarse": "~",
    "follows": "↳",
    "wrong": "✗",
    "unknown": "?",
}


@dataclass(frozen=True)
class Diagnosis:
    """A known mistake that reproduces a wrong value.

    Attributes:
        mistake: the mistake's registry name (``gradient_added``).
        title: one line naming it.
        explanation: one paragraph.
        step: the derivation step where the wrong rule was applied (``dE_total/dout_o1``).
        value: what the mistaken rule gives, from the learner's earlier values.
        detail: which variant, with the network's names: ``dE_o2/dout_h1 = delta_o2 · w6 instead of
            delta_o2 · w7 (w6 where w7 belongs)``.
        explains: the written value it reproduces (the first wrong one, a later one, or a value right
            by accident); empty for a diagnosis of the whole sheet (rounded too early).
    """

    mistake: str
    title: str
    explanation: str
    step: str
    value: float
    detail: str = ""
    explains: str = ""


@dataclass(frozen=True)
class ValueCheck:
    """One written value, checked.

    Attributes:
        name: the derivation's name (or the written name when unknown).
        written: the name as written.
        text: the number as written.
        given: the number.
        decimals: its decimals.
        status: ``right``, ``rounding`` (right up to the learner's own rounding), ``coarse`` (too few
            digits to check, see ``stepgrad.check.tolerance``), ``follows`` (wrong only because an
            earlier value was), ``wrong`` or ``unknown`` (name not known).
        expected: the exact value (None for unknown names).
        from_own_values: the step recomputed from the learner's own earlier values (None for leaves).
        note: a sentence about rounding, the earlier error or the name.
        suggestions: the closest known names, for an unknown name.
        diagnoses: known mistakes that reproduce a wrong value, most direct first.
        location: where it was written (``line 4``).
    """

    name: str
    written: str
    text: str
    given: float
    decimals: int
    status: Status
    expected: float | None = None
    from_own_values: float | None = None
    note: str = ""
    suggestions: tuple[str, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    location: str = ""

    @property
    def ok(self) -> bool:
        """True when the value counts as right."""
        return self.status in CORRECT_STATUSES

    @property
    def difference(self) -> float | None:
        """``given − expected``."""
        return None if self.expected is None else self.given - self.expected

    @property
    def shown(self) -> str:
        """The number as the learner wrote it, with a typographic minus."""
        return self.text.strip().strip("\"'").replace("-", "−")


@dataclass(frozen=True)
class CheckReport:
    """Every checked value in derivation order, the first wrong step and its diagnosis.

    Attributes:
        source: the answer file (or ``<answers>``).
        network: a short description of the network checked against.
        values: the checks, in the order a person works the example; unknown names last.
        first_wrong: the first value wrong on its own (not following from an earlier error), in the
            order of the derivation.
        diagnoses: the diagnoses of ``first_wrong`` (the simplest first), then those of every other
            mistake found: a later value wrong on its own, a value right by accident (two mistakes that
            cancel), values rounded too early.
        missing: the names the derivation computes that were not answered, except those that are a known
            number by their kind (``dnet_o1/dw5 = out_h1``, ``stepgrad.check.names.is_identity``).
        given_hint: when ``first_wrong`` is a given number or a frozen bias, what it should be.
        notes: sentences about the whole sheet, not errors: how the answers were read (lines of notes skipped,
            working lines whose last number was taken, ``stepgrad.check.answers.reading_notes``), a sign
            convention accepted.
    """

    source: str
    network: str
    values: tuple[ValueCheck, ...]
    first_wrong: str | None
    diagnoses: tuple[Diagnosis, ...]
    missing: tuple[str, ...] = ()
    given_hint: str = ""
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every written value is right (exit code 0)."""
        return all(check.ok for check in self.values)

    @property
    def score(self) -> tuple[int, int]:
        """``(right, checked)``: the strict score."""
        return sum(check.ok for check in self.values), len(self.values)

    @property
    def score_ecf(self) -> tuple[int, int]:
        """``(right or consistent, checked)``: the score with error carried forward, where a value right from
        the learner's own earlier (wrong) values counts too."""
        return sum(check.status in CONSISTENT_STATUSES for check in self.values), len(self.values)

    def count(self, status: Status) -> int:
        """How many values have ``status``."""
        return sum(check.status == status for check in self.values)

    def check(self, name: str) -> ValueCheck:
        """The check of value ``name``; ``KeyError`` when it was not written."""
        for candidate in self.values:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: every field, numbers at full precision."""
        right, checked = self.score
        data = asdict(self)
        for check, row in zip(self.values, data["values"], strict=True):
            row["difference"] = check.difference
        data["ok"] = self.ok
        data["score"] = {
            "right": right,
            "checked": checked,
            "wrong": self.count("wrong"),
            "follows": self.count("follows"),
            "unknown": self.count("unknown"),
            "coarse": self.count("coarse"),
        }
        data["score_ecf"] = {"right_or_consistent": self.score_ecf[0], "checked": checked}
        return data

    def render(self, fmt: str = "text", **options: Any) -> str:
        """The report in ``fmt`` (``text``, ``json``, ``markdown``, ``html``)."""
        from stepgrad.check.formats import render_report

        return render_report(self, fmt, **options)

    def _repr_html_(self) -> str:
        """Jupyter display: the HTML report as a fragment."""
        return self.render("html", fragment=True)
