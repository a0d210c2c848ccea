"""Turn a trace into the steps a person works by hand, in the order they work them.

1. Forward pass: ``net`` and ``out`` of every neuron, layer by layer.
2. Total error: ``E_o`` of each output and ``E_total``.
3. Output layer: ``dE_total/dout_o``, ``dout_o/dnet_o``, ``delta_o``; for every weight
   ``dnet_o/dw``, the chain-rule product ``dE_total/dw`` and the update ``w+``.
4. Hidden layers, from the last to the first: what each neuron of the next layer
   sends back (``dE_o1/dout_h1 = delta_o1·w5``), their sum, ``dout_h/dnet_h``,
   ``delta_h``, and for every weight the chain and the update.
5. Biases: ``dE_total/db`` (the sum of the layer's deltas for a shared bias) and ``b+``.
6. The error after the update: ``out_o+`` and ``E_total+``.

Every value is read from the trace (``trace.values(sample)``); nothing is computed here.
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

if TYPE_CHECKING:
    from stepgrad.network.model import Setup
    from stepgrad.network.naming import Names

FORWARD = "Forward pass"
TOTAL_ERROR = "Total error"
OUTPUT_LAYER = "Backward pass: output layer"
BIASES = "Backward pass: biases"
AFTER = "Error after the update"

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
    """The derivation of ``trace``'s step, following sample ``sample``."""
    check_sample(sample, trace.batch_size, "the step")
    values = trace.values(sample)
    names = trace.names
    network = trace.network
    builder = _Builder(values)
    loss = get_loss(network.loss)
    output_activation = get_activation(network.layers[-1].activation)
    paired = output_activation.name in loss.paired
    n_layers = len(network.layers)
    outputs = names.neurons[-1]
    # A batch step updates with the batch mean ⟨dE_total/dw⟩ of each gradient, read from the trace.
    batch_means = _batch_mean_gradients(trace) if trace.batch_size > 1 else {}
    builder.values = {**values, **batch_means, "η": trace.learning_rate}
    regularization = trace.regularization
    if regularization:
        builder.values.update({"λ1": regularization.l1, "λ2": regularization.l2})

    # 1. Forward pass
    # Registry names, not aliases ("logistic" → "sigmoid"), pick the formulas.
    activation_of = [get_activation(layer.activation).name for layer in network.layers]
    _forward_steps(builder, trace, activation_of, FORWARD)

    # 2. Total error (and, when the weights are regularized, the term the step also lowers)
    _error_steps(builder, loss.name, outputs, TOTAL_ERROR, after="")
    if regularization:
        _penalty_step(builder, trace)

    # 3. and 4. Backward pass, output layer first
    for layer_index in reversed(range(n_layers)):
        layer = network.layers[layer_index]
        neurons = names.neurons[layer_index]
        is_output = layer_index == n_layers - 1
        section = OUTPUT_LAYER if is_output else _hidden_section(layer_index, n_layers)
        sources = names.sources(layer_index)
        source_values = sources if layer_index == 0 else [value_names.out(s) for s in sources]
        for j, neuron in enumerate(neurons):
            dE_dout, dout_dnet, delta = (
                value_names.dE_dout(neuron),
                value_names.dout_dnet(neuron),
                value_names.delta(neuron),
            )
            if is_output:
                builder.add(
                    dE_dout,
                    section,
                    f"How much the total error changes with the output of {neuron}",
                    error_gradient_template(
                        loss.name, value_names.target(neuron), value_names.out(neuron), len(outputs)
                    ),
                    [value_names.target(neuron), value_names.out(neuron)],
                    involves=(neuron,),
                )
            else:
                _hidden_error(builder, trace, layer_index, j, neuron, section)
            if get_activation(activation_of[layer_index]).elementwise or not paired:
                builder.add(
                    dout_dnet,
                    section,
                    f"How much the output of {neuron} changes with its net input",
                    derivative_template(activation_of[layer_index], value_names.net(neuron), value_names.out(neuron)),
                    derivative_operands(activation_of[layer_index], value_names.net(neuron), value_names.out(neuron)),
                    involves=(neuron,),
                )
            if is_output and paired:
                builder.add(
                    delta,
                    section,
                    f"Delta of {neuron}: {output_activation.name} with {loss.name} simplifies",
                    paired_delta_template(
                        loss.name, output_activation.name, value_names.target(neuron), value_names.out(neuron)
                    ),
                    [value_names.out(neuron), value_names.target(neuron)],
                    involves=(neuron,),
                    note=_note(
                        Formula(f"dE_total/dnet_{neuron} = dE_total/dout · dout/dnet"),
                        " collapses to ",
                        Formula(loss.paired[output_activation.name].delta_formula),
                        f" for {output_activation.name} outputs with {loss.name}; it stays exact where the "
                        "separate factors would overflow.",
                    ),
                )
            else:
                builder.add(
                    delta,
                    section,
                    f"Delta of {neuron} (the node delta)",
                    _product([dE_dout, dout_dnet]),
                    [dE_dout, dout_dnet],
                    involves=(neuron,),
                    note=_note(
                        Formula(f"delta_{neuron} = dE_total/dnet_{neuron}"), ", the delta rule's common factor."
                    ),
                )
            chain = [delta] if paired and is_output else [dE_dout, dout_dnet]
            for i, weight in enumerate(names.weights[layer_index][j]):
                dnet_dw, grad = value_names.dnet_dw(neuron, weight), value_names.gradient(weight)
                used = f"⟨{grad}⟩" if batch_means else grad
                builder.add(
                    dnet_dw,
                    section,
                    f"How much the net input of {neuron} changes with {weight}",
                    ("{" + source_values[i] + "}", "{" + source_values[i] + "}"),
                    [source_values[i]],
                    involves=(neuron, sources[i], weight),
                )
                builder.add(
                    grad,
                    section,
                    f"Gradient of {weight} (chain rule)",
                    _product([*chain, dnet_dw]),
                    [*chain, dnet_dw],
                    involves=(neuron, sources[i], weight),
                    note=_note("Delta rule: ", Formula(f"{grad} = {delta} · {source_values[i]}"), "."),
                )
                step_of = [used]
                if regularization:
                    step_of.append(
                        _penalty_gradient_step(builder, trace, weight, section, (neuron, sources[i], weight))
                    )
                builder.add(
                    f"{weight}+",
                    section,
                    f"Updated {weight}",
                    _update_template(weight, step_of),
                    [weight, "η", *step_of],
                    involves=(weight,),
                    note=(UPDATE_NOTE if n_layers > 1 else UPDATE_NOTE_ONE_LAYER)
                    if not any(step.name.endswith("+") for step in builder.steps)
                    else "",
                )

    # 5. Biases
    for bias in names.all_biases():
        layer = network.layers[bias.layer]
        neurons = names.neurons[bias.layer]
        fed = neurons if layer.bias_mode == "shared" else [neurons[bias.index]]
        deltas = [value_names.delta(n) for n in fed]
        frozen = "" if layer.trains_bias else f" {bias.name} is frozen in this network, so it is not updated."
        builder.add(
            value_names.gradient(bias.name),
            BIASES,
            f"Gradient of {bias.name}",
            _sum(deltas),
            deltas,
            involves=(bias.name, *fed),
            note=_note(
                Formula(f"dnet/d{bias.name} = 1"),
                f" for every neuron {bias.name} feeds, so its gradient is "
                + ("the sum of their deltas." if len(fed) > 1 else "that neuron's delta.")
                + frozen,
            ),
        )
        if layer.trains_bias:
            bias_used = (
                value_names.batch_mean(value_names.gradient(bias.name))
                if batch_means
                else value_names.gradient(bias.name)
            )
            builder.add(
                f"{bias.name}+",
                BIASES,
                f"Updated {bias.name}",
                (
                    "{" + bias.name + "} − {η} · {" + bias_used + "}",
                    "{" + bias.name + r"} - {η} \cdot {" + bias_used + "}",
                ),
                [bias.name, "η", bias_used],
                involves=(bias.name,),
            )

    # 6. After the update: the forward pass again with w+ and b+, then the errors
    _forward_steps(builder, trace, activation_of, AFTER, after="+")
    _error_steps(builder, loss.name, outputs, AFTER, after="+")

    all_notes = list(notes)
    if trace.hidden_deltas_from == "updated":
        if len(trace.layers) == 1:
            all_notes.append(ERRATA_NOTE_ONE_LAYER)
        else:
            all_notes.append(ERRATA_NOTE + (ERRATA_NOTE_CLASSIC if _is_classic(trace) else ""))
    if trace.batch_size > 1:
        all_notes.append(
            f"The step uses a batch of {trace.batch_size} samples; the values shown follow sample {sample + 1}, "
            "while the updates use the batch mean of each gradient, written ⟨dE_total/dw⟩."
        )
    return Derivation(
        trace=trace, sample=sample, steps=tuple(builder.steps), values=values, title=title, notes=tuple(all_notes)
    )


def _update_template(parameter: str, gradients: list[str]) -> tuple[str, str]:
    """``w5 − η · dE_total/dw5``, or ``w5 − η · (dE_total/dw5 + dE_reg/dw5)`` with a regularization term."""
    text, latex = _sum(gradients)
    if len(gradients) > 1:
        text, latex = f"({text})", rf"\left({latex}\right)"
    return "{" + parameter + "} − {η} · " + text, "{" + parameter + r"} - {η} \cdot " + latex


def _penalty_step(builder: _Builder, trace: Trace) -> None:
    """``E_reg = λ1 · (|w1| + |w2| + …) + ½ · λ2 · (w1² + w2² + …)``: what regularization adds to the objective."""
    weights = [weight.name for weight in trace.names.all_weights()]
    terms: list[tuple[str, str]] = []
    operands: list[str] = []
    if trace.regularization.l1:
        terms.append(
            (
                "{λ1} · (" + " + ".join("|{" + w + "}|" for w in weights) + ")",
                r"{λ1} \cdot \left(" + " + ".join(r"\lvert {" + w + r"} \rvert" for w in weights) + r"\right)",
            )
        )
        operands.append("λ1")
    if trace.regularization.l2:
        terms.append(
            (
                "½ · {λ2} · (" + " + ".join("{" + w + "}²" for w in weights) + ")",
                r"\tfrac{1}{2} \cdot {λ2} \cdot \left(" + " + ".join("{" + w + "}^{2}" for w in weights) + r"\right)",
            )
        )
        operands.append("λ2")
    builder.add(
        value_names.penalty(),
        TOTAL_ERROR,
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


def _penalty_gradient_step(
    builder: _Builder, trace: Trace, weight: str, section: str, involves: tuple[str, ...]
) -> str:
    """``dE_reg/dw5 = λ1 · sign(w5) + λ2 · w5`` (the terms in use); returns its name."""
    terms: list[tuple[str, str]] = []
    operands: list[str] = []
    if trace.regularization.l1:
        terms.append(("{λ1} · sign({" + weight + "})", r"{λ1} \cdot \operatorname{sign}({" + weight + "})"))
        operands.append("λ1")
    if trace.regularization.l2:
        terms.append(("{λ2} · {" + weight + "}", r"{λ2} \cdot {" + weight + "}"))
        operands.append("λ2")
    name = value_names.penalty_gradient(weight)
    builder.add(
        name,
        section,
        f"Regularization gradient of {weight}",
        (" + ".join(t[0] for t in terms), " + ".join(t[1] for t in terms)),
        [*operands, weight],
        involves=involves,
    )
    return name


def _error_steps(builder: _Builder, loss: str, outputs: list[str], section: str, after: str) -> None:
    """``E_o = loss(target_o, out_o)`` for each output and ``E_total = Σ_o E_o``; ``after="+"`` for the new weights."""
    when = " after the update" if after else ""
    for output in outputs:
        builder.add(
            value_names.error(output, after),
            section,
            f"Error of {output}{when}",
            error_template(loss, value_names.target(output), value_names.out(output, after), len(outputs)),
            [value_names.target(output), value_names.out(output, after)],
            involves=(output,),
        )
    builder.add(
        value_names.error_total(after),
        section,
        f"Total error{when}",
        _sum([value_names.error(o, after) for o in outputs]),
        [value_names.error(o, after) for o in outputs],
        involves=tuple(outputs),
        note=_note(
            "Compare with ", Formula("E_total"), " before the update: a step that is small enough lowers the error."
        )
        if after
        else "",
    )


def _forward_steps(builder: _Builder, trace: Trace, activation_of: list[str], section: str, after: str = "") -> None:
    """``net`` then ``out`` of each neuron, layer by layer (softmax needs the whole layer's nets first).

    ``after="+"``: the forward pass of the updated network, with ``w+``, trained ``b+`` and ``out_h1+``.
    """
    names = trace.names
    for layer_index, activation in enumerate(activation_of):
        sources = names.sources(layer_index)
        source_values = sources if layer_index == 0 else [value_names.out(s, after) for s in sources]
        neurons = names.neurons[layer_index]
        layer_nets = [value_names.net(n, after) for n in neurons]
        trains_bias = trace.network.layers[layer_index].trains_bias
        elementwise = get_activation(activation).elementwise
        for j, neuron in enumerate(neurons):
            _net_step(builder, names, layer_index, j, neuron, source_values, section, after, trains_bias)
            if elementwise:
                _out_step(builder, activation, neuron, layer_nets, section, after)
        if not elementwise:  # every out reads the whole layer's nets
            for neuron in neurons:
                _out_step(builder, activation, neuron, layer_nets, section, after)


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
    """``⟨dE_total/dw5⟩``: the batch mean of each gradient, the one the update uses (``LayerTrace.grad_w``)."""
    means: dict[str, float] = {}
    for weight in trace.names.all_weights():
        means[value_names.batch_mean(value_names.gradient(weight.name))] = float(
            trace.layers[weight.layer].grad_w[weight.neuron, weight.source]
        )
    for bias in trace.names.all_biases():
        means[value_names.batch_mean(value_names.gradient(bias.name))] = float(
            trace.layers[bias.layer].grad_b[bias.index]
        )
    return means


def _hidden_section(layer_index: int, n_layers: int) -> str:
    if n_layers == 2:
        return "Backward pass: hidden layer"
    return f"Backward pass: hidden layer {layer_index + 1}"


def _hidden_error(builder: _Builder, trace: Trace, layer_index: int, j: int, neuron: str, section: str) -> None:
    """``dE_k/dout_h = delta_k · w_kh`` for each neuron k fed by ``neuron``, then their sum."""
    names = trace.names
    next_neurons = names.neurons[layer_index + 1]
    updated = trace.hidden_deltas_from == "updated"
    contributions = []
    for k, next_neuron in enumerate(next_neurons):
        weight = names.weights[layer_index + 1][k][j]
        weight_operand = f"{weight}+" if updated else weight
        name = value_names.sent_back(next_neuron, neuron)
        contributions.append(name)
        builder.add(
            name,
            section,
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
    builder.add(
        value_names.dE_dout(neuron),
        section,
        f"How much the total error changes with the output of {neuron}",
        _sum(contributions),
        contributions,
        involves=(neuron, *next_neurons),
        note=f"{neuron} affects the total error through every neuron it feeds.",
    )


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
