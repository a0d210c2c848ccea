"""Turn a trace into the steps a person works by hand, in the order they work them.

The order and its groups are ``stepgrad.network.step_order``'s (forward pass, total error, output
layer, hidden layers with each ``w+`` right after its gradient, biases, the error after the
update); this module writes each kind of step's formula. Every value is read from the trace
(``trace.values(sample)``); nothing is computed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stepgrad.core.step import train_step
from stepgrad.core.trace import HiddenDeltasFrom, Trace
from stepgrad.derivations.notation import (
    activation_template,
    derivative_operands,
    derivative_template,
    error_gradient_template,
    error_template,
    latex_name,
    math_latex,
    paired_delta_template,
)
from stepgrad.derivations.step import Derivation, Step
from stepgrad.errors import StepgradError, quantity
from stepgrad.functions import get_activation, get_loss
from stepgrad.network import value_names
from stepgrad.network.classic import is_classic
from stepgrad.network.step_order import step_order

if TYPE_CHECKING:
    from stepgrad.network.model import Setup
    from stepgrad.network.naming import Names

UPDATE_NOTE = (
    "The new weights are only used from the next step on: every gradient of this step, the hidden "
    "layers' included, is computed with the original weights."
)
UPDATE_NOTE_ONE_LAYER = (
    "The new weights are only used from the next step on: every gradient of this step is computed with "
    "the original weights."
)
ERRATA_NOTE = (
    "This derivation reproduces a known mistake on purpose: each hidden layer's deltas are computed with "
    "the already-updated weights (w+) of the layer above instead of the original ones. The hidden "
    "layers' gradients and updates, and the error after the update, are therefore not those of "
    "backpropagation; --hidden-deltas-from original (the default) gives the correct step."
)
ERRATA_NOTE_ONE_LAYER = (
    "--hidden-deltas-from updated changes nothing here: a network with one layer has no hidden layer "
    "whose deltas could come through updated weights, so this is the correct step."
)
ERRATA_NOTE_CLASSIC = (
    " It is how the classic example's published summary got 0.291027924 after one update; the correct "
    "rule gives 0.291027774."
)


class Formula(str):
    """A piece of a note that is a formula (``delta_o1 · w5``): renderers draw it as math."""


def _note(*pieces: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A note from text and ``Formula`` pieces: its plain text and its ``(kind, content)`` parts."""
    parts = tuple(("math", math_latex(piece)) if isinstance(piece, Formula) else ("text", piece) for piece in pieces)
    return "".join(pieces), parts


def _placeholders(template: str, names: list[str], write: dict[str, str]) -> str:
    for name in names:
        template = template.replace("{" + name + "}", write[name])
    return template


class _Builder:
    """Collects steps; each step's formulas are made from one template with placeholders."""

    def __init__(self, values: dict[str, float]) -> None:
        self.values = values
        self.steps: list[Step] = []

    def add(
        self,
        name: str,
        section: str,
        title: str,
        template: tuple[str, str],
        operands: list[str],
        involves: tuple[str, ...] = (),
        note: str | tuple[str, tuple[tuple[str, str], ...]] = "",
    ) -> None:
        """Add the step ``name = template`` whose placeholders are ``operands``; ``note`` plain or from ``_note``."""
        note_text, note_parts = (note, ()) if isinstance(note, str) else note
        text, latex = template
        formula = f"{name} = " + _placeholders(text, operands, {o: o for o in operands})
        formula_latex = f"{latex_name(name)} = " + _placeholders(latex, operands, {o: latex_name(o) for o in operands})
        self.steps.append(
            Step(
                name=name,
                section=section,
                title=title,
                formula=formula,
                formula_latex=formula_latex,
                substitution=text,
                substitution_latex=latex,
                value=self.values[name],
                operands={operand: self.values[operand] for operand in operands},
                involves=involves,
                note=note_text,
                note_parts=note_parts,
            )
        )


def _product(names: list[str]) -> tuple[str, str]:
    return " · ".join("{" + n + "}" for n in names), r" \cdot ".join("{" + n + "}" for n in names)


def _sum_of_products(pairs: list[tuple[str, str]]) -> tuple[str, str]:
    """``a·b + c·d + …`` with placeholders: (text, LaTeX)."""
    return (
        " + ".join(_product(list(pair))[0] for pair in pairs),
        " + ".join(_product(list(pair))[1] for pair in pairs),
    )


def _sum(names: list[str]) -> tuple[str, str]:
    return " + ".join("{" + n + "}" for n in names), " + ".join("{" + n + "}" for n in names)


def check_sample(sample: int, count: int, holder: str, source: str | None = None) -> None:
    """Raise ``StepgradError`` unless ``sample`` is one of the ``count`` samples ``holder`` has (numbered from 0)."""
    if not 0 <= sample < count:
        raise StepgradError(
            f"sample {sample} does not exist: {holder} has {quantity(count, 'sample')} (numbered from 0)", source
        )


def explain(
    trace: Trace, sample: int = 0, title: str = "Backpropagation, step by step", notes: tuple[str, ...] = ()
) -> Derivation:
    """The derivation of ``trace``'s step, following sample ``sample``: a step for each value
    ``step_order`` shows, in its order and its group."""
    check_sample(sample, trace.batch_size, "the step")
    values = trace.values(sample)
    # A batch step updates with the batch mean ⟨dE_total/dw⟩ of each gradient, read from the trace.
    batch_means = _batch_mean_gradients(trace) if trace.batch_size > 1 else {}
    builder = _Builder({**values, **batch_means, "η": trace.learning_rate})
    regularization = trace.regularization
    if regularization:
        builder.values.update({"λ1": regularization.l1, "λ2": regularization.l2})
    steps = _Steps(trace, builder, bool(batch_means))
    for slot in step_order(trace.network, trace.names, bool(regularization)):
        if slot.shown:
            getattr(steps, slot.kind)(slot.group, *slot.at)

    all_notes = list(notes)
    if trace.hidden_deltas_from == "updated":
        if len(trace.layers) == 1:
            all_notes.append(ERRATA_NOTE_ONE_LAYER)
        else:
            all_notes.append(ERRATA_NOTE + (ERRATA_NOTE_CLASSIC if _is_classic(trace) else ""))
    if trace.batch_size > 1:
        all_notes.append(
            f"The step uses a batch of {trace.batch_size} samples; the values shown follow sample {sample + 1}, "
            + (
                "while the updates use the batch sum of each gradient (reduction = sum), written ΣdE_total/dw."
                if trace.network.reduction == "sum"
                else "while the updates use the batch mean of each gradient, written ⟨dE_total/dw⟩."
            )
        )
    return Derivation(
        trace=trace, sample=sample, steps=tuple(steps.builder.steps), values=values, title=title, notes=tuple(all_notes)
    )


class _Steps:
    """One method per kind of step (``step_order``'s kinds): each adds that step to ``builder``."""

    def __init__(self, trace: Trace, builder: _Builder, batch: bool) -> None:
        self.trace, self.builder, self.batch = trace, builder, batch
        self.names = trace.names
        self.loss = get_loss(trace.network.loss, trace.network.reduction)
        self.output_activation = get_activation(trace.network.layers[-1].activation)
        self.paired = self.output_activation.name in self.loss.paired
        # softmax scored by a loss it does not pair with: each delta reads the whole Jacobian
        self.jacobian = not self.paired and not self.output_activation.elementwise
        # Registry names, not aliases ("logistic" → "sigmoid"), pick the formulas.
        self.activation_of = [get_activation(layer.activation).name for layer in trace.network.layers]
        self.outputs = self.names.neurons[-1]

    def _sources(self, layer: int, after: str = "") -> list[str]:
        """The value names feeding ``layer``: ``i1`` or ``out_h1`` (``out_h1+`` after the update)."""
        sources = self.names.sources(layer)
        return sources if layer == 0 else [value_names.out(s, after) for s in sources]

    # ---------------------------------------------------------------- forward pass and errors
    def net(self, group: str, layer: int, j: int, after: str = "") -> None:
        """``net = Σ w·input + b·1``."""
        trains_bias = self.trace.network.layers[layer].trains_bias
        neuron = self.names.neurons[layer][j]
        _net_step(self.builder, self.names, layer, j, neuron, self._sources(layer, after), group, after, trains_bias)

    def out(self, group: str, layer: int, j: int, after: str = "") -> None:
        """``out = f(net)``."""
        layer_nets = [value_names.net(n, after) for n in self.names.neurons[layer]]
        _out_step(self.builder, self.activation_of[layer], self.names.neurons[layer][j], layer_nets, group, after)

    def net_new(self, group: str, layer: int, j: int) -> None:
        """``net+``, with ``w+``, trained ``b+`` and ``out_h1+``."""
        self.net(group, layer, j, after=value_names.AFTER)

    def out_new(self, group: str, layer: int, j: int) -> None:
        """``out+ = f(net+)``."""
        self.out(group, layer, j, after=value_names.AFTER)

    def error(self, group: str, k: int, after: str = "") -> None:
        """``E_o = loss(target_o, out_o)``."""
        output = self.outputs[k]
        target, out = value_names.target(output), value_names.out(output, after)
        self.builder.add(
            value_names.error(output, after),
            group,
            f"Error of {output}" + (" after the update" if after else ""),
            error_template(self.loss.name, target, out, len(self.outputs), self.trace.network.reduction),
            [target, out],
            involves=(output,),
        )

    def error_total(self, group: str, after: str = "") -> None:
        """``E_total = Σ_o E_o``."""
        terms = [value_names.error(o, after) for o in self.outputs]
        compare = (
            "Compare with ",
            Formula("E_total"),
            " before the update: a step that is small enough lowers the error.",
        )
        self.builder.add(
            value_names.error_total(after),
            group,
            "Total error" + (" after the update" if after else ""),
            _sum(terms),
            terms,
            involves=tuple(self.outputs),
            note=_note(*compare) if after else "",
        )

    def error_new(self, group: str, k: int) -> None:
        """``E_o+``."""
        self.error(group, k, after=value_names.AFTER)

    def error_total_new(self, group: str) -> None:
        """``E_total+``."""
        self.error_total(group, after=value_names.AFTER)

    # ---------------------------------------------------------------- backward pass
    def output_dE_dout(self, group: str, k: int) -> None:
        """``dE_total/dout_o`` from the loss."""
        neuron = self.outputs[k]
        target, out = value_names.target(neuron), value_names.out(neuron)
        self.builder.add(
            value_names.dE_dout(neuron),
            group,
            f"How much the total error changes with the output of {neuron}",
            error_gradient_template(self.loss.name, target, out, len(self.outputs), self.trace.network.reduction),
            [target, out],
            involves=(neuron,),
        )

    def contribution(self, group: str, layer: int, k: int, j: int) -> None:
        """``dE_k/dout_h = delta_k · w_kh``: what neuron k of the next layer sends back to ``h``."""
        neuron, next_neuron = self.names.neurons[layer][j], self.names.neurons[layer + 1][k]
        weight = self.names.weights[layer + 1][k][j]
        updated = self.trace.hidden_deltas_from == "updated"
        weight_operand = value_names.updated(weight) if updated else weight
        self.builder.add(
            value_names.sent_back(next_neuron, neuron),
            group,
            f"What {next_neuron} sends back to {neuron}",
            _product([value_names.delta(next_neuron), weight_operand]),
            [value_names.delta(next_neuron), weight_operand],
            involves=(neuron, next_neuron, weight),
            note=(
                "Mistaken on purpose: this uses the already-updated weight."
                if updated
                else _note(
                    Formula(
                        f"dE_{next_neuron}/dout_{neuron} = dE_{next_neuron}/dnet_{next_neuron} · "
                        f"dnet_{next_neuron}/dout_{neuron} = delta_{next_neuron} · {weight}"
                    ),
                    f" (the original {weight}).",
                )
            ),
        )

    def hidden_dE_dout(self, group: str, layer: int, j: int) -> None:
        """``dE_total/dout_h = Σ_k dE_k/dout_h``."""
        neuron, next_neurons = self.names.neurons[layer][j], self.names.neurons[layer + 1]
        contributions = [value_names.sent_back(k, neuron) for k in next_neurons]
        self.builder.add(
            value_names.dE_dout(neuron),
            group,
            f"How much the total error changes with the output of {neuron}",
            _sum(contributions),
            contributions,
            involves=(neuron, *next_neurons),
            note=f"{neuron} affects the total error through every neuron it feeds.",
        )

    def dout_dnet(self, group: str, layer: int, j: int) -> None:
        """``dout/dnet``, the activation's derivative."""
        neuron, activation = self.names.neurons[layer][j], self.activation_of[layer]
        net, out = value_names.net(neuron), value_names.out(neuron)
        self.builder.add(
            value_names.dout_dnet(neuron),
            group,
            f"How much the output of {neuron} changes with its net input",
            derivative_template(activation, net, out),
            derivative_operands(activation, net, out),
            involves=(neuron,),
        )

    def output_delta(self, group: str, k: int) -> None:
        """``delta_o``: the product of the factors, or the paired loss's simplified form."""
        if self.jacobian:
            self.jacobian_delta(group, k)
            return
        if not self.paired:
            self.hidden_delta(group, len(self.trace.network.layers) - 1, k)
            return
        neuron, activation, loss = self.outputs[k], self.output_activation.name, self.loss.name
        self.builder.add(
            value_names.delta(neuron),
            group,
            f"Delta of {neuron}: {activation} with {loss} simplifies",
            paired_delta_template(loss, activation, value_names.target(neuron), value_names.out(neuron)),
            [value_names.out(neuron), value_names.target(neuron)],
            involves=(neuron,),
            note=_note(
                Formula(f"dE_total/dnet_{neuron} = dE_total/dout · dout/dnet"),
                " collapses to ",
                Formula(self.loss.paired[activation].delta_formula),
                f" for {activation} outputs with {loss}; it stays exact where the separate factors would overflow.",
            ),
        )

    def jacobian_delta(self, group: str, k: int) -> None:
        """``delta_o = out_o · (dE_total/dout_o − Σ_j dE_total/dout_j · out_j)``: softmax's Jacobian."""
        neuron = self.outputs[k]
        out, gradient = value_names.out(neuron), value_names.dE_dout(neuron)
        pairs = [(value_names.dE_dout(o), value_names.out(o)) for o in self.outputs]
        weighted = _sum_of_products(pairs)
        self.builder.add(
            value_names.delta(neuron),
            group,
            f"Delta of {neuron} through the {self.output_activation.name} (every output's share)",
            (
                "{" + out + "} · ({" + gradient + "} − (" + weighted[0] + "))",
                "{" + out + r"} \cdot \left({" + gradient + r"} - \left(" + weighted[1] + r"\right)\right)",
            ),
            list(dict.fromkeys([out, gradient, *(name for pair in pairs for name in pair)])),
            involves=(neuron, *self.outputs),
            note=_note(
                Formula(f"delta_{neuron} = dE_total/dnet_{neuron}"),
                f": every output of the {self.output_activation.name} depends on net_{neuron} "
                f"(dout_j/dnet_{neuron} = out_j·([j = {neuron}] − out_{neuron})), so each output adds its share.",
            ),
        )

    def hidden_delta(self, group: str, layer: int, j: int) -> None:
        """``delta = dE_total/dout · dout/dnet``, the node delta."""
        neuron = self.names.neurons[layer][j]
        factors = [value_names.dE_dout(neuron), value_names.dout_dnet(neuron)]
        self.builder.add(
            value_names.delta(neuron),
            group,
            f"Delta of {neuron} (the node delta)",
            _product(factors),
            factors,
            involves=(neuron,),
            note=_note(Formula(f"delta_{neuron} = dE_total/dnet_{neuron}"), ", the delta rule's common factor."),
        )

    def dnet_dw(self, group: str, layer: int, j: int, i: int) -> None:
        """``dnet/dw``: the input the weight multiplies."""
        neuron, weight, source = self.names.neurons[layer][j], self.names.weights[layer][j][i], self._sources(layer)[i]
        self.builder.add(
            value_names.dnet_dw(neuron, weight),
            group,
            f"How much the net input of {neuron} changes with {weight}",
            ("{" + source + "}", "{" + source + "}"),
            [source],
            involves=(neuron, self.names.sources(layer)[i], weight),
        )

    def grad_w(self, group: str, layer: int, j: int, i: int) -> None:
        """``dE_total/dw``: the chain rule."""
        neuron, weight = self.names.neurons[layer][j], self.names.weights[layer][j][i]
        delta, grad = value_names.delta(neuron), value_names.gradient(weight)
        is_output = layer == len(self.trace.network.layers) - 1
        chain = (
            [delta]
            if (self.paired or self.jacobian) and is_output
            else [value_names.dE_dout(neuron), value_names.dout_dnet(neuron)]
        )
        factors = [*chain, value_names.dnet_dw(neuron, weight)]
        self.builder.add(
            grad,
            group,
            f"Gradient of {weight} (chain rule)",
            _product(factors),
            factors,
            involves=(neuron, self.names.sources(layer)[i], weight),
            note=_note("Delta rule: ", Formula(f"{grad} = {delta} · {self._sources(layer)[i]}"), "."),
        )

    def _update(self, group: str, parameter: str, note: str = "", penalty_gradient: str | None = None) -> None:
        """``p+ = p − η · dE_total/dp`` (the batch mean ``⟨dE_total/dp⟩`` for a batch), or
        ``p+ = p − η · (dE_total/dp + dE_reg/dp)`` with the regularization term ``penalty_gradient``."""
        gradient = value_names.gradient(parameter)
        used = [value_names.batch_combined(gradient, self.trace.network.reduction) if self.batch else gradient]
        used += [penalty_gradient] if penalty_gradient is not None else []
        self.builder.add(
            value_names.updated(parameter),
            group,
            f"Updated {parameter}",
            _update_template(parameter, used),
            [parameter, "η", *used],
            involves=(parameter,),
            note=note,
        )

    def update_w(self, group: str, layer: int, j: int, i: int) -> None:
        """``w+``; the first update says when the new weights are used."""
        first = not any(step.name.endswith(value_names.AFTER) for step in self.builder.steps)
        note = (UPDATE_NOTE if len(self.trace.network.layers) > 1 else UPDATE_NOTE_ONE_LAYER) if first else ""
        weight = self.names.weights[layer][j][i]
        regularized = bool(self.trace.regularization)
        self._update(group, weight, note, value_names.penalty_gradient(weight) if regularized else None)

    # ---------------------------------------------------------------- regularization (L1/L2)
    def penalty(self, group: str) -> None:
        """``E_reg = λ1 · (|w1| + |w2| + …) + ½ · λ2 · (w1² + w2² + …)``: what regularization adds to the objective."""
        weights = [weight.name for weight in self.names.all_weights()]
        terms: list[tuple[str, str]] = []
        operands: list[str] = []
        if self.trace.regularization.l1:
            terms.append(
                (
                    "{λ1} · (" + " + ".join("|{" + w + "}|" for w in weights) + ")",
                    r"{λ1} \cdot \left(" + " + ".join(r"\lvert {" + w + r"} \rvert" for w in weights) + r"\right)",
                )
            )
            operands.append("λ1")
        if self.trace.regularization.l2:
            terms.append(
                (
                    "½ · {λ2} · (" + " + ".join("{" + w + "}²" for w in weights) + ")",
                    r"\tfrac{1}{2} \cdot {λ2} \cdot \left("
                    + " + ".join("{" + w + "}^{2}" for w in weights)
                    + r"\right)",
                )
            )
            operands.append("λ2")
        self.builder.add(
            value_names.penalty(),
            group,
            "Regularization term (weights only, not biases)",
            (" + ".join(t[0] for t in terms), " + ".join(t[1] for t in terms)),
            [*operands, *weights],
            involves=tuple(weights),
            note=_note(
                "The step lowers ",
                Formula("E_total + E_reg"),
                ": each weight's update gains the term's gradient, which pulls the weight towards 0.",
            ),
        )

    def penalty_w(self, group: str, layer: int, j: int, i: int) -> None:
        """``dE_reg/dw5 = λ1 · sign(w5) + λ2 · w5`` (the terms in use)."""
        weight, neuron = self.names.weights[layer][j][i], self.names.neurons[layer][j]
        terms: list[tuple[str, str]] = []
        operands: list[str] = []
        if self.trace.regularization.l1:
            terms.append(("{λ1} · sign({" + weight + "})", r"{λ1} \cdot \operatorname{sign}({" + weight + "})"))
            operands.append("λ1")
        if self.trace.regularization.l2:
            terms.append(("{λ2} · {" + weight + "}", r"{λ2} \cdot {" + weight + "}"))
            operands.append("λ2")
        self.builder.add(
            value_names.penalty_gradient(weight),
            group,
            f"Regularization gradient of {weight}",
            (" + ".join(t[0] for t in terms), " + ".join(t[1] for t in terms)),
            [*operands, weight],
            involves=(neuron, self.names.sources(layer)[i], weight),
        )

    def grad_b(self, group: str, layer: int, index: int) -> None:
        """``dE_total/db``: the sum of the deltas of the neurons the bias feeds."""
        bias, neurons = self.names.biases[layer][index], self.names.neurons[layer]
        network_layer = self.trace.network.layers[layer]
        fed = neurons if network_layer.bias_mode == "shared" else [neurons[index]]
        deltas = [value_names.delta(n) for n in fed]
        frozen = "" if network_layer.trains_bias else f" {bias} is frozen in this network, so it is not updated."
        self.builder.add(
            value_names.gradient(bias),
            group,
            f"Gradient of {bias}",
            _sum(deltas),
            deltas,
            involves=(bias, *fed),
            note=_note(
                Formula(f"dnet/d{bias} = 1"),
                f" for every neuron {bias} feeds, so its gradient is "
                + ("the sum of their deltas." if len(fed) > 1 else "that neuron's delta.")
                + frozen,
            ),
        )

    def update_b(self, group: str, layer: int, index: int) -> None:
        """``b+``."""
        self._update(group, self.names.biases[layer][index])


def _update_template(parameter: str, gradients: list[str]) -> tuple[str, str]:
    """``w5 − η · dE_total/dw5``, or ``w5 − η · (dE_total/dw5 + dE_reg/dw5)`` with a regularization term."""
    text, latex = _sum(gradients)
    if len(gradients) > 1:
        text, latex = f"({text})", rf"\left({latex}\right)"
    return "{" + parameter + "} − {η} · " + text, "{" + parameter + r"} - {η} \cdot " + latex


def _net_step(
    builder: _Builder,
    names: Names,
    layer_index: int,
    j: int,
    neuron: str,
    source_values: list[str],
    section: str,
    after: str,
    trains_bias: bool,
) -> None:
    """``net = Σ w·input + b·1`` (``after="+"``: with the updated weights and biases)."""
    weights = names.weights[layer_index][j]
    weight_values = [f"{w}{after}" for w in weights]
    operands = [item for pair in zip(weight_values, source_values, strict=True) for item in pair]
    text_terms = [f"{{{w}}}·{{{s}}}" for w, s in zip(weight_values, source_values, strict=True)]
    latex_terms = [rf"{{{w}}} \cdot {{{s}}}" for w, s in zip(weight_values, source_values, strict=True)]
    bias = names.bias_of(layer_index, j)
    if bias is not None:
        bias_value = f"{bias}{after}" if trains_bias else bias
        operands.append(bias_value)
        text_terms.append(f"{{{bias_value}}}·1")
        latex_terms.append(rf"{{{bias_value}}} \cdot 1")
    builder.add(
        value_names.net(neuron, after),
        section,
        f"Net input of {neuron}" + (" after the update" if after else ""),
        (" + ".join(text_terms), " + ".join(latex_terms)),
        operands,
        involves=(neuron, *names.sources(layer_index), *weights, *([bias] if bias else [])),
    )


def _out_step(builder: _Builder, activation: str, neuron: str, layer_nets: list[str], section: str, after: str) -> None:
    """``out = f(net)``."""
    net = value_names.net(neuron, after)
    builder.add(
        value_names.out(neuron, after),
        section,
        f"Output of {neuron} ({activation})" + (" after the update" if after else ""),
        activation_template(activation, net, value_names.out(neuron, after), layer_nets),
        [net] if get_activation(activation).elementwise else layer_nets,
        involves=(neuron,),
    )


def _is_classic(trace: Trace) -> bool:
    return is_classic(trace.network, trace.inputs, trace.targets, trace.learning_rate)


def _batch_mean_gradients(trace: Trace) -> dict[str, float]:
    """``⟨dE_total/dw5⟩``: the batch mean of each gradient, the one the update uses (``LayerTrace.grad_w``);
    ``ΣdE_total/dw5``, the batch sum, for a network with ``reduction = "sum"``."""
    means: dict[str, float] = {}
    reduction = trace.network.reduction
    for weight in trace.names.all_weights():
        means[value_names.batch_combined(value_names.gradient(weight.name), reduction)] = float(
            trace.layers[weight.layer].grad_w[weight.neuron, weight.source]
        )
    for bias in trace.names.all_biases():
        means[value_names.batch_combined(value_names.gradient(bias.name), reduction)] = float(
            trace.layers[bias.layer].grad_b[bias.index]
        )
    return means


def explain_setup(
    setup: Setup,
    sample: int = 0,
    hidden_deltas_from: HiddenDeltasFrom = "original",
    title: str | None = None,
) -> Derivation:
    """Work one training step of ``setup`` on sample ``sample`` alone (a batch of one)."""
    if setup.n_samples == 0:
        raise StepgradError("the network file has no sample to work through: add inputs and targets", setup.source)
    check_sample(sample, setup.n_samples, "the file", setup.source)
    trace = train_step(
        setup.network,
        setup.inputs[sample : sample + 1],
        setup.targets[sample : sample + 1],
        setup.learning_rate,
        hidden_deltas_from=hidden_deltas_from,
        regularization=setup.regularization,
    )
    heading = title or f"Backpropagation, step by step: {setup.source or 'network'}"
    notes = (
        ()
        if setup.n_samples == 1
        else (f"Sample {sample + 1} of {setup.n_samples} in the file; this step trains on that sample alone.",)
    )
    return explain(trace, sample=0, title=heading, notes=notes)
