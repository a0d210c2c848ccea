"""Independent reference for the blind evaluation set.

Computes every named value of one training step (forward pass, errors, the
backward pass in derivation order, updates, forward pass after the update) for
the networks in ``networks/``, either correctly or the way a student who made
one particular mistake would: the wrong rule acts at one (or a few) named
values, and everything downstream is computed *from the student's own numbers*
with the right rules.

Written from the textbook derivation only (Mazur's "A Step by Step
Backpropagation Example" and the usual delta-rule notation), without reading
stepgrad's checker.

Two implementations live here:

* ``vector_step``: a plain NumPy forward/backward pass (correct values only),
* ``compute``: the named, step-by-step engine with hooks (``Mistake``) where a
  student's wrong rule replaces the right one.

``python reference.py`` checks both against ``stepgrad explain --format json``.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
NETWORKS = HERE / "networks"


# --------------------------------------------------------------------------
# network description and naming
# --------------------------------------------------------------------------


@dataclass
class Layer:
    act: str
    W: list  # one row per neuron
    wnames: list  # same shape as W
    neurons: list  # neuron names ("h1", "h2_1", "o1")
    inputs: list  # value names feeding the layer ("i1" or "out_h1")
    bias_vals: list  # per neuron
    bias_names: list  # per neuron (a shared bias repeats its name)
    train_bias: bool


@dataclass
class Net:
    name: str
    x: list
    t: list
    eta: float
    loss: str
    layers: list
    input_names: list

    @property
    def out(self) -> Layer:
        return self.layers[-1]

    def given(self) -> dict:
        g = {}
        for n, v in zip(self.input_names, self.x):
            g[n] = float(v)
        for n, v in zip(self.out.neurons, self.t):
            g[f"target_{n}"] = float(v)
        for L in self.layers:
            for j, row in enumerate(L.W):
                for i, w in enumerate(row):
                    g[L.wnames[j][i]] = float(w)
        for L in self.layers:
            for bn, bv in zip(L.bias_names, L.bias_vals):
                g[bn] = float(bv)
        return g

    def bias_params(self):
        """[(bias name, layer index, [neurons it feeds], trained)] in order."""
        res = []
        for li, L in enumerate(self.layers):
            seen = {}
            for n, bn in zip(L.neurons, L.bias_names):
                seen.setdefault(bn, []).append(n)
            for bn, ns in seen.items():
                res.append((bn, li, ns, L.train_bias))
        return res

    def layer_of(self, neuron: str) -> Layer:
        for L in self.layers:
            if neuron in L.neurons:
                return L
        raise KeyError(neuron)

    def all_weight_names(self):
        return [w for L in self.layers for row in L.wnames for w in row]


def load_network(path) -> Net:
    path = Path(path)
    d = tomllib.loads(path.read_text())
    layers_in = d["layer"]
    nl = len(layers_in)
    x = d["inputs"]
    input_names = [f"i{k + 1}" for k in range(len(x))]
    layers = []
    wcount = 0
    bcount = 0
    prev_inputs = input_names
    for li, ld in enumerate(layers_in):
        W = ld["weights"]
        n = len(W)
        if li == nl - 1:
            neurons = [f"o{j + 1}" for j in range(n)]
        elif nl == 2:
            neurons = [f"h{j + 1}" for j in range(n)]
        else:
            neurons = [f"h{li + 1}_{j + 1}" for j in range(n)]
        wnames = []
        for row in W:
            r = []
            for _ in row:
                wcount += 1
                r.append(f"w{wcount}")
            wnames.append(r)
        b = ld.get("bias", 0.0)
        if isinstance(b, list):
            bias_vals = list(b)
            bias_names = []
            for _ in b:
                bcount += 1
                bias_names.append(f"b{bcount}")
        else:
            bcount += 1
            bias_vals = [b] * n
            bias_names = [f"b{bcount}"] * n
        layers.append(
            Layer(
                act=ld["activation"],
                W=W,
                wnames=wnames,
                neurons=neurons,
                inputs=list(prev_inputs),
                bias_vals=bias_vals,
                bias_names=bias_names,
                train_bias=ld.get("train_bias", True),
            )
        )
        prev_inputs = [f"out_{m}" for m in neurons]
    return Net(
        name=path.name,
        x=x,
        t=d["targets"],
        eta=d["learning_rate"],
        loss=d["loss"],
        layers=layers,
        input_names=input_names,
    )


# --------------------------------------------------------------------------
# activations
# --------------------------------------------------------------------------


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def activate(act: str, z: float) -> float:
    if act == "sigmoid":
        return sigmoid(z)
    if act == "tanh":
        return math.tanh(z)
    if act == "relu":
        return z if z > 0 else 0.0
    if act == "linear":
        return z
    raise ValueError(act)


def derivative(act: str, out: float, net: float) -> float:
    if act == "sigmoid":
        return out * (1.0 - out)
    if act == "tanh":
        return 1.0 - out * out
    if act == "relu":
        return 1.0 if net > 0 else 0.0
    if act == "linear":
        return 1.0
    if act == "softmax":  # diagonal of the Jacobian
        return out * (1.0 - out)
    raise ValueError(act)


# --------------------------------------------------------------------------
# plain NumPy implementation (correct values only, used as a cross-check)
# --------------------------------------------------------------------------


def _np_act(act, z):
    if act == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if act == "tanh":
        return np.tanh(z)
    if act == "relu":
        return np.maximum(z, 0.0)
    if act == "softmax":
        e = np.exp(z - z.max())
        return e / e.sum()
    raise ValueError(act)


def _np_forward(net: Net, Ws, bs):
    a = np.array(net.x, float)
    outs, nets = [a], []
    for L, W, b in zip(net.layers, Ws, bs):
        z = W @ a + b
        a = _np_act(L.act, z)
        nets.append(z)
        outs.append(a)
    t = np.array(net.t, float)
    if net.loss == "cross_entropy":
        E = -t * np.log(a)
    else:
        E = 0.5 * (t - a) ** 2
    return nets, outs, E


def vector_step(net: Net) -> dict:
    """A few key values per layer, computed with matrices."""
    Ws = [np.array(L.W, float) for L in net.layers]
    bs = [np.array(L.bias_vals, float) for L in net.layers]
    nets, outs, E = _np_forward(net, Ws, bs)
    t = np.array(net.t, float)
    y = outs[-1]
    if net.loss == "cross_entropy":
        delta = y - t
    else:
        delta = (y - t) * y * (1 - y) if net.out.act == "sigmoid" else None
    deltas = [None] * len(net.layers)
    deltas[-1] = delta
    for li in range(len(net.layers) - 2, -1, -1):
        L = net.layers[li]
        back = Ws[li + 1].T @ deltas[li + 1]
        a = outs[li + 1]
        if L.act == "sigmoid":
            d = a * (1 - a)
        elif L.act == "tanh":
            d = 1 - a**2
        elif L.act == "relu":
            d = (nets[li] > 0).astype(float)
        deltas[li] = back * d
    grads = [np.outer(deltas[li], outs[li]) for li in range(len(net.layers))]
    newW = [W - net.eta * g for W, g in zip(Ws, grads)]
    newb = []
    for li, L in enumerate(net.layers):
        if not L.train_bias:
            newb.append(bs[li])
            continue
        names = L.bias_names
        if len(set(names)) == 1:
            newb.append(bs[li] - net.eta * deltas[li].sum())
        else:
            newb.append(bs[li] - net.eta * deltas[li])
    _, outs2, E2 = _np_forward(net, newW, newb)
    res = {"E_total": float(E.sum()), "E_total+": float(E2.sum())}
    for li, L in enumerate(net.layers):
        for j, n in enumerate(L.neurons):
            res[f"out_{n}"] = float(outs[li + 1][j])
            res[f"delta_{n}"] = float(deltas[li][j])
            res[f"out_{n}+"] = float(outs2[li + 1][j])
            for i in range(len(L.W[j])):
                res[f"{L.wnames[j][i]}+"] = float(newW[li][j, i])
    return res


# --------------------------------------------------------------------------
# the named, step-by-step engine
# --------------------------------------------------------------------------

Override = Callable[[dict, Callable[[], float]], float]


@dataclass
class Mistake:
    """Where a student's rule replaces the right one.

    ov:   value name -> f(c, default) giving the student's value; ``c`` holds the
          student's values so far, ``default()`` the right rule applied to them.
    wfwd: layer index -> weight-name matrix the student believes in (forward
          pass, gradients and updates; e.g. the transposed matrix).
    wback: layer index -> weight-name matrix used when passing deltas back
          into the layer below.
    """

    ov: dict = field(default_factory=dict)
    wfwd: dict = field(default_factory=dict)
    wback: dict = field(default_factory=dict)

    def merged(self, other: Mistake) -> Mistake:
        return Mistake({**self.ov, **other.ov}, {**self.wfwd, **other.wfwd}, {**self.wback, **other.wback})


def d15(x: float) -> Decimal:
    """A float as the decimal a person sees on a calculator (15 digits)."""
    return Decimal(format(x, ".15g"))


def round_dec(x: float, decimals: int, mode: str = "half_up") -> float:
    q = Decimal(1).scaleb(-decimals)
    r = ROUND_HALF_UP if mode == "half_up" else ROUND_HALF_EVEN
    return float(d15(x).quantize(q, rounding=r))


def compute(net: Net, mistake: Mistake | None = None, carry: Callable | None = None):
    """Every named value of one step, in derivation order.

    Returns (values, order). ``carry(name, value)`` may round a value before it
    is stored and used further on (a student carrying rounded numbers).
    """
    m = mistake or Mistake()
    c: dict = dict(net.given())
    eta = net.eta
    order: list = []

    def put(name, thunk):
        v = m.ov[name](c, thunk) if name in m.ov else thunk()
        v = float(v)
        if v == 0.0:
            v = 0.0  # no negative zero
        if carry is not None:
            v = carry(name, v)
        c[name] = v
        order.append(name)
        return v

    def wnames(li):
        return m.wfwd.get(li, net.layers[li].wnames)

    def forward(sfx):
        for li, L in enumerate(net.layers):
            xs = L.inputs if li == 0 else [x + sfx for x in L.inputs]
            W = wnames(li)
            for j, n in enumerate(L.neurons):
                bn = L.bias_names[j] + (sfx if L.train_bias else "")

                def netval(j=j, bn=bn):
                    return sum(c[W[j][i] + sfx] * c[xs[i]] for i in range(len(xs))) + c[bn]

                put(f"net_{n}{sfx}", netval)
                if L.act != "softmax":
                    put(f"out_{n}{sfx}", lambda n=n: activate(L.act, c[f"net_{n}{sfx}"]))
            if L.act == "softmax":
                for n in L.neurons:

                    def sm(n=n):
                        zs = [c[f"net_{k}{sfx}"] for k in L.neurons]
                        mx = max(zs)
                        return math.exp(c[f"net_{n}{sfx}"] - mx) / sum(math.exp(z - mx) for z in zs)

                    put(f"out_{n}{sfx}", sm)

    def errors(sfx):
        names = []
        for n in net.out.neurons:
            t = c[f"target_{n}"]
            if net.loss == "cross_entropy":
                f = lambda n=n, t=t: -t * math.log(c[f"out_{n}{sfx}"]) if t != 0 else 0.0
            else:
                f = lambda n=n, t=t: 0.5 * (t - c[f"out_{n}{sfx}"]) ** 2
            put(f"E_{n}{sfx}", f)
            names.append(f"E_{n}{sfx}")
        put(f"E_total{sfx}", lambda: sum(c[k] for k in names))

    def weights_of(li, j, n):
        L = net.layers[li]
        W = wnames(li)
        for i, x in enumerate(L.inputs):
            w = W[j][i]
            put(f"dnet_{n}/d{w}", lambda x=x: c[x])
            put(f"dE_total/d{w}", lambda w=w: c[f"delta_{n}"] * c[f"dnet_{n}/d{w}"])
            put(f"{w}+", lambda w=w: c[w] - eta * c[f"dE_total/d{w}"])

    # forward pass and errors
    forward("")
    errors("")

    # output layer
    li = len(net.layers) - 1
    L = net.out
    for k, n in enumerate(L.neurons):
        t = f"target_{n}"
        if net.loss == "cross_entropy":
            put(f"dE_total/dout_{n}", lambda n=n, t=t: -c[t] / c[f"out_{n}"])
            put(f"dout_{n}/dnet_{n}", lambda n=n: derivative(L.act, c[f"out_{n}"], c[f"net_{n}"]))
            put(f"delta_{n}", lambda n=n, t=t: c[f"out_{n}"] - c[t])
        else:
            put(f"dE_total/dout_{n}", lambda n=n, t=t: -(c[t] - c[f"out_{n}"]))
            put(f"dout_{n}/dnet_{n}", lambda n=n: derivative(L.act, c[f"out_{n}"], c[f"net_{n}"]))
            put(f"delta_{n}", lambda n=n: c[f"dE_total/dout_{n}"] * c[f"dout_{n}/dnet_{n}"])
        weights_of(li, k, n)

    # hidden layers, top down
    for li in range(len(net.layers) - 2, -1, -1):
        Lh = net.layers[li]
        Ln = net.layers[li + 1]
        Wb = m.wback.get(li + 1, wnames(li + 1))
        for j, n in enumerate(Lh.neurons):
            terms = []
            for k, mm in enumerate(Ln.neurons):
                nm = f"dE_{mm}/dout_{n}"
                put(nm, lambda mm=mm, k=k, j=j: c[f"delta_{mm}"] * c[Wb[k][j]])
                terms.append(nm)
            put(f"dE_total/dout_{n}", lambda terms=terms: sum(c[x] for x in terms))
            put(f"dout_{n}/dnet_{n}", lambda n=n: derivative(Lh.act, c[f"out_{n}"], c[f"net_{n}"]))
            put(f"delta_{n}", lambda n=n: c[f"dE_total/dout_{n}"] * c[f"dout_{n}/dnet_{n}"])
            weights_of(li, j, n)

    # biases
    for bn, li, ns, trained in net.bias_params():
        put(f"dE_total/d{bn}", lambda ns=ns: sum(c[f"delta_{n}"] for n in ns))
        if trained:
            put(f"{bn}+", lambda bn=bn: c[bn] - eta * c[f"dE_total/d{bn}"])

    # after the update
    forward("+")
    errors("+")
    return {k: c[k] for k in order}, order


# --------------------------------------------------------------------------
# mistakes, as a student makes them
# --------------------------------------------------------------------------


def outputs_and_hidden(net: Net):
    return [n for L in net.layers for n in L.neurons]


def hidden_neurons(net: Net, layer: int | None = None):
    if layer is None:
        return [n for L in net.layers[:-1] for n in L.neurons]
    return list(net.layers[layer].neurons)


def neuron_weights(net: Net, n: str, wmat=None):
    for li, L in enumerate(net.layers):
        if n in L.neurons:
            j = L.neurons.index(n)
            W = wmat or L.wnames
            return li, [(W[j][i], x) for i, x in enumerate(L.inputs)]
    raise KeyError(n)


def m_derivative_of_net(net, neurons):
    ov = {}
    for n in neurons:
        act = net.layer_of(n).act
        if act == "sigmoid":
            ov[f"dout_{n}/dnet_{n}"] = lambda c, d, n=n: c[f"net_{n}"] * (1 - c[f"net_{n}"])
        elif act == "tanh":
            ov[f"dout_{n}/dnet_{n}"] = lambda c, d, n=n: 1 - c[f"net_{n}"] ** 2
        else:
            raise ValueError(act)
    return Mistake(ov)


def m_derivative_sigma_of_out(net, neurons):
    def f(c, d, n):
        s = sigmoid(c[f"out_{n}"])
        return s * (1 - s)

    return Mistake({f"dout_{n}/dnet_{n}": (lambda c, d, n=n: f(c, d, n)) for n in neurons})


def m_derivative_omitted(net, neurons):
    return Mistake({f"delta_{n}": (lambda c, d, n=n: c[f"dE_total/dout_{n}"]) for n in neurons})


def m_derivative_twice_delta(net, neurons):
    return Mistake(
        {f"delta_{n}": (lambda c, d, n=n: c[f"dE_total/dout_{n}"] * c[f"dout_{n}/dnet_{n}"] ** 2) for n in neurons}
    )


def m_derivative_twice_grad(net, neurons, biases=True):
    """dE/dw = delta · dout/dnet · dnet/dw: the chain rule written with delta
    in place of dE/dout, so the derivative factor enters twice."""
    ov = {}
    for n in neurons:
        _, ws = neuron_weights(net, n)
        for w, x in ws:
            ov[f"dE_total/d{w}"] = lambda c, d, n=n, x=x: c[f"delta_{n}"] * c[f"dout_{n}/dnet_{n}"] * c[x]
    if biases:
        for bn, li, ns, trained in net.bias_params():
            if any(n in neurons for n in ns):
                ov[f"dE_total/d{bn}"] = lambda c, d, ns=ns: sum(
                    c[f"delta_{n}"] * (c[f"dout_{n}/dnet_{n}"] if n in neurons else 1.0) for n in ns
                )
    return Mistake(ov)


def m_derivative_wrong_neuron(net, n, other, act=None):
    act = act or net.layer_of(n).act
    return Mistake({f"dout_{n}/dnet_{n}": lambda c, d: derivative(act, c[f"out_{other}"], c[f"net_{other}"])})


def m_derivative_wrong_activation(net, neurons, rule):
    ov = {}
    for n in neurons:
        if rule == "out(1-out)":
            ov[f"dout_{n}/dnet_{n}"] = lambda c, d, n=n: c[f"out_{n}"] * (1 - c[f"out_{n}"])
        elif rule == "1-out":
            ov[f"dout_{n}/dnet_{n}"] = lambda c, d, n=n: 1 - c[f"out_{n}"]
        elif rule == "1-out^2":
            ov[f"dout_{n}/dnet_{n}"] = lambda c, d, n=n: 1 - c[f"out_{n}"] ** 2
        elif rule == "relu_one":
            ov[f"dout_{n}/dnet_{n}"] = lambda c, d: 1.0
        elif rule == "softmax_times_deriv":
            ov[f"delta_{n}"] = lambda c, d, n=n: (c[f"out_{n}"] - c[f"target_{n}"]) * c[f"dout_{n}/dnet_{n}"]
        else:
            raise ValueError(rule)
    return Mistake(ov)


def m_term_weight(net, term, w):
    """dE_m/dout_n computed with weight w."""
    m = term.split("/")[0][3:]
    return Mistake({term: lambda c, d: c[f"delta_{m}"] * c[w]})


def m_weights_transposed_back(net, li):
    W = net.layers[li].wnames
    WT = [list(r) for r in zip(*W)]
    return Mistake(wback={li: WT})


def m_weights_transposed_fwd(net, li):
    W = net.layers[li].wnames
    WT = [list(r) for r in zip(*W)]
    return Mistake(wfwd={li: WT})


def m_gradient_uses_own_output(net, neurons):
    ov = {}
    for n in neurons:
        _, ws = neuron_weights(net, n)
        for w, x in ws:
            ov[f"dE_total/d{w}"] = lambda c, d, n=n: c[f"delta_{n}"] * c[f"out_{n}"]
    return Mistake(ov)


def m_wrong_layer_input(net, neurons, alt_inputs):
    """Gradients of the neurons' weights use alt_inputs[i] in place of input i."""
    ov = {}
    for n in neurons:
        _, ws = neuron_weights(net, n)
        for i, (w, x) in enumerate(ws):
            ov[f"dE_total/d{w}"] = lambda c, d, n=n, a=alt_inputs[i]: c[f"delta_{n}"] * c[a]
    return Mistake(ov)


def m_sum_term_missing(net, n, keep):
    return Mistake({f"dE_total/dout_{n}": lambda c, d: sum(c[f"dE_{k}/dout_{n}"] for k in keep)})


def m_bias_sum_term_missing(net, bn, keep):
    return Mistake({f"dE_total/d{bn}": lambda c, d: sum(c[f"delta_{k}"] for k in keep)})


def _terms(net, neurons):
    """(term name, downstream neuron, weight name) for the hidden neurons."""
    res = []
    for n in neurons:
        for li, L in enumerate(net.layers):
            if n in L.neurons:
                Ln = net.layers[li + 1]
                j = L.neurons.index(n)
                for k, mm in enumerate(Ln.neurons):
                    res.append((f"dE_{mm}/dout_{n}", mm, Ln.wnames[k][j]))
    return res


def m_sum_without_weights(net, neurons):
    return Mistake({t: (lambda c, d, mm=mm: c[f"delta_{mm}"]) for t, mm, w in _terms(net, neurons)})


def m_passed_dE_dout(net, neurons):
    ov = {}
    for t, mm, w in _terms(net, neurons):
        ov[t] = lambda c, d, mm=mm, w=w: c[f"dE_total/dout_{mm}"] * c[w]
    return Mistake(ov)


def m_updated_weights_used(net, neurons):
    return Mistake({t: (lambda c, d, mm=mm, w=w: c[f"delta_{mm}"] * c[w + "+"]) for t, mm, w in _terms(net, neurons)})


def m_dE_dout_factor(net, factor):
    return Mistake(
        {f"dE_total/dout_{n}": (lambda c, d, n=n: factor * (c[f"out_{n}"] - c[f"target_{n}"])) for n in net.out.neurons}
    )


def m_error_without_half(net):
    ov = {}
    for s in ("", "+"):
        for n in net.out.neurons:
            ov[f"E_{n}{s}"] = lambda c, d, n=n, s=s: (c[f"target_{n}"] - c[f"out_{n}{s}"]) ** 2
    return Mistake(ov)


def m_mean_instead_of_sum(net):
    ov = {}
    k = len(net.out.neurons)
    for s in ("", "+"):
        ov[f"E_total{s}"] = lambda c, d, s=s: sum(c[f"E_{n}{s}"] for n in net.out.neurons) / k
    return Mistake(ov)


def update_names(net, layers=None):
    """w+ and b+ names of the given layers (all by default)."""
    layers = range(len(net.layers)) if layers is None else layers
    names = []
    for li in layers:
        L = net.layers[li]
        names += [w for row in L.wnames for w in row]
    for bn, li, ns, trained in net.bias_params():
        if trained and li in layers:
            names.append(bn)
    return names


def m_learning_rate(net, eta, layers=None):
    return Mistake({f"{p}+": (lambda c, d, p=p: c[p] - eta * c[f"dE_total/d{p}"]) for p in update_names(net, layers)})


def m_gradient_added(net, layers=None):
    return Mistake(
        {f"{p}+": (lambda c, d, p=p: c[p] + net.eta * c[f"dE_total/d{p}"]) for p in update_names(net, layers)}
    )


def m_sigmoid_sign(net, neurons):
    ov = {}
    for s in ("", "+"):
        for n in neurons:
            ov[f"out_{n}{s}"] = lambda c, d, n=n, s=s: 1.0 / (1.0 + math.exp(c[f"net_{n}{s}"]))
    return Mistake(ov)


def _net_terms(net, n, sfx, c):
    li, ws = neuron_weights(net, n)
    return sum(c[w + sfx] * c[x if li == 0 else x + sfx] for w, x in ws)


def _bias_of(net, n, sfx):
    L = net.layer_of(n)
    bn = L.bias_names[L.neurons.index(n)]
    return bn + (sfx if L.train_bias else "")


def m_bias_left_out(net, neurons):
    ov = {}
    for s in ("", "+"):
        for n in neurons:
            ov[f"net_{n}{s}"] = lambda c, d, n=n, s=s: _net_terms(net, n, s, c)
    return Mistake(ov)


def m_bias_added_twice(net, neurons):
    ov = {}
    for s in ("", "+"):
        for n in neurons:
            ov[f"net_{n}{s}"] = lambda c, d, n=n, s=s: _net_terms(net, n, s, c) + 2 * c[_bias_of(net, n, s)]
    return Mistake(ov)


def m_sign_dE_dout(net):
    return Mistake(
        {f"dE_total/dout_{n}": (lambda c, d, n=n: c[f"target_{n}"] - c[f"out_{n}"]) for n in net.out.neurons}
    )


def m_negative_delta_output(net):
    """delta_o = (target − out)·dout/dnet: the negative-delta convention."""
    ov = {}
    for n in net.out.neurons:
        if net.loss == "cross_entropy":
            ov[f"delta_{n}"] = lambda c, d, n=n: c[f"target_{n}"] - c[f"out_{n}"]
        else:
            ov[f"delta_{n}"] = lambda c, d, n=n: (c[f"target_{n}"] - c[f"out_{n}"]) * c[f"dout_{n}/dnet_{n}"]
    return Mistake(ov)


def m_update_with_plus(net, layers=None):
    """w+ = w + η·delta·x with the student's delta (negative convention)."""
    ov = {}
    for li in range(len(net.layers)) if layers is None else layers:
        L = net.layers[li]
        for j, n in enumerate(L.neurons):
            for i, x in enumerate(L.inputs):
                w = L.wnames[j][i]
                ov[f"{w}+"] = lambda c, d, w=w, n=n, x=x: c[w] + net.eta * c[f"delta_{n}"] * c[x]
    for bn, li, ns, trained in net.bias_params():
        if trained and (layers is None or li in layers):
            ov[f"{bn}+"] = lambda c, d, bn=bn, ns=ns: c[bn] + net.eta * sum(c[f"delta_{n}"] for n in ns)
    return Mistake(ov)


def m_update_with_minus_delta(net, layers=None):
    """w+ = w − η·delta·x with the student's delta."""
    ov = {}
    for li in range(len(net.layers)) if layers is None else layers:
        L = net.layers[li]
        for j, n in enumerate(L.neurons):
            for i, x in enumerate(L.inputs):
                w = L.wnames[j][i]
                ov[f"{w}+"] = lambda c, d, w=w, n=n, x=x: c[w] - net.eta * c[f"delta_{n}"] * c[x]
    for bn, li, ns, trained in net.bias_params():
        if trained and (layers is None or li in layers):
            ov[f"{bn}+"] = lambda c, d, bn=bn, ns=ns: c[bn] - net.eta * sum(c[f"delta_{n}"] for n in ns)
    return Mistake(ov)


def m_override(name, value):
    return Mistake({name: lambda c, d: value})


# --------------------------------------------------------------------------
# self-check against stepgrad explain
# --------------------------------------------------------------------------


def explain_json(path) -> dict:
    exe = Path(sys.executable).with_name("stepgrad")
    out = subprocess.run(
        [str(exe), "explain", str(path), "--format", "json"], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def verify(names=("classic", "tanh", "relu_softmax", "two_hidden"), tol=1e-9) -> bool:
    ok = True
    for nm in names:
        path = NETWORKS / f"{nm}.toml"
        net = load_network(path)
        vals, order = compute(net)
        ex = explain_json(path)
        ev = ex["values"]
        given = net.given()
        mine = {**given, **vals}
        missing = set(ev) - set(mine)
        extra = set(mine) - set(ev)
        bad = [(k, mine[k], ev[k]) for k in ev if k in mine and abs(mine[k] - ev[k]) > tol]
        steps = [s["name"] for s in ex["steps"]]
        order_ok = [n for n in order if n in steps] == steps
        vec = vector_step(net)
        vbad = [(k, v, ev[k]) for k, v in vec.items() if abs(v - ev[k]) > tol]
        print(
            f"{nm}: {len(ev)} values; missing {sorted(missing)}; extra {sorted(extra)}; "
            f"differ {bad}; order {'ok' if order_ok else 'DIFFERS'}; numpy differ {vbad}"
        )
        ok &= not (missing or extra or bad or vbad) and order_ok
    print("reference agrees with stepgrad explain" if ok else "MISMATCH")
    return ok


if __name__ == "__main__":
    sys.exit(0 if verify() else 1)
