"""The classic 2-2-2 example as a hand-unrolled numba loop: what in-process training of this shape can cost.

Every number of the derivation is one line over floats (biases shared per layer and not trained, as in the
classic text), compiled once with numba; ``classic_10k`` times it next to ``repeat_steps``.
"""

from __future__ import annotations

import math

import numba


@numba.njit(cache=True)
def _train(steps: int) -> float:
    i1, i2, t1, t2, eta = 0.05, 0.10, 0.01, 0.99, 0.5
    w1, w2, w3, w4, w5, w6, w7, w8, b1, b2 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55, 0.35, 0.60
    for _ in range(steps):
        h1 = 1.0 / (1.0 + math.exp(-(w1 * i1 + w2 * i2 + b1)))
        h2 = 1.0 / (1.0 + math.exp(-(w3 * i1 + w4 * i2 + b1)))
        o1 = 1.0 / (1.0 + math.exp(-(w5 * h1 + w6 * h2 + b2)))
        o2 = 1.0 / (1.0 + math.exp(-(w7 * h1 + w8 * h2 + b2)))
        d1 = (o1 - t1) * o1 * (1.0 - o1)  # delta_o1
        d2 = (o2 - t2) * o2 * (1.0 - o2)
        dh1 = (d1 * w5 + d2 * w7) * h1 * (1.0 - h1)  # delta_h1 with the original weights
        dh2 = (d1 * w6 + d2 * w8) * h2 * (1.0 - h2)
        w5, w6, w7, w8 = w5 - eta * d1 * h1, w6 - eta * d1 * h2, w7 - eta * d2 * h1, w8 - eta * d2 * h2
        w1, w2, w3, w4 = w1 - eta * dh1 * i1, w2 - eta * dh1 * i2, w3 - eta * dh2 * i1, w4 - eta * dh2 * i2
    h1 = 1.0 / (1.0 + math.exp(-(w1 * i1 + w2 * i2 + b1)))
    h2 = 1.0 / (1.0 + math.exp(-(w3 * i1 + w4 * i2 + b1)))
    o1 = 1.0 / (1.0 + math.exp(-(w5 * h1 + w6 * h2 + b2)))
    o2 = 1.0 / (1.0 + math.exp(-(w7 * h1 + w8 * h2 + b2)))
    return 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2


def train_unrolled(steps: int) -> float:
    """``E_total`` after ``steps`` online updates of the classic network."""
    return float(_train(steps))
