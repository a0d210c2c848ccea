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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
class TorchModule:
    """A ``torch.nn`` loss module that computes a loss (``stepgrad.interop`` maps a script's loss through it).

    Attributes:
        name: the class name in ``torch.nn`` (``BCEWithLogitsLoss``).
        applies: the output activation the module applies itself to what the model gives it (``sigmoid``),
            or None: it takes the outputs as they are.
        per_output_mean: whether its ``mean`` reduction also averages a sample's outputs where ``E_total``
            adds them, so PyTorch's loss is ``(1/n)`` · stepgrad's (BCELoss); under ``sum`` both add everything.
        fixed: attributes the module must hold at these values (HuberLoss's ``delta``).
        refused: attributes that must be unset (None, 0 or False), as stepgrad has no such option (``weight``).
    """

    name: str
    applies: str | None = None
    per_output_mean: bool = False
    fixed: Mapping[str, float] = field(default_factory=dict)
    refused: tuple[str, ...] = ()

    def problem(self, module: Any) -> str | None:
        """Why this instance of the module is not the loss, or None."""
        for attribute in self.refused:
            value = getattr(module, attribute, None)
            if value is not None and not (isinstance(value, float | int) and value == 0):  # False == 0 too
                return f"{self.name} with {attribute} is not supported: stepgrad's losses have no {attribute}"
        for attribute, number in self.fixed.items():
            if float(getattr(module, attribute, number)) != number:
                held = f"{attribute}={getattr(module, attribute)!r}"
                return f"{self.name}({held}) is not supported: stepgrad's form has {attribute} = {number:g}"
        return None


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
            the rest): its logarithms need outputs that are probabilities. A loss that takes any output solves
            regression problems (the page says so), one with ``outputs`` classification problems.
        target_problem: what is wrong with targets ``(B, n_out)`` for it, or None (cross-entropy: each row a
            distribution); None for a loss that takes any targets.
        error_mistakes: the wrong scalings of ``E_k`` people write, as ``(mistake name, factor as written,
            factor)``; the checker's diagnosis tries them (``2·E`` for the squared errors).
        torch_modules: the ``torch.nn`` loss modules that compute it (``verify-torch`` reads a script's loss).
        torch_terms: ``E_total`` of each sample from PyTorch tensors ``(out, target) -> (B,)``, with autograd:
            what ``verify-torch`` runs for a network file's loss named by stepgrad. None: no PyTorch form.
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
    target_problem: Callable[[Array], str | None] | None = None
    error_mistakes: tuple[tuple[str, str, float], ...] = ()
    torch_modules: tuple[TorchModule, ...] = ()
    torch_terms: Callable[[Any, Any], Any] | None = None

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


def _probabilities(targets: Array) -> str | None:
    """Binary cross-entropy's targets are probabilities: each between 0 and 1."""
    outside = targets[(targets < 0) | (targets > 1)]
    if outside.size:
        return f"binary_cross_entropy targets must be between 0 and 1, got {float(outside[0])!r}"
    return None


def _distributions(targets: Array) -> str | None:
    """Cross-entropy's targets of a sample are a distribution over the outputs: non-negative, summing to 1."""
    if np.any(targets < 0):
        return f"cross_entropy targets must not be negative, got {float(targets[targets < 0][0])!r}"
    sums = np.sum(targets, axis=-1)
    wrong = np.flatnonzero(np.abs(sums - 1.0) > 1e-9)
    if wrong.size:
        row = int(wrong[0])
        which = "" if targets.shape[0] == 1 else f" of sample {row + 1}"
        return (
            f"cross_entropy targets{which} must sum to 1 (one probability per output), "
            f"they sum to {float(sums[row]):.10g}"
        )
    return None


def _bce_torch(out: Any, target: Any) -> Any:
    """Binary cross-entropy per sample, as PyTorch's ``BCELoss`` computes each entry (log clamped at −100)."""
    from torch.nn import functional

    return functional.binary_cross_entropy(out, target, reduction="none").sum(dim=-1)


def _huber_terms(target: Array, out: Array) -> Array:
    # ½d² for d = |target − out| ≤ 1, else d − ½: with m = min(d, 1) both are ½m² + (d − m)
    distance = np.abs(target - out)
    near = np.minimum(distance, 1.0)
    return 0.5 * near**2 + (distance - near)


def _huber_torch(out: Any, target: Any) -> Any:
    distance = (target - out).abs()
    near = distance.clamp(max=1.0)
    return (0.5 * near**2 + (distance - near)).sum(dim=-1)


# the squared errors' wrong scalings: E doubled (the ½ of the derivative's 2 forgotten) or halved (a ½ added)
_SCALINGS = (("factor_two", "2", 2.0), ("spurious_half", "½", 0.5))
_WEIGHTS = ("weight", "pos_weight")  # PyTorch's per-class and positive weights: stepgrad weighs every output alike


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
        error_mistakes=_SCALINGS,
        torch_terms=lambda out, target: (0.5 * (target - out) ** 2).sum(dim=-1),
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
        error_mistakes=_SCALINGS,
        torch_modules=(TorchModule("MSELoss"),),
        torch_terms=lambda out, target: ((target - out) ** 2).mean(dim=-1),
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
        target_problem=_probabilities,
        torch_modules=(
            TorchModule("BCELoss", per_output_mean=True, refused=_WEIGHTS),
            TorchModule("BCEWithLogitsLoss", "sigmoid", per_output_mean=True, refused=_WEIGHTS),
        ),
        torch_terms=_bce_torch,
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
        target_problem=_distributions,
        torch_modules=(TorchModule("CrossEntropyLoss", "softmax", refused=("weight", "label_smoothing")),),
        torch_terms=lambda out, target: (-target * out.log()).sum(dim=-1),
    ),
    "huber": Loss(
        name="huber",
        terms=_huber_terms,
        gradient=lambda target, out: np.clip(out - target, -1.0, 1.0),
        formula="E = ½(target − out)² if |target − out| ≤ 1, else |target − out| − ½",
        # ½m² + (d − m) with d = |target − out|, m = min(d, 1): both branches in one line
        formula_latex=r"E = \tfrac{1}{2}\min(|target - out|, 1)^{2} + |target - out| - \min(|target - out|, 1)",
        gradient_formula="out − target, clipped to [−1, 1]",
        gradient_latex=r"\max(-1, \min(1, out - target))",
        kernel_code=None,
        line_term=(
            "0.5 * min(abs({target} - {out}), 1.0) ** 2 + (abs({target} - {out}) - min(abs({target} - {out}), 1.0))"
        ),
        line_gradient="max(-1.0, min(1.0, {out} - {target}))",
        error_mistakes=_SCALINGS[:1],  # the ½ of the quadratic part forgotten
        torch_modules=(
            TorchModule("HuberLoss", per_output_mean=True, fixed={"delta": 1.0}),
            TorchModule("SmoothL1Loss", per_output_mean=True, fixed={"beta": 1.0}),  # the same at beta = 1
        ),
        torch_terms=_huber_torch,
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
        error_mistakes=_SCALINGS,
        torch_modules=(TorchModule("MSELoss"),),
        torch_terms=lambda out, target: ((target - out) ** 2).sum(dim=-1),
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
