"""The mistakes the diagnosis can name: what each is called, how it is explained, how simple it is.

The changes a mistake makes to a step's formula are in ``stepgrad.check.mutations`` (by the kind
of step, on any network); the search that tries them on a learner's values is
``stepgrad.check.search``. Here each mistake has its title, one paragraph that explains it, the
step where it happens, and a ``cost``: the search prefers the simplest explanation (a common
conceptual mistake costs 1, a rarer one 2, a keystroke slip 3; two mistakes cost their sum).
"""

from __future__ import annotations

from dataclasses import dataclass

from stepgrad.functions import get_activation

_LEAKY_SLOPE = get_activation("leaky_relu").parameters["negative_slope"]


@dataclass(frozen=True)
class Mistake:
    """One known mistake.

    Attributes:
        name: registry key (``gradient_added``).
        title: a short sentence naming it.
        explanation: one paragraph: what was done, what is right, and why.
        step: the derivation step where it happens, in the derivation's vocabulary.
        cost: how unlikely an explanation it is (1 common, 2 rarer, 3 a slip).
    """

    name: str
    title: str
    explanation: str
    step: str
    cost: int = 1


MISTAKES: dict[str, Mistake] = {
    mistake.name: mistake
    for mistake in [
        Mistake(
            "sign_flipped",
            "Sign flipped in dE/dout: (target − out) instead of (out − target)",
            "The derivative of E = ½(target − out)² with respect to out is −(target − out) = out − target: "
            "the chain rule brings out the −1 from the inner derivative of (target − out). Writing "
            "target − out flips the sign of the output error, and with it every delta, every gradient "
            "and the direction of every update, so the error grows instead of shrinking.",
            "dE_total/dout_o (output layer)",
        ),
        Mistake(
            "gradient_added",
            "Gradient added instead of subtracted in the update",
            "Gradient descent moves each weight against its gradient: w+ = w − η·dE/dw. Adding η·dE/dw "
            "moves uphill, so the error after the update is larger than before. The gradient itself may "
            "be right; only the sign of the step is wrong.",
            "w+ (updates)",
        ),
        Mistake(
            "learning_rate_forgotten",
            "Learning rate forgotten in the update",
            "The update is w+ = w − η·dE/dw: the gradient is scaled by the learning rate η before it is "
            "subtracted. Subtracting the bare gradient takes a step 1/η times too large (twice as large "
            "for η = 0.5).",
            "w+ (updates)",
        ),
        Mistake(
            "regularization_forgotten",
            "Regularization term left out of the update",
            "With L1 or L2 regularization the step lowers E_total + E_reg, where E_reg = λ1·Σ|w| + ½·λ2·Σw², "
            "so each weight's gradient gains dE_reg/dw = λ1·sign(w) + λ2·w: w+ = w − η·(dE_total/dw + dE_reg/dw). "
            "Updating with dE_total/dw alone is plain gradient descent on the error, with no pull of the weights "
            "towards 0. Biases are not regularized.",
            "w+ (updates)",
        ),
        Mistake(
            "updated_output_weights",
            "Hidden deltas computed with the already-updated output weights",
            "Backpropagation computes every gradient with the weights as they were in the forward pass. "
            "If the output weights are updated first and the hidden layer then backpropagates through the "
            "new weights (dE_o/dout_h = delta_o · w+ instead of delta_o · w), every hidden gradient is "
            "slightly off. It is the mistake the well-known worked example warns against, and where its "
            "published error after the update came from.",
            "dE_o/dout_h (hidden layer)",
        ),
        Mistake(
            "derivative_of_net",
            "Activation derivative taken of net instead of out",
            "The derivative of the activation is written with the neuron's output: for out = σ(net) it is "
            "dout/dnet = out·(1 − out), for out = tanh(net) it is 1 − out². Putting the net input in the "
            "output's place (net·(1 − net), 1 − net²) gives a different number (even a negative one when "
            "net > 1); σ'(net) = σ(net)·(1 − σ(net)) is the same thing as out·(1 − out).",
            "dout/dnet",
        ),
        Mistake(
            "factor_two",
            "The ½ not cancelled: a factor 2 too many",
            "With E = ½(target − out)² the ½ is there so that it cancels the 2 of the power rule: "
            "dE/dout = −(target − out). Dropping the ½ (E = (target − out)²) or keeping the 2 of the "
            "derivative gives twice the error or twice the gradient; every delta and update downstream is "
            "then doubled too.",
            "E_o and dE_total/dout_o (errors, output layer)",
        ),
        Mistake(
            "spurious_half",
            "A spurious ½ in the error or its derivative",
            "The derivative of ½(target − out)² is −(target − out): the 2 of the power rule cancels the ½. "
            "Keeping the ½ in the derivative (−½(target − out)), or adding another ½ to the error, halves "
            "the gradient; every delta and update downstream is halved too.",
            "E_o and dE_total/dout_o (errors, output layer)",
        ),
        Mistake(
            "bias_left_out",
            "Bias left out of the net input",
            "A neuron's net input is the weighted sum of its inputs plus its bias: net = Σ w·a + b·1. "
            "Leaving out b shifts the net input, and every value after it (out, the error, the deltas) "
            "is computed from the wrong point.",
            "net (forward pass)",
        ),
        Mistake(
            "one_output_only",
            "A sum with terms missing: the hidden error from only some of the next layer's neurons",
            "A hidden neuron feeds every neuron of the next layer, so its output affects the error through "
            "all of them: dE_total/dout_h = Σ_o dE_o/dout_h = Σ_o delta_o · w_oh. Taking only one term, "
            "or leaving one out, drops the other neurons' share of the error. The same holds for a bias "
            "shared by a layer: dE_total/db = Σ_j delta_j over every neuron it feeds.",
            "dE_total/dout_h (hidden layer)",
        ),
        Mistake(
            "wrong_weight_index",
            "A weight of the wrong index in the backward pass",
            "What a neuron k of the next layer sends back to neuron j goes along the weight that connects "
            "them: dE_k/dout_j = delta_k · w_kj, with w_kj the weight j→k. Reading the weight matrix the "
            "other way round (the weight k→j's mirror) or by a neighbouring index sends the error back "
            "along the wrong connection.",
            "dE_o/dout_h (hidden layer)",
            2,
        ),
        Mistake(
            "tanh_derivative_mixup",
            "tanh derivative mixed up",
            "For out = tanh(net) the derivative is dout/dnet = 1 − out², written with the output. "
            "Common slips: the logistic form out·(1 − out), the net input in place of the output "
            "(1 − net²), or a forgotten square (1 − out).",
            "dout/dnet",
        ),
        Mistake(
            "relu_derivative_mixup",
            "ReLU (or leaky ReLU) derivative mixed up",
            "For out = max(0, net) the derivative is a step: 1 where net > 0 and 0 where net ≤ 0; for a "
            f"leaky ReLU (out = {_LEAKY_SLOPE:g}·net where net ≤ 0) it is 1 and {_LEAKY_SLOPE:g}, not 0. Common "
            "slips: taking it as 1 everywhere (forgetting that a neuron with net ≤ 0 passes no gradient, or "
            "only the leaky slope's share), using the output itself (out) as the derivative, or taking a "
            "leaky ReLU's slope below 0 as the plain ReLU's 0.",
            "dout/dnet",
        ),
        Mistake(
            "softmax_as_logistic",
            "Softmax + cross-entropy delta written as if it were the logistic case",
            "With a softmax output and cross-entropy the chain-rule factors combine to delta_k = out_k − "
            "target_k, because each output depends on every net input (the Jacobian has off-diagonal "
            "terms −out_k·out_j). Multiplying dE/dout_k by out_k·(1 − out_k), as one would for a logistic "
            "neuron, keeps only the diagonal and gives −target_k·(1 − out_k); using the squared-error "
            "logistic delta (out − target)·out·(1 − out) is wrong for the same reason.",
            "delta_o (output layer)",
        ),
        Mistake(
            "derivative_of_out_again",
            "Activation applied twice: the derivative taken at out instead of at net",
            "dout/dnet is f'(net). Written with the output, it is out·(1 − out) for the logistic "
            "function: out is already σ(net). Taking σ of out again and then σ(out)·(1 − σ(out)) applies "
            "the activation twice.",
            "dout/dnet",
            2,
        ),
        Mistake(
            "derivative_mixup",
            "Another activation's derivative",
            "Each activation has its own derivative: out·(1 − out) for the logistic function, 1 − out² for "
            "tanh, 1 or 0 for ReLU. Using the form of another activation gives a different slope, and "
            "with it a wrong delta and wrong gradients for every weight into the neuron.",
            "dout/dnet",
        ),
        Mistake(
            "derivative_omitted",
            "The activation's derivative left out of the delta",
            "A neuron's delta is dE/dnet = dE/dout · dout/dnet: the chain rule goes through the "
            "activation. Leaving out dout/dnet (delta = dE/dout) treats the neuron as if it had no "
            "activation; every gradient into it is then too large.",
            "delta (chain rule)",
        ),
        Mistake(
            "derivative_twice",
            "The activation's derivative multiplied in twice",
            "delta = dE/dout · dout/dnet has the activation's derivative once. Multiplying by it again "
            "(for example once in dE/dout and once in delta) shrinks every delta and gradient behind it.",
            "delta (chain rule)",
            2,
        ),
        Mistake(
            "derivative_wrong_neuron",
            "The activation's derivative of another neuron",
            "Each neuron's delta uses the slope of its own activation: delta_j = dE/dout_j · dout_j/dnet_j. "
            "Using another neuron's out (a neighbour in the same layer, or the neuron of the next layer "
            "it sends its error to) gives the wrong slope.",
            "delta (chain rule)",
            2,
        ),
        Mistake(
            "weights_transposed",
            "The weight matrix read transposed",
            "Weight w_kj connects neuron j to neuron k. In the forward pass net_k = Σ_j w_kj·out_j sums "
            "the weights into k; in the backward pass neuron k sends delta_k · w_kj back to j along the "
            "same connection. Reading the matrix the other way round (w_jk) uses the connection between "
            "two other neurons.",
            "net (forward pass) or dE_k/dout_j (backward pass)",
        ),
        Mistake(
            "dE_dout_passed_back",
            "dE/dout of the next layer passed back instead of its delta",
            "What a neuron k sends back to the neuron j below it is dE/dnet_k · dnet_k/dout_j = "
            "delta_k · w_kj: the error with respect to k's net input, after k's own activation "
            "derivative. Passing back dE/dout_k · w_kj skips k's activation.",
            "dE_k/dout_j (hidden layer)",
        ),
        Mistake(
            "sum_without_weights",
            "The deltas summed without their weights",
            "A hidden neuron's error is Σ_k delta_k · w_kj: each neuron k of the next layer sends back its "
            "delta along the weight that connects them. Summing the deltas alone (Σ delta_k) forgets "
            "that the weight scales how much of k's error is j's.",
            "dE_total/dout_j (hidden layer)",
        ),
        Mistake(
            "gradient_own_output",
            "A weight's gradient taken with its neuron's own output",
            "dnet_j/dw_ji is the input the weight multiplies, a_i (out_h1 for w5, i1 for w1), so "
            "dE/dw_ji = delta_j · a_i. Using the output of neuron j itself (delta_o1 · out_o1) takes "
            "the wrong end of the connection.",
            "dnet/dw (gradients)",
        ),
        Mistake(
            "wrong_layer_input",
            "A weight's gradient taken with a value of the wrong layer",
            "dnet_j/dw_ji is the input the weight multiplies: for the first layer that is the network's "
            "input i, for a later layer the previous layer's output. Using another layer's value (out_h1 "
            "in place of i1) takes the gradient of a different weight.",
            "dnet/dw (gradients)",
        ),
        Mistake(
            "net_instead_of_out",
            "A weight's gradient taken with the net input instead of the output",
            "A weight multiplies the output of the neuron below it, so dnet/dw = out of that neuron, "
            "not its net input.",
            "dnet/dw (gradients)",
            2,
        ),
        Mistake(
            "error_mean",
            "E_total taken as the mean of the errors instead of their sum",
            "Here the total error is the sum over the output neurons, E_total = Σ_o E_o. Dividing by the "
            "number of outputs gives the mean, a different number (and, if used for the gradient, a "
            "gradient divided by that number too).",
            "E_total (errors)",
        ),
        Mistake(
            "learning_rate_wrong",
            "Another learning rate than the given one",
            "The update is w+ = w − η·dE/dw with the network's η. The written update follows from the "
            "gradient with a different η (the step is scaled by it), so the new weights and the error "
            "after the update come out different.",
            "w+ (updates)",
        ),
        Mistake(
            "sigmoid_exponent_sign",
            "The sigmoid with e^(+net) instead of e^(−net)",
            "The logistic function is out = 1 / (1 + e^(−net)). With e^(+net) in the denominator it gives "
            "1 − σ(net): an output that falls as the net input grows.",
            "out (forward pass)",
        ),
        Mistake(
            "activation_forgotten",
            "The activation function not applied",
            "A neuron's output is its activation of the net input, out = f(net). Passing the net input on "
            "as it is treats the neuron as linear.",
            "out (forward pass)",
            2,
        ),
        Mistake(
            "bias_added_twice",
            "Bias added twice to the net input",
            "net = Σ w·a + b·1: the bias enters once, as the weight of a constant input 1.",
            "net (forward pass)",
            2,
        ),
        Mistake(
            "convention_mixed",
            "The two sign conventions for delta mixed",
            "Some texts define delta = dE/dnet and update w+ = w − η·delta·a; others define delta = "
            "−dE/dnet (the error signal, (target − out)·f'(net) at the output) and update w+ = w + "
            "η·delta·a. Either is right when used throughout. Here the two are mixed, so the sign of the "
            "step flips somewhere.",
            "delta and w+",
        ),
        Mistake(
            "slip",
            "A slip: the step is right but a number was miscopied",
            "The value differs from what your own earlier values give in a way a keystroke explains: "
            "two digits swapped, a digit dropped or doubled, the decimal point moved, or the sign lost. "
            "The method is right; check the number.",
            "(any)",
            3,
        ),
        Mistake(
            "rounded_too_early",
            "Rounded too early",
            "Every value follows from your own earlier numbers, but an early value was rounded to far "
            "fewer digits than the values computed from it, so the later values are off in the digits "
            "you wrote. Keep at least as many digits in the intermediate values as you want in the "
            "results.",
            "(rounding)",
            3,
        ),
    ]
}


def mistake_names() -> list[str]:
    """Every known mistake's name."""
    return list(MISTAKES)
