"""The classic example's derivation for the renderer tests.

Uses ``stepgrad.explain.derivation.explain`` when it exists; until then a few
steps are written by hand from a real trace (the numbers still come from the trace).
"""

from __future__ import annotations

import pytest

from stepgrad.core import Trace, train_step
from stepgrad.explain.step import Derivation, Step
from stepgrad.network import classic_setup


def classic_trace() -> Trace:
    """One training step of the classic example."""
    setup = classic_setup()
    return train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate)


def _hand_made(trace: Trace) -> Derivation:
    values = trace.values(0)

    def step(name: str, section: str, title: str, formula: str, formula_latex: str, substitution: str,
             substitution_latex: str, operands: list[str], involves: tuple[str, ...] = ()) -> Step:
        return Step(name, section, title, formula, formula_latex, substitution, substitution_latex, values[name],
                    {operand: values[operand] for operand in operands}, involves)

    steps = (
        step("net_h1", "Forward pass", "Net input of h1", "net_h1 = w1·i1 + w2·i2 + b1·1",
             r"net_{h1} = w_{1} \cdot i_{1} + w_{2} \cdot i_{2} + b_{1} \cdot 1", "{w1}·{i1} + {w2}·{i2} + {b1}·1",
             r"{w1} \cdot {i1} + {w2} \cdot {i2} + {b1} \cdot 1", ["w1", "i1", "w2", "i2", "b1"],
             ("h1", "w1", "w2", "b1")),
        step("out_h1", "Forward pass", "Output of h1 (logistic)", "out_h1 = 1 / (1 + e^(−net_h1))",
             r"out_{h1} = \frac{1}{1 + e^{-net_{h1}}}", "1 / (1 + e^(−{net_h1}))",
             r"1 / \left(1 + e^{-{net_h1}}\right)",
             ["net_h1"], ("h1",)),
        step("out_o1", "Forward pass", "Output of o1 (logistic)", "out_o1 = 1 / (1 + e^(−net_o1))",
             r"out_{o1} = \frac{1}{1 + e^{-net_{o1}}}", "1 / (1 + e^(−{net_o1}))",
             r"1 / \left(1 + e^{-{net_o1}}\right)",
             ["net_o1"], ("o1",)),
        step("E_total", "Error", "Total error", "E_total = E_o1 + E_o2", r"E_{total} = E_{o1} + E_{o2}",
             "{E_o1} + {E_o2}", r"{E_o1} + {E_o2}", ["E_o1", "E_o2"]),
        step("dE_total/dw5", "Output layer", "Gradient of w5 by the chain rule",
             "dE_total/dw5 = dE_total/dout_o1 · dout_o1/dnet_o1 · dnet_o1/dw5",
             r"\frac{\partial E_{total}}{\partial w_{5}} = \frac{\partial E_{total}}{\partial out_{o1}} \cdot "
             r"\frac{\partial out_{o1}}{\partial net_{o1}} \cdot \frac{\partial net_{o1}}{\partial w_{5}}",
             "{dE_total/dout_o1} · {dout_o1/dnet_o1} · {dnet_o1/dw5}",
             r"{dE_total/dout_o1} \cdot {dout_o1/dnet_o1} \cdot {dnet_o1/dw5}",
             ["dE_total/dout_o1", "dout_o1/dnet_o1", "dnet_o1/dw5"], ("w5", "o1", "h1")),
        step("w5+", "Output layer", "Update of w5", "w5+ = w5 − η·dE_total/dw5",
             r"w_{5}^{+} = w_{5} - \eta \cdot \frac{\partial E_{total}}{\partial w_{5}}",
             "{w5} − 0.5·{dE_total/dw5}", r"{w5} - 0.5 \cdot {dE_total/dw5}", ["w5", "dE_total/dw5"], ("w5",)),
        step("dE_o2/dout_h1", "Hidden layer", "What o2 sends back to h1", "dE_o2/dout_h1 = delta_o2 · w7",
             r"\frac{\partial E_{o2}}{\partial out_{h1}} = \delta_{o2} \cdot w_{7}", "{delta_o2} · {w7}",
             r"{delta_o2} \cdot {w7}", ["delta_o2", "w7"]),
        step("dE_total/dout_h1", "Hidden layer", "Sum over the outputs h1 feeds",
             "dE_total/dout_h1 = dE_o1/dout_h1 + dE_o2/dout_h1",
             r"\frac{\partial E_{total}}{\partial out_{h1}} = \frac{\partial E_{o1}}{\partial out_{h1}} + "
             r"\frac{\partial E_{o2}}{\partial out_{h1}}",
             "{dE_o1/dout_h1} + {dE_o2/dout_h1}", r"{dE_o1/dout_h1} + {dE_o2/dout_h1}",
             ["dE_o1/dout_h1", "dE_o2/dout_h1"]),
        step("w1+", "Hidden layer", "Update of w1", "w1+ = w1 − η·dE_total/dw1",
             r"w_{1}^{+} = w_{1} - \eta \cdot \frac{\partial E_{total}}{\partial w_{1}}",
             "{w1} − 0.5·{dE_total/dw1}", r"{w1} - 0.5 \cdot {dE_total/dw1}", ["w1", "dE_total/dw1"], ("w1",)),
        step("E_total+", "After the update", "Total error after the update", "E_total+ = E_o1+ + E_o2+",
             r"E_{total}^{+} = E_{o1}^{+} + E_{o2}^{+}", "{E_o1+} + {E_o2+}", r"{E_o1+} + {E_o2+}",
             ["E_o1+", "E_o2+"]),
    )
    return Derivation(trace=trace, sample=0, steps=steps, values=values, title="The classic example, by hand",
                      notes=("Hidden deltas use the original output weights (w5 … w8 before the update).",))


def classic_derivation() -> Derivation:
    """The classic example's derivation: ``explain`` when it exists, hand-made steps until then."""
    trace = classic_trace()
    try:
        from stepgrad.explain.derivation import explain
    except ImportError:
        return _hand_made(trace)
    return explain(trace, sample=0)


@pytest.fixture(scope="session")
def derivation() -> Derivation:
    """The classic derivation, built once per session."""
    return classic_derivation()
