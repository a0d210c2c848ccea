"""How precisely a written value is checked: the rule, in one place.

A value is checked at the precision it is written with. ``0.5933`` has 4 decimals
and 4 significant digits; it carries the rounding ``u = ½·10⁻⁴`` and is right when
``|given − exact| ≤ u``, or when it follows, within ``u`` plus the rounding its
inputs carry, from the learner's own earlier values.

**Enough digits.** A value must be written with at least 3 significant digits or
at least 4 decimals (the precision the exercises ask for) to count as right:
otherwise ``0`` would pass for every value below ½ and ``1`` for anything near 1.
A value with fewer digits is *too few digits to check* (not right, and not the
first wrong step) unless it is exactly the value (``0.05`` for ``i1``, ``1`` for a
ReLU derivative, ``0`` for a dead neuron's delta). Written that coarsely and still
off by more than its own rounding, it is wrong.

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

#: At least this many significant digits …
MIN_SIGNIFICANT = 3
#: … or this many decimals, for a value to count as right.
MIN_DECIMALS = 4

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


def enough_digits(decimals: int, significant: int) -> bool:
    """True when a value written with ``decimals`` and ``significant`` digits can count as right."""
    return significant >= MIN_SIGNIFICANT or decimals >= MIN_DECIMALS


def within(given: float, target: float, tolerance: float) -> bool:
    """``|given − target| ≤ tolerance`` (plus float slack); False when anything is not finite."""
    if not (math.isfinite(given) and math.isfinite(target) and math.isfinite(tolerance)):
        return False
    return abs(given - target) <= tolerance + FLOAT_SLACK * max(1.0, abs(given))


def exactly(given: float, target: float) -> bool:
    """True when ``given`` is exactly ``target`` (up to float64 round-off)."""
    return math.isfinite(target) and abs(given - target) <= EXACT_SLACK * max(1.0, abs(target))


def working_rounding(decimals: int, significant: int) -> Callable[[float], float]:
    """The half-unit an unwritten value ``v`` carries for a learner who writes values like this one.

    ``max(½·10^−decimals, ½·10^(⌊log₁₀|v|⌋ − significant + 1))``; a value written with fewer than
    ``MIN_SIGNIFICANT`` significant digits was written to fixed decimals, so only the first term counts.
    """
    fixed = 0.5 * 10.0 ** (-decimals)
    if significant < MIN_SIGNIFICANT:
        return lambda value: fixed

    def half_unit(value: float) -> float:
        if value == 0 or not math.isfinite(value):
            return fixed
        return max(fixed, 0.5 * 10.0 ** (math.floor(math.log10(abs(value))) - significant + 1))

    return half_unit


def shown_digits(significant: int) -> int:
    """Significant digits to show a recomputed value with: two more than the learner wrote, 6 to 12."""
    return min(12, max(6, significant + 2))
