"""How precisely a written value is checked: the rule, in one place.

A value is checked at the precision it is written with. ``0.5933`` has 4 decimals;
it carries the rounding ``u = ½·10⁻⁴`` and is right when ``|given − exact| ≤ u`` (it
rounds the exact value to 4 decimals), or when it follows, within ``u`` plus the
rounding its inputs carry, from the learner's own earlier values.

**Enough digits.** A value written with ``k`` decimals counts as right when it rounds
the value it is checked against (``v``) and ``k ≥ min(3, d₂(v))``, where ``d₂(v)``
is the number of decimals that show 2 significant digits of ``v``
(``d₂ = max(0, 1 − ⌊log₁₀|v|⌋)``): 1 decimal from 1 to 10, 2 from 0.1 to 1, 3 below
0.1; 3 decimals are always enough. So a learner who rounds consistently to 3 or 4
decimals is right everywhere (``E_o2 = 0.024``, ``dE_total/dw1 = 0.000`` at 3
decimals, ``E_o1 = 0.0000`` for 5.6e-06); such a value showing fewer than 2
significant digits is right with a note *few digits*. Fewer decimals than that
(``out_h2 = 0.6``, ``net_o1 = 1``) is *too few digits*: not right, but not wrong
either, and the values computed from it are judged against it with its rounding
(``0.6`` carries ±0.05), so it never turns the later steps into errors.

**Claims.** A bare ``0``, ``1`` or ``−1`` (no decimal point: ``0.00`` rounds) without enough digits for the value is
not a coarse rounding but a claim that the value is exactly that (a dead neuron,
a ReLU slope): it is checked exactly, and carries no rounding into later steps.
``w5+ = 0`` is wrong (and diagnosed), ``dout/dnet = 0`` where a leaky ReLU's slope is
0.01 too. A value that *is* exactly the value (``1`` for a ReLU derivative, ``0`` for a
dead neuron, ``0.05`` for ``i1``) is right and carries no rounding either.

**Given numbers.** The network's own numbers (inputs, targets, weights, biases, η)
carry no rounding, whatever the learner copied: ``w5 = 0.4`` is 0.40, not 0.4 ± 0.05.

**Steps not written down.** A learner who rounds at every step but writes only some
values rounded the others too. Each unwritten intermediate value ``v`` is taken to
carry the rounding of the value being checked: half a unit of its last decimal,
or of its last significant digit at ``v``'s own magnitude, whichever is larger
(the learner may round to fixed decimals or to significant digits). The rounding
is followed through the steps to first order (``World`` in ``stepgrad.check.world``).

Values must be finite: ``1e999`` or ``inf`` is unusable input, not a number to check.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

#: Decimals that are always enough …
ENOUGH_DECIMALS = 3
#: … otherwise a value needs the decimals that show this many significant digits of the value.
ENOUGH_SIGNIFICANT = 2
#: A value written with at least this many significant digits may come from a learner who rounds to
#: significant digits rather than to fixed decimals (``working_rounding``).
SIGNIFICANT_STYLE = 3
#: Written values that, with too few digits, claim the value exactly instead of rounding it.
CLAIMS = (0.0, 1.0, -1.0)

# Slack on top of the written rounding: values near a rounding boundary, and values a learner's own
# program printed with 17 digits in a different order of operations (about 10 significant digits count).
FLOAT_SLACK = 1e-10
# "Exactly the value": equal up to float64 round-off.
EXACT_SLACK = 1e-12

_MANTISSA = re.compile(r"^[+\-−]?(\d*)(?:\.(\d*))?")


def significant_digits(text: str) -> int:
    """The significant digits of a written number: ``0.0004`` → 1, ``0.3590`` → 4, ``12`` → 2, ``0`` → 0."""
    match = _MANTISSA.match(text.strip().strip("\"'").strip())
    if match is None:
        return 0
    digits = (match.group(1) or "") + (match.group(2) or "")
    return len(digits.lstrip("0"))


def half_unit(decimals: int) -> float:
    """``½·10^−decimals``: the rounding a value written with ``decimals`` decimals carries."""
    return 0.5 * 10.0 ** (-decimals)


def decimals_for(value: float, significant: int = ENOUGH_SIGNIFICANT) -> int:
    """Decimals that show ``significant`` significant digits of ``value``: ``max(0, significant − 1 − ⌊log₁₀|v|⌋)``.

    ``0.5933`` → 2, ``0.0236`` → 3, ``1.106`` → 1, ``12.3`` → 0; 0 for 0 (any number of decimals shows it).
    """
    if value == 0 or not math.isfinite(value):
        return 0
    return max(0, significant - 1 - math.floor(math.log10(abs(value))))


def needed_decimals(value: float) -> int:
    """The decimals enough to check ``value`` at: ``min(3, d₂(value))``."""
    return min(ENOUGH_DECIMALS, decimals_for(value))


def enough_digits(decimals: int, value: float) -> bool:
    """True when ``decimals`` decimals are enough to check ``value`` at: ``decimals ≥ min(3, d₂(value))``."""
    return decimals >= needed_decimals(value)


def few_digits(decimals: int, value: float) -> bool:
    """True when ``decimals`` decimals show fewer than 2 significant digits of ``value`` (right, with a note)."""
    return decimals < decimals_for(value)


def within(given: float, target: float, tolerance: float) -> bool:
    """``|given − target| ≤ tolerance`` (plus float slack); False when anything is not finite."""
    if not (math.isfinite(given) and math.isfinite(target) and math.isfinite(tolerance)):
        return False
    return abs(given - target) <= tolerance + FLOAT_SLACK * max(1.0, abs(given))


def exactly(given: float, target: float) -> bool:
    """True when ``given`` is exactly ``target`` (up to float64 round-off)."""
    return math.isfinite(target) and abs(given - target) <= EXACT_SLACK * max(1.0, abs(target))


def is_claim(given: float, decimals: int, exact: float) -> bool:
    """True when ``given`` is a bare ``0``/``1``/``−1`` (no decimals) and is not ``exact``: a claim that the value
    is exactly that (a dead ReLU's 0, a slope of 1), checked exactly. ``0.00`` shows its decimals: it rounds, it
    does not claim (too few digits for 0.0004)."""
    return given in CLAIMS and decimals == 0 and not exactly(given, exact)


def carried_rounding(given: float, decimals: int, exact: float) -> float:
    """How far the value a learner used may be from the ``given`` one they wrote: their rounding,
    half a unit of the last decimal; none for a value that is exactly ``exact`` or claims to be."""
    if exactly(given, exact) or is_claim(given, decimals, exact):
        return 0.0
    return half_unit(decimals)


def working_rounding(decimals: int, significant: int, claim: bool = False) -> Callable[[float], float]:
    """The half-unit an unwritten value ``v`` carries for a learner who writes values like this one.

    ``max(½·10^−decimals, ½·10^(⌊log₁₀|v|⌋ − significant + 1))``; a value written with fewer than
    ``SIGNIFICANT_STYLE`` significant digits was written to fixed decimals, so only the first term counts.
    A claim (``is_claim``) says nothing about rounding: none.
    """
    if claim:
        return no_rounding
    fixed = half_unit(decimals)
    if significant < SIGNIFICANT_STYLE:
        return lambda value: fixed

    def rounding(value: float) -> float:
        if value == 0 or not math.isfinite(value):
            return fixed
        return max(fixed, 0.5 * 10.0 ** (math.floor(math.log10(abs(value))) - significant + 1))

    return rounding


def no_rounding(value: float) -> float:
    """The rounding of a world without rounding (a claim's: the learner says the value is exact)."""
    return 0.0


def shown_digits(significant: int) -> int:
    """Significant digits to show a recomputed value with: two more than the learner wrote, 6 to 12."""
    return min(12, max(6, significant + 2))
