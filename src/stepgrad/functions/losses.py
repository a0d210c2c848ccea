"""Loss functions: per-output error terms ``E_k`` whose sum is ``E_total``.

Every loss here is written as ``E_total = Σ_k E_k`` over the output neurons of
one sample, so the derivation can show each ``E_o1``, ``E_o2`` on its own. The
gradient ``dE_total/dout_k`` is given in the derivation's form (for the classic
loss, ``−(target − out)``).

Two pairs have a simpler, stabler combined form that the core uses directly:
sigmoid with binary cross-entropy and softmax with cross-entropy, where
``delta_k = out_k − target_k`` and the error is computed from ``net`` by
log-sum-exp, so saturated outputs give finite errors and no warnings.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from stepgrad.functions.activations import log_sigmoid, log_softmax
from stepgrad.lazy import module_on_first_use

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]
else:  # NumPy when a loss is first computed: the written-out lines of ``stepgrad train`` read the entries without it
    np = module_on_first_use("numpy", globals(), "np")

# Smallest output a logarithm is taken of when a loss is not paired with its
# natural activation (e.g. cross-entropy on a ReLU output that is exactly 0).
LOG_FLOOR = sys.float_info.min  # the smallest normal float64 (NumPy: finfo(float64).tiny); the kernels use it too


@dataclass(frozen=True)
class PairedForm:
    """The combined form of a loss and the output activation it pairs with.

    Attributes:
        terms_from_net: ``E_k`` as a function of ``(target, net)``, stable.
        delta_formula: ``delta_k`` in plain text, e.g. ``out − target``.
        delta_latex: the same in LaTeX.
    """

    terms_from_net: Callable[[Array, Array], Array]
    delta_formula: str = "out − target"
    delta_latex: str = r"out - target"


@dataclass(frozen=True)
class Loss:
    """One loss function.

    Attributes:
        name: registry key, as used in network files and the CLI.
        terms: ``E_k`` for each output, ``(target, out) -> (..., n_out)``.
        gradient: ``dE_total/dout_k``, ``(target, out) -> (..., n_out)``.
        formula: ``E_k`` as plain text.
        formula_latex: the same in LaTeX.
        gradient_formula: ``dE_total/dout_k`` as plain text.
        gradient_latex: the same in LaTeX.
        kernel_code: the branch of the compiled training kernels (``stepgrad.training.compiled``) that computes
            it, or None: trained on the NumPy path only.
        paired: combined forms keyed by output activation name.
        line_term: ``E_k`` of one output as one Python float expression of the placeholders ``{target}``,
            ``{out}`` and ``{n}`` (the number of outputs), the same arithmetic as ``terms``: the form
            ``stepgrad.training.plain_sgd`` writes a small network's training step with (see
            ``Activation.line_value``). None: such networks train on the arrays.
        line_gradient: ``dE_total/dout_k`` the same way.
        outputs: the output activations it takes, or () for any elementwise one; the first is the one it
            pairs with (a model that ends in logits gets it, ``stepgrad.network.model.network_problem`` checks
            the rest): its logarithms need outputs that are probabilities.
    """

    name: str
    terms: Callable[[Array, Array], Array]
    gradient: Callable[[Array, Array], Array]
    formula: str
    formula_latex: str
    gradient_formula: str
    gradient_latex: str
    kernel_code: int | None
    paired: dict[str, PairedForm] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()
    line_term: str | None = None
    line_gradient: str | None = None

    def written_out(self, target: str, out: str, n: int) -> tuple[str, str]:
        """``(line_term, line_gradient)`` said of the variables named ``target`` and ``out``, with ``n`` outputs."""
        if self.line_term is None or self.line_gradient is None:
            raise ValueError(f"{self.name} has no line form")
        return (
            self.line_term.format(target=target, out=out, n=n),
            self.line_gradient.format(target=target, out=out, n=n),
        )

    @property
    def paired_output(self) -> str | None:
        """The output activation this loss pairs with (softmax for cross_entropy), or None for any."""
        return self.outputs[0] if self.outputs else None


def _safe_log(values: Array) -> Array:
    return np.log(np.maximum(values, LOG_FLOOR))


def _half_squared_terms(target: Array, out: Array) -> Array:
    return 0.5 * (target - out) ** 2


def _mse_terms(target: Array, out: Array) -> Array:
    return (target - out) ** 2 / out.shape[-1]


def _mse_gradient(target: Array, out: Array) -> Array:
    return 2.0 * (out - target) / out.shape[-1]


def _bce_terms(target: Array, out: Array) -> Array:
    return -(target * _safe_log(out) + (1.0 - target) * _safe_log(1.0 - out))


def _bce_gradient(target: Array, out: Array) -> Array:
    # dE/dout = (out − t) / (out·(1 − out)); the floor keeps saturated outputs finite.
    return (out - target) / np.maximum(out * (1.0 - out), LOG_FLOOR)


def _bce_terms_from_net(target: Array, net: Array) -> Array:
    # log(1 − σ(net)) = log σ(−net)
    return -(target * log_sigmoid(net) + (1.0 - target) * log_sigmoid(-net))


def _ce_terms(target: Array, out: Array) -> Array:
    return -target * _safe_log(out)


def _ce_gradient(target: Array, out: Array) -> Array:
    return -target / np.maximum(out, LOG_FLOOR)


def _ce_terms_from_net(target: Array, net: Array) -> Array:
    return -target * log_softmax(net)


LOSSES: dict[str, Loss] = {
    "half_squared_error": Loss(
        name="half_squared_error",
        terms=_half_squared_terms,
        gradient=lambda target, out: out - target,
        formula="E = ½(target − out)²",
        formula_latex=r"E = \tfrac{1}{2}(target - out)^{2}",
        gradient_formula="−(target − out)",
        gradient_latex=r"-(target - out)",
        kernel_code=0,
        line_term="0.5 * ({target} - {out}) ** 2",
        line_gradient="{out} - {target}",
    ),
    "mse": Loss(
        name="mse",
        terms=_mse_terms,
        gradient=_mse_gradient,
        formula="E = (target − out)² / n",
        formula_latex=r"E = \frac{(target - out)^{2}}{n}",
        gradient_formula="−2(target − out) / n",
        gradient_latex=r"-\frac{2(target - out)}{n}",
        kernel_code=1,
        line_term="({target} - {out}) ** 2 / {n}",
        line_gradient="2.0 * ({out} - {target}) / {n}",
    ),
    "binary_cross_entropy": Loss(
        name="binary_cross_entropy",
        terms=_bce_terms,
        gradient=_bce_gradient,
        formula="E = −[target·ln(out) + (1 − target)·ln(1 − out)]",
        formula_latex=r"E = -\left[target \ln(out) + (1 - target) \ln(1 - out)\right]",
        gradient_formula="(out − target) / (out·(1 − out))",
        gradient_latex=r"\frac{out - target}{out(1 - out)}",
        kernel_code=2,
        paired={"sigmoid": PairedForm(terms_from_net=_bce_terms_from_net)},
        # or softmax: each output a probability scored on its own (PyTorch's Softmax + BCELoss; no paired form)
        outputs=("sigmoid", "softmax"),
    ),
    "cross_entropy": Loss(
        name="cross_entropy",
        terms=_ce_terms,
        gradient=_ce_gradient,
        formula="E = −target·ln(out)",
        formula_latex=r"E = -target \ln(out)",
        gradient_formula="−target / out",
        gradient_latex=r"-\frac{target}{out}",
        kernel_code=3,
        paired={"softmax": PairedForm(terms_from_net=_ce_terms_from_net)},
        outputs=("softmax",),
    ),
}

ALIASES: dict[str, str] = {
    "squared_error": "half_squared_error",
    "sse": "half_squared_error",
    "bce": "binary_cross_entropy",
    "ce": "cross_entropy",
    "categorical_cross_entropy": "cross_entropy",
}


@dataclass(frozen=True)
class Reduction:
    """How a batch's per-sample losses combine into the one number a step lowers, as PyTorch's ``reduction``.

    ``mean``: ``E = (1/B)·Σ_b E_total(b)`` (stepgrad's default; a batch of one is the classic step);
    ``sum``: ``E = Σ_b E_total(b)``, whose gradients are ``B`` times the mean's. PyTorch's ``sum`` adds every
    element its loss produces, so a loss that averages over the outputs under ``mean`` (``mse``, as
    ``MSELoss``) adds them under ``sum``: ``E_o = (target − out)²`` (``SUMMED_FORMS``).

    Attributes:
        name: ``mean`` or ``sum``, as network files and PyTorch write it.
        formula: the batch's loss in plain text.
        formula_latex: the same in LaTeX.
    """

    name: str
    formula: str
    formula_latex: str

    def factor(self, batch: int) -> float:
        """``c`` in ``E = c · mean_b E_total(b)``: 1 for ``mean``, ``B`` for ``sum``."""
        return float(batch) if self.name == "sum" else 1.0

    def combine(self, per_sample: Array, axis: int = -1) -> Array:
        """The batch's ``E`` (or gradient) from per-sample values along the batch ``axis``: ``(…, B, …) → (…)``."""
        return np.sum(per_sample, axis=axis) if self.name == "sum" else np.mean(per_sample, axis=axis)


REDUCTIONS: dict[str, Reduction] = {
    "mean": Reduction("mean", "E = (1/B)·Σ_b E_total(b)", r"E = \frac{1}{B} \sum_{b} E_{total}(b)"),
    "sum": Reduction("sum", "E = Σ_b E_total(b)", r"E = \sum_{b} E_{total}(b)"),
}
DEFAULT_REDUCTION = "mean"


def _squared_terms(target: Array, out: Array) -> Array:
    return (target - out) ** 2


# A loss's form under ``reduction = "sum"`` where it differs from its registry entry (the ``mean`` form):
# ``mse`` averages over the outputs under ``mean`` and adds them under ``sum``, as PyTorch's MSELoss does.
# No compiled kernel implements it (``kernel_code`` None): it trains on the NumPy path.
SUMMED_FORMS: dict[str, Loss] = {
    "mse": Loss(
        name="mse",
        terms=_squared_terms,
        gradient=lambda target, out: 2.0 * (out - target),
        formula="E = (target − out)²",
        formula_latex=r"E = (target - out)^{2}",
        gradient_formula="−2(target − out)",
        gradient_latex=r"-2(target - out)",
        kernel_code=None,
    ),
}


def get_reduction(name: str) -> Reduction:
    """Look up a reduction (``mean`` or ``sum``); raise ``KeyError`` for another."""
    return REDUCTIONS[name]


def reduction_factor(reduction: str, batch: int) -> float:
    """``c`` in ``E = c · mean_b E_total(b)``: 1 for ``mean``, ``B`` for ``sum``; ``KeyError`` for another."""
    return get_reduction(reduction).factor(batch)


def get_loss(name: str, reduction: str = DEFAULT_REDUCTION) -> Loss:
    """Look up a loss by name or alias, in its form under ``reduction``; ``KeyError`` for an unknown one."""
    key = ALIASES.get(name.lower(), name.lower())
    loss = LOSSES[key]
    if get_reduction(reduction).name == "sum":
        return SUMMED_FORMS.get(key, loss)
    return loss


def loss_names() -> list[str]:
    """Every accepted loss name, aliases included."""
    return sorted([*LOSSES, *ALIASES])
