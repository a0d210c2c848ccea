"""One optimizer update, step by step: buffers or moments, bias correction, the update.

The numbers come from ``Optimizer.update_recorded`` (the code that trains) and the gradients
from ``stepgrad.core.train_step`` (the trace); nothing is recomputed here. Names, per parameter
``p`` (``w5``, ``b1`` …), as they appear in the JSON output:

* momentum / nesterov: ``v_p`` (the velocity before), ``v_p+ = μ·v_p + dE_total/dp``,
  ``p+ = p − η·v_p+`` (nesterov: ``p+ = p − η·(dE_total/dp + μ·v_p+)``);
* adam: ``bias_correction1 = 1 − β₁ᵗ``, ``bias_correction2 = 1 − β₂ᵗ``,
  ``m_p+ = β₁·m_p + (1 − β₁)·dE_total/dp``, ``v_p+ = β₂·v_p + (1 − β₂)·(dE_total/dp)²``,
  ``m̂_p`` → ``mhat_p = m_p+ / bias_correction1``, ``vhat_p = v_p+ / bias_correction2``,
  ``p+ = p − η·mhat_p / (√vhat_p + ε)``;
* adamw: first ``decayed_p = p − η·λ·p`` (weights only), then adam's steps from ``decayed_p``;
* sgd: ``p+ = p − η·dE_total/dp``.

With L2 weight decay ``λ`` (all but adamw) a step ``g_p = dE_total/dp + λ·p`` comes first and the
rules use ``g_p``. The update explained is update number ``step`` of training on one sample of
the setup (``sample``, as ``stepgrad explain --sample``), ``step=2`` by default so the buffers
are not all zero. These are the names ``verify_torch_step`` compares PyTorch's buffers under.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from stepgrad.core.step import train_step
from stepgrad.derivations.derivation import check_sample
from stepgrad.derivations.step import Derivation, Step
from stepgrad.network import value_names
from stepgrad.network.classic import classic_setup
from stepgrad.network.model import Setup
from stepgrad.network.naming import network_names
from stepgrad.training.inputs import check_positive_finite
from stepgrad.training.optimizers import Optimizer, get_optimizer
from stepgrad.training.params import Params, params_of, with_params

TITLES = {
    "sgd": "A plain gradient-descent update, step by step",
    "momentum": "A momentum update, step by step",
    "nesterov": "A Nesterov momentum update, step by step",
    "adam": "An Adam update, step by step",
    "adamw": "An AdamW update (decoupled weight decay), step by step",
}
ADAPTIVE = ("adam", "adamw")


def _step(
    name: str,
    section: str,
    title: str,
    formula: str,
    latex: str,
    substitution: str,
    substitution_latex: str,
    value: float,
    operands: dict[str, float],
    involves: tuple[str, ...] = (),
) -> Step:
    return Step(
        name=name,
        section=section,
        title=title,
        formula=formula,
        formula_latex=latex,
        substitution=substitution,
        substitution_latex=substitution_latex,
        value=float(value),
        operands={k: float(v) for k, v in operands.items()},
        involves=involves,
    )


def _regularized_gradient_step(
    opt: Optimizer, g_name: str, grad_name: str, p: str, section: str, value: float, gradient: float, before: float
) -> Step:
    """``g_w = dE_total/dw + λ·w`` (L2 weight decay) ``+ λ₁·sign(w)`` (L1): the gradient the rule uses."""
    l2 = opt.weight_decay if not opt.decoupled else 0.0
    text, latex = [grad_name], [rf"\frac{{\partial E_{{total}}}}{{\partial {p}}}"]
    substitution, substitution_latex = [f"{{{grad_name}}}"], [f"{{{grad_name}}}"]
    operands: dict[str, float] = {grad_name: gradient, p: before}
    kinds = []
    if l2:
        text.append(f"λ·{p}")
        latex.append(rf"\lambda {p}")
        substitution.append(f"{{λ}}·{{{p}}}")
        substitution_latex.append(f"{{λ}} \\cdot {{{p}}}")
        operands["λ"] = opt.weight_decay
        kinds.append("L2 weight decay")
    if opt.l1:
        text.append(f"λ₁·sign({p})")
        latex.append(rf"\lambda_1 \operatorname{{sign}}({p})")
        substitution.append(f"{{λ₁}}·sign({{{p}}})")
        substitution_latex.append(rf"{{λ₁}} \cdot \operatorname{{sign}}({{{p}}})")
        operands["λ₁"] = opt.l1
        kinds.append("L1 regularization")
    return _step(
        g_name,
        section,
        f"Gradient of {p} with {' and '.join(kinds)}",
        f"{g_name} = " + " + ".join(text),
        rf"g_{{{p}}} = " + " + ".join(latex),
        " + ".join(substitution),
        " + ".join(substitution_latex),
        value,
        operands,
        (p,),
    )


def optimizer_derivation(
    optimizer: str | Optimizer = "momentum",
    setup: Setup | None = None,
    step: int = 2,
    learning_rate: float | None = None,
    sample: int = 0,
    **hyper: float,
) -> Derivation:
    """The ``step``-th update of ``optimizer`` on sample ``sample`` of ``setup`` (the classic example by default).

    Args:
        optimizer: ``sgd``, ``momentum``, ``nesterov``, ``adam``, ``adamw`` or an ``Optimizer``.
        setup: network and samples; the classic example when None.
        step: which update to explain (1 = the first; earlier ones only fill the buffers).
        learning_rate: ``η`` (default: the setup's, with a note when that is far too large for Adam).
        sample: which sample to train on (0 = the first), a batch of one.
        hyper: optimizer hyper-parameters (``momentum``, ``beta1``, ``beta2``, ``eps``, ``weight_decay``).
    """
    setup = setup or classic_setup()
    check_sample(sample, setup.n_samples, "the file", setup.source)
    opt = get_optimizer(optimizer, **hyper) if isinstance(optimizer, str) else optimizer
    rate = setup.learning_rate if learning_rate is None else learning_rate
    check_positive_finite(rate, "the learning rate")
    x, target = setup.inputs[sample : sample + 1], setup.targets[sample : sample + 1]
    network = setup.network
    trains = [True if index % 2 == 0 else layer.trains_bias for layer in network.layers for index in (0, 1)]
    is_weight = [index % 2 == 0 for index in range(len(trains))]
    params = params_of(network)
    state = opt.init(params.arrays())
    for _ in range(max(step, 1)):
        trace = train_step(with_params(network, params), x, target, rate)
        grads = [array for layer in trace.layers for array in (layer.grad_w, layer.grad_b)]
        grads = [g if t else np.zeros_like(g) for g, t in zip(grads, trains, strict=True)]
        before = params
        arrays, state, record = opt.update_recorded(params.arrays(), grads, state, rate, is_weight)
        params = Params.from_arrays(arrays)
    steps = _steps(opt, rate, trace.network, before, params, grads, record, trains)
    values = {k: v for k, v in trace.values(0).items() if not k.endswith("+")}
    values.update({s.name: s.value for s in steps})
    for s in steps:
        values.update({k: v for k, v in s.operands.items() if k not in values})
    decay = "decoupled weight decay" if opt.decoupled else "L2 weight decay"
    notes = [
        f"Update {max(step, 1)} of {opt.name} with η = {rate:g}"
        + (f", μ = {opt.momentum:g}" if opt.name in ("momentum", "nesterov") else "")
        + (f", β₁ = {opt.beta1:g}, β₂ = {opt.beta2:g}, ε = {opt.eps:g}" if opt.name in ADAPTIVE else "")
        + (f", {decay} λ = {opt.weight_decay:g}" if opt.weight_decay else "")
        + (f", L1 regularization λ₁ = {opt.l1:g}" if opt.l1 else "")
        + "; the gradients dE_total/dp are those of the current weights (the backward pass of `stepgrad explain`).",
    ]
    if setup.n_samples > 1:
        notes.append(f"Sample {sample + 1} of {setup.n_samples} in the file; each update trains on that sample alone.")
    if learning_rate is None and opt.name in ADAPTIVE and rate > 0.01:
        moves = [
            (abs(float(new) - float(old)), label, float(old), float(new))
            for labels, old_array, new_array in zip(_labels(network), before.arrays(), params.arrays(), strict=True)
            for label, old, new in zip(labels, np.ravel(old_array), np.ravel(new_array), strict=True)
        ]
        _, label, old, new = max(moves)
        notes.append(
            f"η = {rate:g} is the file's learning rate, chosen for plain gradient descent. Adam moves every "
            f"parameter by about η per update ({label}: {old:.6g} → {new:.6g} here), far more than gradient "
            "descent does; Adam's usual η is 0.001 (give it with --lr)."
        )
    return Derivation(
        trace=trace, sample=0, steps=tuple(steps), values=values, title=TITLES[opt.name], notes=tuple(notes)
    )


def _labels(network: Any) -> list[list[str]]:
    """The parameter names (``w1``, ``b1`` …) of each array of ``Params.arrays()``, flattened."""
    names = network_names(network)
    labels: list[list[str]] = []
    for layer in range(len(network.layers)):
        labels.append([name for row in names.weights[layer] for name in row])
        labels.append(list(names.biases[layer]))
    return labels


def _steps(
    opt: Optimizer,
    rate: float,
    network: Any,
    before: Params,
    after: Params,
    grads: list[Any],
    record: dict[str, Any],
    trains: list[bool],
) -> list[Step]:
    labels = _labels(network)
    out: list[Step] = []
    if opt.name in ADAPTIVE:
        t = record["t"]
        out.append(
            _step(
                "bias_correction1",
                "Bias correction",
                "How much of m is still the zero start",
                "bias_correction1 = 1 − β₁^t",
                r"\hat{c}_1 = 1 - \beta_1^{t}",
                f"1 − {{β₁}}^{t}",
                f"1 - {{β₁}}^{{{t}}}",
                record["correction1"],
                {"β₁": opt.beta1},
            )
        )
        out.append(
            _step(
                "bias_correction2",
                "Bias correction",
                "How much of v is still the zero start",
                "bias_correction2 = 1 − β₂^t",
                r"\hat{c}_2 = 1 - \beta_2^{t}",
                f"1 − {{β₂}}^{t}",
                f"1 - {{β₂}}^{{{t}}}",
                record["correction2"],
                {"β₂": opt.beta2},
            )
        )
    for index, label_list in enumerate(labels):
        if not trains[index]:
            continue
        flat = {key: np.ravel(value[index]) for key, value in record.items() if isinstance(value, list | tuple)}
        p_before, p_after = np.ravel(before.arrays()[index]), np.ravel(after.arrays()[index])
        raw = np.ravel(grads[index])
        for k, p in enumerate(label_list):
            section = f"Update of {p}"
            grad_name = value_names.gradient(p)
            g_name = grad_name
            involves = (p,)
            if ((opt.weight_decay and not opt.decoupled) or opt.l1) and index % 2 == 0:
                g_name = f"g_{p}"
                out.append(
                    _regularized_gradient_step(opt, g_name, grad_name, p, section, flat["g"][k], raw[k], p_before[k])
                )
            g_value = flat["g"][k]
            if opt.name in ("momentum", "nesterov"):
                v_old, v_new = f"v_{p}", f"v_{p}+"
                out.append(
                    _step(
                        v_new,
                        section,
                        f"Velocity of {p}: decayed old velocity plus the gradient",
                        f"{v_new} = μ·{v_old} + {g_name}",
                        rf"v_{{{p}}}^{{+}} = \mu v_{{{p}}} + g",
                        f"{{μ}}·{{{v_old}}} + {{{g_name}}}",
                        f"{{μ}} \\cdot {{{v_old}}} + {{{g_name}}}",
                        flat["v+"][k],
                        {"μ": opt.momentum, v_old: flat["v"][k], g_name: g_value},
                        involves,
                    )
                )
                if opt.name == "nesterov":
                    out.append(
                        _step(
                            f"{p}+",
                            section,
                            f"New {p}: a step along the gradient plus the look-ahead velocity",
                            f"{p}+ = {p} − η·({g_name} + μ·{v_new})",
                            rf"{p}^{{+}} = {p} - \eta (g + \mu v^{{+}})",
                            f"{{{p}}} − {{η}}·({{{g_name}}} + {{μ}}·{{{v_new}}})",
                            f"{{{p}}} - {{η}} \\cdot ({{{g_name}}} + {{μ}} \\cdot {{{v_new}}})",
                            p_after[k],
                            {p: p_before[k], "η": rate, g_name: g_value, "μ": opt.momentum, v_new: flat["v+"][k]},
                            involves,
                        )
                    )
                else:
                    out.append(
                        _step(
                            f"{p}+",
                            section,
                            f"New {p}: a step along the velocity",
                            f"{p}+ = {p} − η·{v_new}",
                            rf"{p}^{{+}} = {p} - \eta v_{{{p}}}^{{+}}",
                            f"{{{p}}} − {{η}}·{{{v_new}}}",
                            f"{{{p}}} - {{η}} \\cdot {{{v_new}}}",
                            p_after[k],
                            {p: p_before[k], "η": rate, v_new: flat["v+"][k]},
                            involves,
                        )
                    )
            elif opt.name in ADAPTIVE:
                start_name, start_value = p, p_before[k]
                if "decayed" in flat and index % 2 == 0:
                    start_name, start_value = f"decayed_{p}", flat["decayed"][k]
                    out.append(
                        _step(
                            start_name,
                            section,
                            f"Decoupled weight decay: {p} shrinks before the Adam step",
                            f"{start_name} = {p} − η·λ·{p}",
                            rf"{p}' = {p} - \eta \lambda {p}",
                            f"{{{p}}} − {{η}}·{{λ}}·{{{p}}}",
                            rf"{{{p}}} - {{η}} \cdot {{λ}} \cdot {{{p}}}",
                            start_value,
                            {p: p_before[k], "η": rate, "λ": opt.weight_decay},
                            involves,
                        )
                    )
                m_old, m_new, v_old, v_new = f"m_{p}", f"m_{p}+", f"v_{p}", f"v_{p}+"
                mhat, vhat = f"mhat_{p}", f"vhat_{p}"
                out.append(
                    _step(
                        m_new,
                        section,
                        f"First moment of {p}: a running mean of the gradient",
                        f"{m_new} = β₁·{m_old} + (1 − β₁)·{g_name}",
                        r"m^{+} = \beta_1 m + (1 - \beta_1) g",
                        f"{{β₁}}·{{{m_old}}} + (1 − {{β₁}})·{{{g_name}}}",
                        f"{{β₁}} \\cdot {{{m_old}}} + (1 - {{β₁}}) \\cdot {{{g_name}}}",
                        flat["m+"][k],
                        {"β₁": opt.beta1, m_old: flat["m"][k], g_name: g_value},
                        involves,
                    )
                )
                out.append(
                    _step(
                        v_new,
                        section,
                        f"Second moment of {p}: a running mean of the squared gradient",
                        f"{v_new} = β₂·{v_old} + (1 − β₂)·({g_name})²",
                        r"v^{+} = \beta_2 v + (1 - \beta_2) g^2",
                        f"{{β₂}}·{{{v_old}}} + (1 − {{β₂}})·{{{g_name}}}²",
                        f"{{β₂}} \\cdot {{{v_old}}} + (1 - {{β₂}}) \\cdot {{{g_name}}}^2",
                        flat["v+"][k],
                        {"β₂": opt.beta2, v_old: flat["v"][k], g_name: g_value},
                        involves,
                    )
                )
                out.append(
                    _step(
                        mhat,
                        section,
                        "Bias-corrected first moment",
                        f"{mhat} = {m_new} / bias_correction1",
                        r"\hat{m} = m^{+} / \hat{c}_1",
                        f"{{{m_new}}} / {{bias_correction1}}",
                        f"{{{m_new}}} / {{bias_correction1}}",
                        flat["m_hat"][k],
                        {m_new: flat["m+"][k], "bias_correction1": record["correction1"]},
                        involves,
                    )
                )
                out.append(
                    _step(
                        vhat,
                        section,
                        "Bias-corrected second moment",
                        f"{vhat} = {v_new} / bias_correction2",
                        r"\hat{v} = v^{+} / \hat{c}_2",
                        f"{{{v_new}}} / {{bias_correction2}}",
                        f"{{{v_new}}} / {{bias_correction2}}",
                        flat["v_hat"][k],
                        {v_new: flat["v+"][k], "bias_correction2": record["correction2"]},
                        involves,
                    )
                )
                out.append(
                    _step(
                        f"{p}+",
                        section,
                        f"New {p}: a step of about η in the direction of the mean gradient",
                        f"{p}+ = {start_name} − η·{mhat} / (√{vhat} + ε)",
                        rf"{p}^{{+}} = {p} - \eta \frac{{\hat m}}{{\sqrt{{\hat v}} + \epsilon}}",
                        f"{{{start_name}}} − {{η}}·{{{mhat}}} / (√{{{vhat}}} + {{ε}})",
                        f"{{{start_name}}} - {{η}} \\frac{{{{{mhat}}}}}{{\\sqrt{{{{{vhat}}}}} + {{ε}}}}",
                        p_after[k],
                        {
                            start_name: start_value,
                            "η": rate,
                            mhat: flat["m_hat"][k],
                            vhat: flat["v_hat"][k],
                            "ε": opt.eps,
                        },
                        involves,
                    )
                )
            else:
                out.append(
                    _step(
                        f"{p}+",
                        section,
                        f"New {p}",
                        f"{p}+ = {p} − η·{g_name}",
                        rf"{p}^{{+}} = {p} - \eta g",
                        f"{{{p}}} − {{η}}·{{{g_name}}}",
                        f"{{{p}}} - {{η}} \\cdot {{{g_name}}}",
                        p_after[k],
                        {p: p_before[k], "η": rate, g_name: g_value},
                        involves,
                    )
                )
    return out
