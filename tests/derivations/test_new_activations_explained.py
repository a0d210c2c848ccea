"""``stepgrad explain`` on a network file whose hidden layer uses GELU, SiLU, ELU or Softplus writes
the activation's formula, its slope and the numbers, in the terminal and in LaTeX."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from stepgrad.functions import get_activation

STEPGRAD = [str(Path(sys.executable).parent / "stepgrad")]
NET_H1 = 0.15 * 0.05 + 0.2 * 0.1 + 0.35  # the classic file's first hidden net input
FILE = """inputs = [0.05, 0.1]
targets = [0.01, 0.99]
learning_rate = 0.5
loss = "half_squared_error"

[[layer]]
activation = "{activation}"
weights = [[0.15, 0.2], [0.25, 0.3]]
bias = 0.35

[[layer]]
activation = "sigmoid"
weights = [[0.4, 0.45], [0.5, 0.55]]
bias = 0.6
"""
# a piece of the formula each format must show, in the notation of the derivation
SHOWN = {
    "gelu": ("erf(net_h1/√2)", r"\mathrm{erf}"),
    "gelu_tanh": ("tanh(√(2/π)·(net_h1 + 0.044715·net_h1³))", r"{net_{h1}}^{3}"),
    "silu": ("net_h1 / (1 + e^(−net_h1))", r"\frac{net_{h1}}{1 + e^{-net_{h1}}}"),
    "elu": ("net_h1 if net_h1 > 0 else 1·(e^(net_h1) − 1)", r"e^{net_{h1}} - 1"),
    "softplus": ("log(1 + e^(net_h1))", r"\log(1 + e^{net_{h1}})"),
    "softsign": ("net_h1 / (1 + |net_h1|)", r"\frac{net_{h1}}{1 + \left|net_{h1}\right|}"),
}


@pytest.mark.parametrize("activation", SHOWN)
def test_explain_renders_the_derivation_with_numbers(activation: str, tmp_path: Path) -> None:
    (tmp_path / "net.toml").write_text(FILE.format(activation=activation))
    entry = get_activation(activation)
    out_h1 = float(entry.value(np.array([NET_H1]))[0])
    slope_h1 = float(entry.derivative(np.array([NET_H1]), np.array([out_h1]))[0])
    for output_format, shown in zip(("text", "latex"), SHOWN[activation], strict=True):
        result = subprocess.run(
            [*STEPGRAD, "explain", "net.toml", "--format", output_format],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert (
            f"({activation.replace('_', chr(92) + '_') if output_format == 'latex' else activation})" in result.stdout
        )
        assert shown in result.stdout
        # out_h1 and dout_h1/dnet_h1 with the numbers the registry computes, to the 9 digits shown
        assert f"{out_h1:.9g}" in result.stdout
        assert f"{slope_h1:.9g}" in result.stdout
