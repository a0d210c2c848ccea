"""Activation values and slopes against plain ``math`` written from the textbook formula, and at ±1000.

The registry's forms are the stable ones (no overflow, no NumPy warning); these references are the
naive formulas a person writes, evaluated where they do not overflow.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from stepgrad.functions import get_activation

# name -> (out = f(net), dout/dnet) as the textbook writes them, for moderate net
REFERENCES: dict[str, tuple[Callable[[float], float], Callable[[float], float]]] = {
    "softplus": (lambda x: math.log1p(math.exp(x)), lambda x: 1.0 / (1.0 + math.exp(-x))),
    "gelu": (
        lambda x: x * 0.5 * math.erfc(-x / math.sqrt(2)),
        lambda x: 0.5 * math.erfc(-x / math.sqrt(2)) + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi),
    ),
    "gelu_tanh": (
        lambda x: 0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
        lambda x: (
            0.5 * (1 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
            + 0.5
            * x
            * (1 - math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)) ** 2)
            * math.sqrt(2 / math.pi)
            * (1 + 3 * 0.044715 * x * x)
        ),
    ),
    "silu": (
        lambda x: x / (1 + math.exp(-x)),
        lambda x: 1 / (1 + math.exp(-x)) + x * math.exp(-x) / (1 + math.exp(-x)) ** 2,
    ),
    "elu": (lambda x: x if x > 0 else math.expm1(x), lambda x: 1.0 if x > 0 else math.exp(x)),
    "softsign": (lambda x: x / (1 + abs(x)), lambda x: (1 - abs(x / (1 + abs(x)))) ** 2),
}
# out and dout/dnet at net = 1000 where they are not the identity's 1000 and 1
FAR_ABOVE = {"softsign": (1000.0 / 1001.0, 1.0 / 1001.0**2)}
NETS = np.array([-30.0, -4.0, -1.5, -0.3, 0.0, 0.2, 0.7, 2.5, 6.0, 30.0])


@pytest.mark.parametrize("name", REFERENCES)
def test_value_and_slope_match_the_textbook_formula(name: str) -> None:
    entry = get_activation(name)
    value, slope = REFERENCES[name]
    out = entry.value(NETS)
    np.testing.assert_allclose(out, [value(x) for x in NETS], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(entry.derivative(NETS, out), [slope(x) for x in NETS], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", REFERENCES)
def test_slope_is_the_derivative_of_the_value(name: str) -> None:
    entry = get_activation(name)
    step = 1e-6
    nets = NETS[(np.abs(NETS) < 10) & (NETS != 0)]  # ELU's second derivative jumps at 0
    numeric = (entry.value(nets + step) - entry.value(nets - step)) / (2 * step)
    np.testing.assert_allclose(entry.derivative(nets, entry.value(nets)), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", REFERENCES)
def test_extreme_net_inputs_are_finite_and_quiet(name: str) -> None:
    entry = get_activation(name)
    nets = np.array([-1000.0, -745.0, 745.0, 1000.0])
    out = entry.value(nets)  # pytest turns a NumPy RuntimeWarning into an error
    slope = entry.derivative(nets, out)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(slope))
    # far above zero each is the identity, except softsign, which saturates towards 1
    expected_out, expected_slope = FAR_ABOVE.get(name, (1000.0, 1.0))
    assert out[-1] == pytest.approx(expected_out, rel=1e-12) and slope[-1] == pytest.approx(expected_slope, rel=1e-12)
