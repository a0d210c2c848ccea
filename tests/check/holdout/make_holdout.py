"""Deterministic generator of the blind hold-out set for `stepgrad check`.

Writes networks/*.toml, answers/*, truth.toml from scratch.  It uses its own NumPy
reference of one training step (verified against `stepgrad explain --format json`
to 1e-9 on every value of every network); it never calls `stepgrad check`.

Run:  /work/main/.venv/bin/python tests/check/holdout/make_holdout.py
"""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
import sys
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
NETDIR = HERE / "networks"
ANSDIR = HERE / "answers"
LEAK = 0.01

# --------------------------------------------------------------------------- networks

NETWORKS = {
    "n1_sig321": """\
# 3-2-1, sigmoid everywhere, shared trained biases, half squared error.
inputs = [0.6, -0.2, 0.9]
targets = [0.2]
learning_rate = 0.25
loss = "half_squared_error"

[[layer]]
activation = "sigmoid"
weights = [[0.3, -0.1, 0.45], [-0.25, 0.4, 0.15]]
bias = 0.2
train_bias = true

[[layer]]
activation = "sigmoid"
weights = [[0.7, -0.35]]
bias = -0.15
train_bias = true
""",
    "n2_leaky232": """\
# 2-3-2, leaky_relu hidden (h2 has a negative net), sigmoid output, per-neuron biases, mse.
inputs = [0.8, -0.5]
targets = [0.9, 0.15]
learning_rate = 0.1
loss = "mse"

[[layer]]
activation = "leaky_relu"
weights = [[0.5, 0.3], [-0.4, 0.6], [0.2, -0.7]]
bias = [0.1, -0.05, 0.2]
train_bias = true

[[layer]]
activation = "sigmoid"
weights = [[0.6, -0.3, 0.45], [-0.2, 0.55, 0.35]]
bias = [0.05, -0.1]
train_bias = true
""",
    "n3_tanh_softmax": """\
# 2-2-3, tanh hidden, softmax output with cross entropy, per-neuron biases.
inputs = [0.4, 0.7]
targets = [0.0, 1.0, 0.0]
learning_rate = 0.2
loss = "cross_entropy"

[[layer]]
activation = "tanh"
weights = [[0.35, -0.6], [0.8, 0.25]]
bias = [0.1, -0.2]
train_bias = true

[[layer]]
activation = "softmax"
weights = [[0.5, -0.45], [-0.3, 0.65], [0.2, 0.15]]
bias = [0.05, 0.0, -0.1]
train_bias = true
""",
    "n4_classic": """\
# stepgrad network file: the classic worked example of backpropagation (as written by `stepgrad init`).
inputs = [0.05, 0.1]
targets = [0.01, 0.99]
learning_rate = 0.5
loss = "half_squared_error"

[[layer]]
activation = "sigmoid"
weights = [[0.15, 0.2], [0.25, 0.3]]
bias = 0.35
train_bias = false

[[layer]]
activation = "sigmoid"
weights = [[0.4, 0.45], [0.5, 0.55]]
bias = 0.6
train_bias = false
""",
    "n5_deep2321": """\
# 2-3-2-1, tanh then sigmoid hidden layers, linear output, mse, shared trained biases.
inputs = [0.3, -0.8]
targets = [0.5]
learning_rate = 0.15
loss = "mse"

[[layer]]
activation = "tanh"
weights = [[0.4, 0.25], [-0.5, 0.3], [0.15, -0.45]]
bias = 0.1
train_bias = true

[[layer]]
activation = "sigmoid"
weights = [[0.6, -0.4, 0.3], [-0.2, 0.5, 0.7]]
bias = -0.05
train_bias = true

[[layer]]
activation = "linear"
weights = [[0.9, -0.6]]
bias = 0.2
train_bias = true
""",
}


def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


class Layer:
    pass


class Net:
    def __init__(self, key: str):
        self.key = key
        d = tomllib.loads(NETWORKS[key])
        self.x = [float(v) for v in d["inputs"]]
        self.t = [float(v) for v in d["targets"]]
        self.eta = float(d["learning_rate"])
        self.loss = d["loss"]
        self.W0: dict[str, float] = {}
        self.B0: dict[str, float] = {}
        self.layers: list[Layer] = []
        L = len(d["layer"])
        wi = bi = 1
        for l, spec in enumerate(d["layer"]):
            ly = Layer()
            ly.act = spec["activation"]
            W = spec["weights"]
            n, m = len(W), len(W[0])
            ly.n, ly.m = n, m
            if l == L - 1:
                ly.names = [f"o{j + 1}" for j in range(n)]
            elif L == 2:
                ly.names = [f"h{j + 1}" for j in range(n)]
            else:
                ly.names = [f"h{l + 1}_{j + 1}" for j in range(n)]
            ly.wn = [[f"w{wi + j * m + i}" for i in range(m)] for j in range(n)]
            for j in range(n):
                for i in range(m):
                    self.W0[ly.wn[j][i]] = float(W[j][i])
            wi += n * m
            b = spec.get("bias")
            if b is None:
                ly.bn = None
            elif isinstance(b, list):
                ly.bn = [f"b{bi + j}" for j in range(n)]
                for j in range(n):
                    self.B0[ly.bn[j]] = float(b[j])
                bi += n
            else:
                ly.bn = [f"b{bi}"] * n
                self.B0[f"b{bi}"] = float(b)
                bi += 1
            ly.train = spec.get("train_bias", True)
            self.layers.append(ly)
        self.inames = [f"i{i + 1}" for i in range(len(self.x))]

    def layer_of(self, neuron):
        for l, ly in enumerate(self.layers):
            if neuron in ly.names:
                return l, ly.names.index(neuron)
        raise KeyError(neuron)

    def prev_names(self, l):
        return self.inames if l == 0 else self.layers[l - 1].names


# --------------------------------------------------------------------------- numbers


def rnd(x: float, d: int, mode: str = "dec") -> float:
    return float(fmt(x, d, mode))


def fmt(x: float, d: int, mode: str = "dec") -> str:
    """Round half up as people do: d decimals ('dec') or d significant digits ('sig')."""
    if x == 0:
        return "0." + "0" * d if mode == "dec" else "0"
    if mode == "sig":
        e = math.floor(math.log10(abs(x)))
        dd = max(d - 1 - e, 0)
    else:
        dd = d
    q = Decimal(repr(x)).quantize(Decimal(1).scaleb(-dd), rounding=ROUND_HALF_UP)
    s = format(q, "f")
    if float(s) == 0:
        s = s.lstrip("-")
    return s


def slip_str(s: str, op: str, pos: int) -> str:
    neg = s.startswith("-")
    body = s[1:] if neg else s
    ip, fp = body.split(".")
    if op == "swap":
        f = list(fp)
        assert f[pos] != f[pos + 1], (s, pos)
        f[pos], f[pos + 1] = f[pos + 1], f[pos]
        body = ip + "." + "".join(f)
    elif op == "drop":
        body = ip + "." + fp[:pos] + fp[pos + 1 :]
    elif op == "point_left":  # decimal point moved one place left (0.59 -> 0.059)
        digits = ip + fp
        if ip == "0":
            body = "0.0" + fp
        else:
            body = digits[: len(ip) - 1] + "." + digits[len(ip) - 1 :]
            if body.startswith("."):
                body = "0" + body
    elif op == "point_right":  # 0.0593 -> 0.593
        if ip == "0":
            fp2 = fp[1:] if len(fp) > 1 else fp + "0"
            body = ("0." + fp2) if fp[0] == "0" else (fp[0] + "." + fp[1:])
        else:
            body = ip + fp[0] + "." + fp[1:]
    elif op == "sign":
        assert neg, s
        return body
    else:
        raise ValueError(op)
    return ("-" if neg else "") + body


# --------------------------------------------------------------------------- reference step


class Student:
    """One training step, computed like a person: every value from the values before it.

    m: the mistake (None = correct).  carry: (d, mode) rounding of every value, carried
    forward, or None.  write: (d, mode) the precision the values are written with.
    """

    def __init__(self, net: Net, m: dict | None = None, carry=None, write=(9, "dec")):
        self.net = net
        self.m = m or {}
        self.carry = carry
        self.write = write
        self.V: dict[str, float] = {}
        self.S: dict[str, str] = {}  # written string overrides (slips)
        self.skip: set[str] = set()  # values the student does not write
        self.run()

    # -- helpers
    def fam(self, f):
        return self.m.get("family") == f

    def at(self, name):
        return name in self.m.get("at", ())

    def put(self, name, v):
        v = float(v)
        if self.carry is not None:
            v = rnd(v, *self.carry)
        if self.fam("rounded_too_early") and self.at(name):
            v = rnd(v, 2)
        if self.fam("slip") and self.at(name):
            s = slip_str(fmt(v, *self.write), self.m["op"], self.m.get("pos", 0))
            self.S[name] = s
            if self.m["carried"]:
                v = float(s)
        self.V[name] = v
        return v

    def act(self, ly, nets, names, first):
        a = ly.act
        if a == "softmax":
            e = np.exp(np.asarray(nets) - max(nets))
            return [float(v) for v in e / e.sum()]
        outs = []
        for z, nm in zip(nets, names):
            if a == "sigmoid":
                if first and self.fam("sigmoid_sign_exponent") and self.at("out_" + nm):
                    outs.append(1.0 / (1.0 + math.exp(z)))
                else:
                    outs.append(sig(z))
            elif a == "tanh":
                outs.append(math.tanh(z))
            elif a == "relu":
                outs.append(max(z, 0.0))
            elif a == "leaky_relu":
                outs.append(z if z > 0 else LEAK * z)
            elif a == "linear":
                outs.append(z)
            else:
                raise ValueError(a)
        return outs

    def forward(self, W, B, suf):
        net = self.net
        first = suf == ""
        prev = list(net.x)
        pnames = net.inames
        outs_all, nets_all = [], []
        for l, ly in enumerate(net.layers):
            nets = []
            for j, nm in enumerate(ly.names):
                key = "net_" + nm
                wrow = [W[ly.wn[j][i]] for i in range(ly.m)]
                if first and self.fam("weights_transposed") and self.at(key):
                    # w_ij read down the column instead of along the row
                    wrow = [W[ly.wn[i][j]] for i in range(ly.m)]
                z = float(np.dot(wrow, prev))
                if ly.bn is not None:
                    b = B[ly.bn[j]]
                    if first and self.fam("bias_left_out") and self.at(key):
                        b = 0.0
                    if first and self.fam("bias_added_twice") and self.at(key):
                        b = 2 * b
                    z += b
                nets.append(z)
                if ly.act != "softmax":
                    nets[-1] = self.put(key + suf, z)
                    o = self.act(ly, [nets[-1]], [nm], first)[0]
                    self.put("out_" + nm + suf, o)
            if ly.act == "softmax":
                nets = [self.put("net_" + nm + suf, z) for nm, z in zip(ly.names, nets)]
                outs = self.act(ly, nets, ly.names, first)
                for nm, o in zip(ly.names, outs):
                    self.put("out_" + nm + suf, o)
            outs = [self.V["out_" + nm + suf] for nm in ly.names]
            nets_all.append([self.V["net_" + nm + suf] for nm in ly.names])
            outs_all.append(outs)
            prev = outs
            pnames = ly.names
        # errors
        n_out = len(net.t)
        Es = []
        for k, (t, o) in enumerate(zip(net.t, prev)):
            if net.loss == "half_squared_error":
                E = 0.5 * (t - o) ** 2
                if self.fam("factor_two_or_half") and self.at("E_o"):
                    E = (t - o) ** 2
            elif net.loss == "mse":
                E = (t - o) ** 2 / n_out
            elif net.loss == "cross_entropy":
                E = -t * math.log(o)
            elif net.loss == "binary_cross_entropy":
                E = -(t * math.log(o) + (1 - t) * math.log(1 - o)) / n_out
            else:
                raise ValueError(net.loss)
            Es.append(self.put(f"E_o{k + 1}{suf}", E))
        Et = sum(Es)
        if self.fam("mean_instead_of_sum") and self.at("E_total"):
            Et = Et / len(Es)
        self.put("E_total" + suf, Et)
        return nets_all, outs_all

    def dact(self, ly, j, nets, outs, target):
        """dout/dnet of neuron j of layer ly, with the derivative mistakes."""
        nm = ly.names[j]
        key = f"dout_{nm}/dnet_{nm}"
        a = ly.act
        o, z = outs[j], nets[j]
        f = self.m.get("family") if self.at(key) else None
        if f == "derivative_wrong_neuron":
            o = outs[self.m["other"]]
            z = nets[self.m["other"]]
        if f == "derivative_wrong_activation":
            a = self.m["as"]
        if a in ("sigmoid", "softmax"):
            if f == "derivative_of_net":
                return z * (1 - z)
            if f == "derivative_sigma_of_out":
                return sig(o) * (1 - sig(o))
            return o * (1 - o)
        if a == "tanh":
            if f == "derivative_of_net":
                return 1 - z * z
            if f == "derivative_sigma_of_out":
                return 1 - math.tanh(o) ** 2
            return 1 - o * o
        if a == "leaky_relu":
            return 1.0 if z > 0 else LEAK
        if a == "relu":
            return 1.0 if z > 0 else 0.0
        if a == "linear":
            return 1.0
        raise ValueError(a)

    def eta_for(self, l):
        if self.fam("learning_rate_wrong"):
            return self.m["eta"]
        return self.net.eta

    def sign_for(self, l, kind):
        """+1: w − η·g (correct), −1: gradient added."""
        if self.fam("cancelling"):
            return -1
        if self.fam("gradient_added") and (l in self.m["layers"]) and kind in self.m.get("kinds", ("w", "b")):
            return -1
        return 1

    def run(self):
        net = self.net
        W, B = dict(net.W0), dict(net.B0)
        nets, outs = self.forward(W, B, "")
        L = len(net.layers)
        deltas = [None] * L
        Wp = {}
        dEdout_of = {}
        for l in reversed(range(L)):
            ly = net.layers[l]
            in_vals = net.x if l == 0 else outs[l - 1]
            deltas[l] = []
            for j, nm in enumerate(ly.names):
                if l == L - 1:
                    t, o = net.t[j], outs[l][j]
                    n_out = len(net.t)
                    if net.loss == "half_squared_error":
                        g = -(t - o)
                    elif net.loss == "mse":
                        g = -2 * (t - o) / n_out
                    elif net.loss == "cross_entropy":
                        g = -t / o
                    elif net.loss == "binary_cross_entropy":
                        g = (-(t / o) + (1 - t) / (1 - o)) / n_out
                    key = f"dE_total/dout_{nm}"
                    flip = self.fam("cancelling") or (self.fam("sign_dE_dout") and self.at(key))
                    if flip:
                        g = -g
                    if self.fam("factor_two_or_half") and self.at(key):
                        g = g * self.m["factor"]
                    g = self.put(key, g)
                    dEdout_of[nm] = g
                    if ly.act == "softmax":
                        d = o * (1 - o)
                        self.put(f"dout_{nm}/dnet_{nm}", d)
                        delta = o - t
                        if flip:
                            delta = -delta
                        delta = self.put(f"delta_{nm}", delta)
                        deltas[l].append(delta)
                    else:
                        d = self.put(f"dout_{nm}/dnet_{nm}", self.dact(ly, j, nets[l], outs[l], t))
                        deltas[l].append(self.delta(nm, g, d))
                else:
                    up = net.layers[l + 1]
                    terms = []
                    for k, un in enumerate(up.names):
                        key = f"dE_{un}/dout_{nm}"
                        wn = up.wn[k][j]
                        w = W[wn]
                        if self.at(key):
                            f = self.m["family"]
                            if f == "updated_weights_used":
                                w = Wp[wn]
                            elif f == "wrong_weight_neighbour":
                                w = W[self.m["use"]]
                            elif f == "weights_transposed":
                                w = W[up.wn[j][k]]
                        fac = deltas[l + 1][k]
                        if self.at(key) and self.fam("passed_dE_dout_not_delta"):
                            fac = dEdout_of[un]
                        term = fac * w
                        if self.at(key) and self.fam("sum_without_weights"):
                            term = fac
                        terms.append(self.put(key, term))
                    key = f"dE_total/dout_{nm}"
                    tot = sum(terms)
                    if self.at(key) and self.fam("sum_term_missing"):
                        tot = sum(tv for k, tv in enumerate(terms) if k not in self.m["drop"])
                    if self.at(key) and self.fam("mean_instead_of_sum"):
                        tot = tot / len(terms)
                    tot = self.put(key, tot)
                    dEdout_of[nm] = tot
                    d = self.put(f"dout_{nm}/dnet_{nm}", self.dact(ly, j, nets[l], outs[l], None))
                    deltas[l].append(self.delta(nm, tot, d))
                delta = deltas[l][-1]
                eta = self.eta_for(l)
                for i in range(ly.m):
                    wn = ly.wn[j][i]
                    key = f"dnet_{nm}/d{wn}"
                    x = in_vals[i]
                    if self.at(key) and self.fam("gradient_uses_own_output"):
                        x = outs[l][j]
                    if self.at(key) and self.fam("wrong_layer_input"):
                        x = net.x[i] if l == 1 else outs[l - 2][i]
                    x = self.put(key, x)
                    gw = self.put(f"dE_total/d{wn}", delta * x)
                    Wp[wn] = self.put(f"{wn}+", W[wn] - self.sign_for(l, "w") * eta * gw)
        # biases, first layer first
        Bp = dict(B)
        for l, ly in enumerate(net.layers):
            if ly.bn is None:
                continue
            seen = []
            for b in ly.bn:
                if b not in seen:
                    seen.append(b)
            for b in seen:
                js = [j for j in range(ly.n) if ly.bn[j] == b]
                key = f"dE_total/d{b}"
                ds = [deltas[l][j] for j in js]
                g = sum(ds)
                if self.at(key) and self.fam("sum_term_missing"):
                    g = sum(dv for k, dv in enumerate(ds) if k not in self.m["drop"])
                if self.at(key) and self.fam("mean_instead_of_sum"):
                    g = g / len(ds)
                if self.fam("bias_left_out") and self.at(b + "+"):
                    self.skip.add(key)
                g = self.put(key, g)
                if ly.train:
                    if self.fam("bias_left_out") and self.at(b + "+"):
                        Bp[b] = self.put(b + "+", B[b])
                    else:
                        Bp[b] = self.put(b + "+", B[b] - self.sign_for(l, "b") * self.eta_for(l) * g)
        Wn = {k: Wp.get(k, v) for k, v in W.items()}
        self.forward(Wn, Bp, "+")

    def delta(self, nm, g, d):
        key = f"delta_{nm}"
        dkey = f"dout_{nm}/dnet_{nm}"
        if self.fam("derivative_omitted") and self.at(dkey):
            self.skip.add(dkey)
            return self.put(key, g)
        if self.fam("derivative_twice") and self.at(key):
            return self.put(key, g * d * d)
        return self.put(key, g * d)


# --------------------------------------------------------------------------- explain


def stepgrad_bin():
    cand = Path(sys.executable).parent / "stepgrad"
    return str(cand) if cand.exists() else shutil.which("stepgrad")


def explain(key):
    out = subprocess.run(
        [stepgrad_bin(), "explain", str(NETDIR / f"{key}.toml"), "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def verify(net: Net, ex) -> list[str]:
    s = Student(net)
    vals = ex["values"]
    for k, v in vals.items():
        if k in net.W0:
            mine = net.W0[k]
        elif k in net.B0:
            mine = net.B0[k]
        elif k.startswith("i") and k[1:].isdigit():
            mine = net.x[int(k[1:]) - 1]
        elif k.startswith("target_o"):
            mine = net.t[int(k[8:]) - 1]
        else:
            mine = s.V[k]
        assert abs(mine - v) <= 1e-9 * max(1.0, abs(v)), (net.key, k, mine, v)
    order = [st["name"] for st in ex["steps"]]
    missing = [k for k in order if k not in s.V]
    assert not missing, missing
    return order


# --------------------------------------------------------------------------- subsets


def groups(net: Net, order: list[str]):
    def neuron_of(name):
        # the neuron a backward value belongs to
        if name.startswith("delta_"):
            return name[6:]
        if name.startswith("dout_"):
            return name[5:].split("/")[0]
        if name.startswith("dE_total/dout_") or (name.startswith("dE_") and "/dout_" in name):
            return name.split("/dout_")[1]
        if name.startswith("dnet_"):
            return name[5:].split("/")[0]
        wn = None
        if name.startswith("dE_total/dw"):
            wn = name[len("dE_total/d") :]
        elif name.startswith("w") and name.endswith("+"):
            wn = name[:-1]
        if wn:
            for ly in net.layers:
                for j, row in enumerate(ly.wn):
                    if wn in row:
                        return ly.names[j]
        return None

    G: dict[str, list[str]] = {}
    for n in order:
        plus = n.endswith("+")
        if (n.startswith("net_") or n.startswith("out_")) and not plus:
            G.setdefault("fwd", []).append(n)
        elif n.startswith("E_") and not plus:
            G.setdefault("err", []).append(n)
        elif (n.startswith("net_") or n.startswith("out_") or n.startswith("E_")) and plus:
            G.setdefault("after", []).append(n)
        elif n.startswith("dE_total/db") or (n.startswith("b") and plus):
            G.setdefault("bias", []).append(n)
        else:
            nr = neuron_of(n)
            assert nr, n
            G.setdefault("neuron:" + nr, []).append(n)
            l, _ = net.layer_of(nr)
            G.setdefault(f"layer:{l}", []).append(n)
    return G


def select(net, order, spec):
    G = groups(net, order)
    chosen = set()
    for g in spec["include"]:
        if g in G:
            chosen.update(G[g])
        elif g == "wplus":
            chosen.update(n for n in order if n.startswith("w") and n.endswith("+"))
        elif g == "grads":
            chosen.update(n for n in order if n.startswith("dE_total/dw"))
        elif g == "deltas":
            chosen.update(n for n in order if n.startswith("delta_"))
        elif g == "outs":
            chosen.update(n for n in order if n.startswith("out_") and not n.endswith("+"))
        elif g in order:
            chosen.add(g)
        elif g == "E_total+":
            chosen.add(g)
        else:
            raise KeyError((net.key, g))
    for pat in spec.get("drop", ()):
        chosen = {n for n in chosen if not n.startswith(pat)}
    return [n for n in order if n in chosen]


# --------------------------------------------------------------------------- writing

SECTION_TITLES = {
    "fwd": ["Forward pass", "## Forward pass", "FORWARD PASS:", "1) forward pass"],
    "err": ["Errors", "## Error", "Total error:", "2) errors"],
    "back": ["Backward pass", "## Backpropagation", "Backward pass (chain rule):", "3) backward pass"],
    "bias": ["Biases", "## Bias gradients", "Bias updates:", "4) biases"],
    "after": ["After the update", "## Forward pass with the new weights", "Check: new error", "5) after the update"],
}


def section_of(n):
    plus = n.endswith("+")
    if (n.startswith("net_") or n.startswith("out_")) and not plus:
        return "fwd"
    if n.startswith("E_") and not plus:
        return "err"
    if plus and (n.startswith("net_") or n.startswith("out_") or n.startswith("E_")):
        return "after"
    if n.startswith("dE_total/db") or (n.startswith("b") and plus):
        return "bias"
    return "back"


def alias(name, styles):
    a = name
    if "h_out" in styles and a.startswith("out_") and "_" not in a[4:].rstrip("+"):
        base = a[4:]
        a = base.rstrip("+") + "_out" + ("+" if base.endswith("+") else "")
    if "dE_short" in styles and a.startswith("dE_total/d"):
        a = "dE/d" + a[len("dE_total/d") :]
    if "new" in styles and a[0] in "wb" and a.endswith("+") and a[1:-1].isdigit():
        a = a[:-1] + "_new"
    if "Etotal" in styles and a == "E_total":
        a = "Etotal"
    if "delta_greek" in styles and a.startswith("delta_"):
        a = "δ_" + a[6:]
    return a


def working(net: Net, st: Student, n: str, wd) -> str | None:
    """A person's working for a net input, a weight gradient or an update, or None."""
    V = st.V
    f = lambda v: fmt(v, *wd)  # noqa: E731
    plus = n.endswith("+")
    if n.startswith("net_"):
        nm = n[4:].rstrip("+")
        l, j = net.layer_of(nm)
        ly = net.layers[l]
        suf = "+" if plus else ""
        parts = []
        for i in range(ly.m):
            wn = ly.wn[j][i]
            w = V[wn + "+"] if plus else net.W0[wn]
            x = net.x[i] if l == 0 else V["out_" + net.layers[l - 1].names[i] + suf]
            parts.append(f"{f(w) if plus else repr(w)}*{f(x) if l else repr(x)}")
        if ly.bn is not None:
            b = ly.bn[j]
            bv = V.get(b + "+", net.B0[b]) if plus else net.B0[b]
            parts.append(f(bv) if plus else repr(bv))
        return " + ".join(parts).replace("+ -", "- ")
    if n.startswith("dE_total/dw"):
        wn = n[len("dE_total/d") :]
        for ly in net.layers:
            for j, row in enumerate(ly.wn):
                if wn in row:
                    nm = ly.names[j]
                    return f"{f(V['delta_' + nm])} * {f(V['dnet_' + nm + '/d' + wn])}"
    if n.startswith("w") and plus:
        wn = n[:-1]
        return f"{net.W0[wn]!r} - {net.eta!r}*{f(V['dE_total/d' + wn])}".replace("- -", "+ ")
    return None


def render(net: Net, st: Student, names: list[str], style: dict) -> bytes:
    fmt_ = style.get("format", "lines")
    wd = st.write
    styles = style.get("alias", ())
    rows = []
    for n in names:
        s = st.S.get(n) or fmt(st.V[n], *wd)
        rows.append((n, alias(n, styles), s))
    text = ""
    if fmt_ == "lines":
        out = []
        for p in style.get("preamble", []):
            out.append(p)
        last = None
        for k, (n, a, s) in enumerate(rows):
            sec = section_of(n)
            if style.get("headings") is not None and sec != last:
                if last is not None:
                    out.append("")
                out.append(SECTION_TITLES[sec][style["headings"]])
                if style.get("prose") and sec == "back":
                    out.append("Now I go backwards through the network with the chain rule.")
                if style.get("prose") and sec == "after":
                    out.append("With the new weights I run the forward pass again to see whether the error went down.")
            last = sec
            if style.get("decimal_comma"):
                s = s.replace(".", ",")
            sep = style.get("sep", " = ")
            if style.get("working"):
                w = working(net, st, n, wd)
                if w is not None:
                    out.append(f"{a}{sep}{w} = {s}")
                    continue
            out.append(f"{a}{sep}{s}")
        for p in style.get("postamble", []):
            out.append(p)
        text = "\n".join(out) + "\n"
    elif fmt_ == "toml":
        out = list(style.get("preamble", []))
        for n, a, s in rows:
            key = a if all(c.isalnum() or c in "_-" for c in a) and a.isascii() else json.dumps(a, ensure_ascii=False)
            out.append(f"{key} = {s}")
        text = "\n".join(out) + "\n"
    elif fmt_ == "json":
        ind = style.get("indent", 2)
        body = (",\n" if ind else ", ").join(
            (" " * ind if ind else "") + f"{json.dumps(a, ensure_ascii=False)}: {s}" for n, a, s in rows
        )
        text = "{\n" + body + "\n}\n" if ind else "{" + body + "}\n"
    elif fmt_ == "csv":
        notes = style.get("notes")
        out = ["name,value,notes" if notes else "name,value"]
        for n, a, s in rows:
            if notes:
                note = {
                    "fwd": "forward pass",
                    "err": "error",
                    "back": "chain rule",
                    "bias": "bias",
                    "after": "after update",
                }[section_of(n)]
                out.append(f"{a},{s},{note}")
            else:
                out.append(f"{a},{s}")
        text = "\n".join(out) + "\n"
    else:
        raise ValueError(fmt_)
    data = text.encode("utf-8")
    if style.get("bom"):
        data = b"\xef\xbb\xbf" + data
    return data


EXT = {"lines": "txt", "toml": "toml", "json": "json", "csv": "csv"}

# --------------------------------------------------------------------------- the cases

FWD_ERR = ["fwd", "err"]

# Mistaken cases.  m: the mistake; inc: what the student wrote (groups, derivation order);
# wr: written precision; carry: rounding carried forward; st: file style.
MISTAKES = [
    # ---------------- n1: 3-2-1 sigmoid, shared trained biases, half squared error, eta 0.25
    dict(
        net="n1_sig321",
        family="derivative_of_net",
        m=dict(at=["dout_o1/dnet_o1"]),
        inc=["outs", "err", "neuron:o1"],
        wr=(6, "dec"),
        st=dict(format="lines"),
        desc="dout_o1/dnet_o1 computed as net_o1·(1 − net_o1) instead of out_o1·(1 − out_o1).",
    ),
    dict(
        net="n1_sig321",
        family="derivative_sigma_of_out",
        m=dict(at=["dout_h1/dnet_h1"]),
        inc=["outs", "E_total", "delta_o1", "neuron:h1"],
        wr=(8, "dec"),
        st=dict(format="toml"),
        desc="dout_h1/dnet_h1 computed as σ(out_h1)·(1 − σ(out_h1)), applying the sigmoid again to out_h1.",
    ),
    dict(
        net="n1_sig321",
        family="derivative_wrong_neuron",
        m=dict(at=["dout_h2/dnet_h2"], other=0),
        inc=["deltas", "neuron:h2", "bias"],
        wr=(7, "dec"),
        st=dict(format="json"),
        desc="dout_h2/dnet_h2 computed from out_h1 (out_h1·(1 − out_h1)) instead of out_h2.",
    ),
    dict(
        net="n1_sig321",
        family="sum_term_missing",
        m=dict(at=["dE_total/db1"], drop=[1]),
        inc=["deltas", "bias", "after"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="dE_total/db1 taken as delta_h1 only, leaving out delta_h2 although b1 also feeds h2.",
    ),
    dict(
        net="n1_sig321",
        family="wrong_weight_neighbour",
        m=dict(at=["dE_o1/dout_h2"], use="w7"),
        inc=["delta_o1", "neuron:h2", "b1+"],
        wr=(6, "dec"),
        st=dict(format="csv"),
        desc="dE_o1/dout_h2 computed as delta_o1·w7 (the neighbouring weight) instead of delta_o1·w8.",
    ),
    dict(
        net="n1_sig321",
        family="gradient_uses_own_output",
        m=dict(at=["dnet_o1/dw7"]),
        inc=["outs", "neuron:o1", "E_total+"],
        wr=(6, "dec"),
        st=dict(format="lines"),
        desc="dnet_o1/dw7 taken as out_o1 (the neuron's own output) instead of its input out_h1.",
    ),
    dict(
        net="n1_sig321",
        family="wrong_layer_input",
        m=dict(at=["dnet_o1/dw7", "dnet_o1/dw8"]),
        inc=["fwd", "neuron:o1"],
        wr=(7, "dec"),
        st=dict(format="toml"),
        desc="dnet_o1/dw7 and dnet_o1/dw8 taken as the network inputs i1 and i2 instead of out_h1 and out_h2.",
    ),
    dict(
        net="n1_sig321",
        family="factor_two_or_half",
        m=dict(at=["dE_total/dout_o1"], factor=2.0),
        inc=["out_o1", "E_total", "neuron:o1", "deltas", "wplus"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="dE_total/dout_o1 written as −2(target_o1 − out_o1), keeping the 2 although E has the factor ½.",
    ),
    dict(
        net="n1_sig321",
        family="learning_rate_wrong",
        m=dict(eta=0.5),
        inc=["grads", "wplus", "bias"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="every update uses η = 0.5 instead of the file's 0.25.",
    ),
    dict(
        net="n1_sig321",
        family="sigmoid_sign_exponent",
        m=dict(at=["out_h2"]),
        inc=FWD_ERR + ["deltas", "wplus"],
        wr=(6, "dec"),
        st=dict(format="json"),
        desc="out_h2 computed as 1/(1 + e^(+net_h2)) in the forward pass (sign of the exponent lost).",
    ),
    dict(
        net="n1_sig321",
        family="bias_added_twice",
        m=dict(at=["net_o1"]),
        inc=FWD_ERR + ["neuron:o1"],
        wr=(5, "dec"),
        st=dict(format="lines"),
        desc="net_o1 computed with b2 added twice (w7·out_h1 + w8·out_h2 + 2·b2).",
    ),
    dict(
        net="n1_sig321",
        family="gradient_added",
        m=dict(layers=[0], kinds=("w",)),
        inc=["deltas", "layer:0"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="csv"),
        desc="the hidden weights w1…w6 are updated as w + η·dE_total/dw (gradient added); w7, w8 and biases correct.",
    ),
    dict(
        net="n1_sig321",
        kind="slip",
        family="slip",
        m=dict(at=["out_h1"], op="swap", pos=1, carried=True),
        inc=FWD_ERR + ["neuron:o1"],
        wr=(6, "dec"),
        st=dict(format="lines"),
        desc="slip: two digits of out_h1 swapped (0.691043 → 0.619043); later values computed from the slipped value.",
    ),
    dict(
        net="n1_sig321",
        kind="slip",
        family="slip",
        m=dict(at=["dE_total/dw2"], op="sign", carried=False),
        inc=["deltas", "neuron:h1"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="slip: sign of dE_total/dw2 lost when writing it; w2+ and later values computed from the correct value.",
    ),
    dict(
        net="n1_sig321",
        kind="rounding",
        family="rounded_too_early",
        m=dict(at=["out_h1"]),
        inc=["fwd", "err", "neuron:o1", "neuron:h1"],
        drop=["dnet_"],
        wr=(9, "dec"),
        st=dict(format="lines"),
        desc="out_h1 rounded to 0.69 and carried into everything after it, which is written with 9 decimals.",
    ),
    dict(
        net="n1_sig321",
        kind="cancelling",
        family="cancelling",
        m=dict(),
        inc=["out_o1", "neuron:o1", "neuron:h1", "bias", "E_total+"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="toml"),
        desc="dE_total/dout_o1 written as (target_o1 − out_o1) (sign flipped) and every gradient added, so the gradients have the wrong sign but the updates are right.",
    ),
    # ---------------- n2: 2-3-2 leaky_relu + sigmoid, per-neuron biases, mse, eta 0.1
    dict(
        net="n2_leaky232",
        family="derivative_wrong_activation",
        m=dict(at=["dout_h2/dnet_h2"], **{"as": "relu"}),
        inc=["fwd", "deltas", "neuron:h2", "b2+"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="dout_h2/dnet_h2 taken as 0 (the ReLU derivative) although h2 is leaky_relu with slope 0.01 for net_h2 < 0.",
    ),
    dict(
        net="n2_leaky232",
        family="factor_two_or_half",
        m=dict(at=["dE_total/dout_o1", "dE_total/dout_o2"], factor=2.0),
        inc=["outs", "err", "layer:1"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="json"),
        desc="dE_total/dout_o1 and dE_total/dout_o2 written as −2(target − out), dropping the 1/2 of the mean over the two outputs.",
    ),
    dict(
        net="n2_leaky232",
        family="mean_instead_of_sum",
        m=dict(at=["dE_total/dout_h1"]),
        inc=["deltas", "neuron:h1", "bias"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="dE_total/dout_h1 taken as the mean of dE_o1/dout_h1 and dE_o2/dout_h1 instead of their sum.",
    ),
    dict(
        net="n2_leaky232",
        family="sum_without_weights",
        m=dict(at=["dE_o1/dout_h3", "dE_o2/dout_h3"]),
        inc=["deltas", "neuron:h3", "b3+"],
        wr=(7, "dec"),
        st=dict(format="csv", notes=True),
        desc="dE_total/dout_h3 computed as delta_o1 + delta_o2, without multiplying by w9 and w12.",
    ),
    dict(
        net="n2_leaky232",
        family="passed_dE_dout_not_delta",
        m=dict(at=["dE_o1/dout_h1", "dE_o2/dout_h1"]),
        inc=["layer:1", "neuron:h1"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="dE_o1/dout_h1 and dE_o2/dout_h1 computed as dE_total/dout_o·w (w7, w10) instead of delta_o·w.",
    ),
    dict(
        net="n2_leaky232",
        family="updated_weights_used",
        m=dict(at=[f"dE_o{k}/dout_h{j}" for k in (1, 2) for j in (1, 2, 3)]),
        inc=["deltas", "wplus", "layer:0"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="toml"),
        desc="the hidden layer's dE_o/dout_h are computed with the updated w7+…w12+ instead of the original weights.",
    ),
    dict(
        net="n2_leaky232",
        family="derivative_twice",
        m=dict(at=["delta_o2"]),
        inc=["outs", "neuron:o2", "neuron:h1"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="delta_o2 computed as dE_total/dout_o2 · (dout_o2/dnet_o2)², the sigmoid derivative multiplied in twice.",
    ),
    dict(
        net="n2_leaky232",
        family="bias_left_out",
        m=dict(at=["net_h3"]),
        inc=FWD_ERR + ["deltas"],
        wr=(6, "dec"),
        st=dict(format="lines"),
        desc="net_h3 computed as w5·i1 + w6·i2 without b3 in the forward pass.",
    ),
    dict(
        net="n2_leaky232",
        family="bias_left_out",
        m=dict(at=["b4+", "b5+"]),
        inc=["deltas", "bias", "after"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="the output biases b4 and b5 are left out of the update (b4+ = b4, b5+ = b5); b1…b3 updated correctly.",
    ),
    dict(
        net="n2_leaky232",
        family="gradient_uses_own_output",
        m=dict(at=["dnet_o2/dw11"]),
        inc=["outs", "neuron:o2"],
        wr=(7, "dec"),
        st=dict(format="json", indent=0),
        desc="dnet_o2/dw11 taken as out_o2 (the neuron's own output) instead of its input out_h2.",
    ),
    dict(
        net="n2_leaky232",
        family="sigmoid_sign_exponent",
        m=dict(at=["out_o1"]),
        inc=FWD_ERR + ["neuron:o1"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="out_o1 computed as 1/(1 + e^(+net_o1)) in the forward pass.",
    ),
    dict(
        net="n2_leaky232",
        family="gradient_added",
        m=dict(layers=[1]),
        inc=["deltas", "layer:1", "b4+", "b5+"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="csv"),
        desc="the output layer's weights w7…w12 and biases b4, b5 are updated with the gradient added; hidden layer correct.",
    ),
    dict(
        net="n2_leaky232",
        kind="slip",
        family="slip",
        m=dict(at=["net_h2"], op="point_right", carried=True),
        inc=["fwd", "err"],
        wr=(5, "dec"),
        st=dict(format="lines"),
        desc="slip: net_h2 written as -6.7 instead of -0.67 (decimal point moved); later values computed from the slipped value.",
    ),
    dict(
        net="n2_leaky232",
        kind="slip",
        family="slip",
        m=dict(at=["w9+"], op="drop", pos=2, carried=False),
        inc=["neuron:o1", "wplus", "after"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="toml"),
        desc="slip: a digit of w9+ dropped when writing it; the forward pass after the update uses the correct w9+.",
    ),
    dict(
        net="n2_leaky232",
        kind="rounding",
        family="rounded_too_early",
        m=dict(at=["net_o1"]),
        inc=["fwd", "err", "neuron:o1"],
        drop=["dnet_"],
        wr=(9, "dec"),
        st=dict(format="lines"),
        desc="net_o1 rounded to 0.58 and carried forward; the later values are written with 9 decimals.",
    ),
    dict(
        net="n2_leaky232",
        kind="cancelling",
        family="cancelling",
        m=dict(),
        inc=["outs", "layer:1", "deltas", "bias"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="dE_total/dout_o1 and dE_total/dout_o2 have their sign flipped and every gradient is added, so the updates come out right.",
    ),
    # ---------------- n3: 2-2-3 tanh + softmax, cross entropy, eta 0.2
    dict(
        net="n3_tanh_softmax",
        family="derivative_wrong_activation",
        m=dict(at=["dout_h1/dnet_h1"], **{"as": "sigmoid"}),
        inc=["outs", "deltas", "neuron:h1"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="dout_h1/dnet_h1 computed with the sigmoid derivative out_h1·(1 − out_h1) although h1 is tanh.",
    ),
    dict(
        net="n3_tanh_softmax",
        family="derivative_of_net",
        m=dict(at=["dout_h2/dnet_h2"]),
        inc=["fwd", "deltas", "neuron:h2", "b2+"],
        wr=(8, "dec"),
        st=dict(format="toml"),
        desc="dout_h2/dnet_h2 computed as 1 − net_h2² instead of 1 − out_h2².",
    ),
    dict(
        net="n3_tanh_softmax",
        family="derivative_sigma_of_out",
        m=dict(at=["dout_h2/dnet_h2"]),
        inc=["outs", "neuron:h2"],
        wr=(7, "dec"),
        st=dict(format="json"),
        desc="dout_h2/dnet_h2 computed as 1 − tanh(out_h2)², applying tanh again to out_h2.",
    ),
    dict(
        net="n3_tanh_softmax",
        family="sign_dE_dout",
        m=dict(at=["dE_total/dout_o1", "dE_total/dout_o2", "dE_total/dout_o3"]),
        inc=["outs", "E_total", "layer:1"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="the output error signal has its sign flipped: dE_total/dout_o = target/out and delta_o = target − out, then w5…w10 updated with w − η·g.",
    ),
    dict(
        net="n3_tanh_softmax",
        family="sum_term_missing",
        m=dict(at=["dE_total/dout_h2"], drop=[2]),
        inc=["deltas", "neuron:h2"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="csv"),
        desc="dE_total/dout_h2 leaves out the term dE_o3/dout_h2 (sums only the o1 and o2 terms).",
    ),
    dict(
        net="n3_tanh_softmax",
        family="passed_dE_dout_not_delta",
        m=dict(at=["dE_o1/dout_h1", "dE_o2/dout_h1", "dE_o3/dout_h1"]),
        inc=["outs", "layer:1", "neuron:h1"],
        drop=["dnet_", "w"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="dE_ok/dout_h1 computed as dE_total/dout_ok · w (−target/out times w5, w7, w9) instead of delta_ok · w.",
    ),
    dict(
        net="n3_tanh_softmax",
        family="wrong_weight_neighbour",
        m=dict(at=["dE_o2/dout_h1"], use="w8"),
        inc=["deltas", "neuron:h1", "b1+"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="dE_o2/dout_h1 computed as delta_o2·w8 (the neighbouring weight) instead of delta_o2·w7.",
    ),
    dict(
        net="n3_tanh_softmax",
        family="learning_rate_wrong",
        m=dict(eta=0.1),
        inc=["grads", "wplus", "E_total+"],
        wr=(7, "dec"),
        st=dict(format="json"),
        desc="every update uses η = 0.1 instead of 0.2.",
    ),
    dict(
        net="n3_tanh_softmax",
        family="updated_weights_used",
        m=dict(at=[f"dE_o{k}/dout_h{j}" for k in (1, 2, 3) for j in (1, 2)]),
        inc=["deltas", "wplus", "layer:0"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="the hidden layer's dE_o/dout_h use the updated w5+…w10+ instead of the original output weights.",
    ),
    dict(
        net="n3_tanh_softmax",
        family="weights_transposed",
        m=dict(at=["net_h1", "net_h2"]),
        inc=FWD_ERR + ["deltas"],
        wr=(7, "dec"),
        st=dict(format="toml"),
        desc="the hidden nets use the transposed weight matrix: net_h1 = w1·i1 + w3·i2 + b1, net_h2 = w2·i1 + w4·i2 + b2.",
    ),
    dict(
        net="n3_tanh_softmax",
        family="gradient_added",
        m=dict(layers=[0, 1]),
        inc=["deltas", "wplus", "bias"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="every weight and bias is updated as w + η·dE_total/dw (gradient added).",
    ),
    dict(
        net="n3_tanh_softmax",
        family="bias_added_twice",
        m=dict(at=["net_h1"]),
        inc=FWD_ERR,
        wr=(7, "dec"),
        st=dict(format="csv"),
        desc="net_h1 computed with b1 added twice (w1·i1 + w2·i2 + 2·b1).",
    ),
    dict(
        net="n3_tanh_softmax",
        family="mean_instead_of_sum",
        m=dict(at=["E_total", "E_total+"]),
        inc=["outs", "err", "deltas", "after"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="E_total (and E_total+) taken as the mean of E_o1, E_o2, E_o3 instead of their sum.",
    ),
    dict(
        net="n3_tanh_softmax",
        kind="slip",
        family="slip",
        m=dict(at=["delta_o2"], op="swap", pos=1, carried=True),
        inc=["outs", "layer:1", "neuron:h1"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="slip: two digits of delta_o2 swapped; later values computed from the slipped value.",
    ),
    dict(
        net="n3_tanh_softmax",
        kind="slip",
        family="slip",
        m=dict(at=["out_o3"], op="drop", pos=1, carried=False),
        inc=FWD_ERR + ["deltas"],
        wr=(6, "dec"),
        st=dict(format="json"),
        desc="slip: a digit of out_o3 dropped when writing it; later values computed from the correct value.",
    ),
    dict(
        net="n3_tanh_softmax",
        kind="rounding",
        family="rounded_too_early",
        m=dict(at=["out_h1"]),
        inc=["fwd", "err", "layer:1"],
        drop=["dnet_"],
        wr=(9, "dec"),
        st=dict(format="lines"),
        desc="out_h1 rounded to -0.18 and carried forward; later values written with 9 decimals.",
    ),
    dict(
        net="n3_tanh_softmax",
        kind="cancelling",
        family="cancelling",
        m=dict(),
        inc=["outs", "layer:1", "deltas", "bias"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="the sign of dE_total/dout_o (and so of delta_o) is flipped and every gradient is added, so the updates come out right.",
    ),
    # ---------------- n4: the classic example, eta 0.5, frozen biases
    dict(
        net="n4_classic",
        family="updated_weights_used",
        m=dict(at=[f"dE_o{k}/dout_h{j}" for k in (1, 2) for j in (1, 2)]),
        inc=["deltas", "wplus", "layer:0"],
        drop=["dnet_"],
        wr=(9, "dec"),
        st=dict(format="lines"),
        desc="the hidden layer's dE_o/dout_h use the updated w5+…w8+ (the classic errata mistake).",
    ),
    dict(
        net="n4_classic",
        family="weights_transposed",
        m=dict(at=["dE_o2/dout_h1", "dE_o1/dout_h2"]),
        inc=["deltas", "layer:0"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="toml"),
        desc="backward through the transposed matrix: dE_o2/dout_h1 uses w6 and dE_o1/dout_h2 uses w7 (instead of w7 and w6).",
    ),
    dict(
        net="n4_classic",
        family="derivative_of_net",
        m=dict(at=["dout_h1/dnet_h1"]),
        inc=["fwd", "dE_total/dout_h1", "neuron:h1"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="dout_h1/dnet_h1 computed as net_h1·(1 − net_h1) instead of out_h1·(1 − out_h1).",
    ),
    dict(
        net="n4_classic",
        family="derivative_omitted",
        m=dict(at=["dout_o1/dnet_o1", "dout_o2/dnet_o2"]),
        inc=["outs", "layer:1"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="the output deltas leave out dout/dnet: delta_o1 = dE_total/dout_o1 and delta_o2 = dE_total/dout_o2.",
    ),
    dict(
        net="n4_classic",
        family="derivative_twice",
        m=dict(at=["delta_h2"]),
        inc=["deltas", "neuron:h2"],
        drop=["dnet_"],
        wr=(9, "dec"),
        st=dict(format="json"),
        desc="delta_h2 computed as dE_total/dout_h2 · (dout_h2/dnet_h2)², the derivative multiplied in twice.",
    ),
    dict(
        net="n4_classic",
        family="derivative_wrong_neuron",
        m=dict(at=["dout_o2/dnet_o2"], other=0),
        inc=["outs", "neuron:o2"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="dout_o2/dnet_o2 computed from out_o1 (out_o1·(1 − out_o1)) instead of out_o2.",
    ),
    dict(
        net="n4_classic",
        family="sum_term_missing",
        m=dict(at=["dE_total/dout_h1"], drop=[1]),
        inc=["deltas", "neuron:h1"],
        wr=(9, "dec"),
        st=dict(format="csv", notes=True),
        desc="dE_total/dout_h1 takes only dE_o1/dout_h1 and leaves out dE_o2/dout_h1.",
    ),
    dict(
        net="n4_classic",
        family="sign_dE_dout",
        m=dict(at=["dE_total/dout_o1", "dE_total/dout_o2"]),
        inc=["outs", "layer:1", "deltas"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="dE_total/dout_o written as (target − out) instead of −(target − out) for o1 and o2, updates still w − η·g.",
    ),
    dict(
        net="n4_classic",
        family="mean_instead_of_sum",
        m=dict(at=["E_total", "E_total+"]),
        inc=["fwd", "err", "after"],
        wr=(9, "dec"),
        st=dict(format="lines"),
        desc="E_total (and E_total+) taken as the mean (E_o1 + E_o2)/2 instead of the sum.",
    ),
    dict(
        net="n4_classic",
        family="factor_two_or_half",
        m=dict(at=["E_o"]),
        inc=["outs", "err", "E_o1+", "E_o2+", "E_total+"],
        wr=(9, "dec"),
        st=dict(format="toml"),
        desc="E_o1 and E_o2 (before and after the update) computed as (target − out)² without the ½.",
    ),
    dict(
        net="n4_classic",
        family="wrong_layer_input",
        m=dict(at=["dnet_o1/dw5", "dnet_o1/dw6", "dnet_o2/dw7", "dnet_o2/dw8"]),
        inc=["outs", "layer:1"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="the output weights' dnet/dw taken as the inputs i1, i2 instead of out_h1, out_h2.",
    ),
    dict(
        net="n4_classic",
        family="sigmoid_sign_exponent",
        m=dict(at=["out_h1"]),
        inc=FWD_ERR + ["deltas"],
        wr=(9, "dec"),
        st=dict(format="lines"),
        desc="out_h1 computed as 1/(1 + e^(+net_h1)) in the forward pass.",
    ),
    dict(
        net="n4_classic",
        family="bias_left_out",
        m=dict(at=["net_o2"]),
        inc=FWD_ERR + ["neuron:o2"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="json"),
        desc="net_o2 computed as w7·out_h1 + w8·out_h2 without b2.",
    ),
    dict(
        net="n4_classic",
        kind="slip",
        family="slip",
        m=dict(at=["E_total"], op="drop", pos=3, carried=False),
        inc=FWD_ERR + ["deltas"],
        wr=(9, "dec"),
        st=dict(format="lines"),
        desc="slip: a digit of E_total dropped when writing it; nothing later depends on it.",
    ),
    dict(
        net="n4_classic",
        kind="slip",
        family="slip",
        m=dict(at=["dE_total/dw5"], op="point_left", carried=True),
        inc=["deltas", "layer:1"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="slip: dE_total/dw5 written 0.008216704 (decimal point moved); w5+ computed from the slipped value.",
    ),
    dict(
        net="n4_classic",
        kind="rounding",
        family="rounded_too_early",
        m=dict(at=["net_o1"]),
        inc=["fwd", "err", "neuron:o1", "neuron:h1"],
        drop=["dnet_"],
        wr=(9, "dec"),
        st=dict(format="lines"),
        desc="net_o1 rounded to 1.11 and carried forward; later values written with 9 decimals.",
    ),
    dict(
        net="n4_classic",
        kind="cancelling",
        family="cancelling",
        m=dict(),
        inc=["outs", "layer:1", "deltas", "layer:0", "E_total+"],
        drop=["dnet_", "dE_o"],
        wr=(9, "dec"),
        st=dict(format="lines"),
        desc="dE_total/dout_o1 and dE_total/dout_o2 sign-flipped and every gradient added, so all updates are right.",
    ),
    # ---------------- n5: 2-3-2-1 tanh, sigmoid, linear; mse; eta 0.15
    dict(
        net="n5_deep2321",
        family="derivative_wrong_activation",
        m=dict(at=["dout_o1/dnet_o1"], **{"as": "sigmoid"}),
        inc=["outs", "err", "neuron:o1", "deltas"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="dout_o1/dnet_o1 taken as out_o1·(1 − out_o1) (sigmoid) although o1 is linear (derivative 1).",
    ),
    dict(
        net="n5_deep2321",
        family="derivative_of_net",
        m=dict(at=["dout_h2_1/dnet_h2_1"]),
        inc=["fwd", "neuron:h2_1", "deltas"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="toml"),
        desc="dout_h2_1/dnet_h2_1 computed as net_h2_1·(1 − net_h2_1) instead of out_h2_1·(1 − out_h2_1).",
    ),
    dict(
        net="n5_deep2321",
        family="derivative_sigma_of_out",
        m=dict(at=["dout_h2_2/dnet_h2_2"]),
        inc=["outs", "neuron:h2_2", "deltas"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="dout_h2_2/dnet_h2_2 computed as σ(out_h2_2)·(1 − σ(out_h2_2)).",
    ),
    dict(
        net="n5_deep2321",
        family="derivative_wrong_neuron",
        m=dict(at=["dout_h1_2/dnet_h1_2"], other=0),
        inc=["outs", "neuron:h1_2", "deltas"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="json"),
        desc="dout_h1_2/dnet_h1_2 computed from out_h1_1 (1 − out_h1_1²) instead of out_h1_2.",
    ),
    dict(
        net="n5_deep2321",
        family="derivative_omitted",
        m=dict(at=["dout_h1_3/dnet_h1_3"]),
        inc=["deltas", "neuron:h1_3", "bias"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="delta_h1_3 taken equal to dE_total/dout_h1_3, leaving out the tanh derivative.",
    ),
    dict(
        net="n5_deep2321",
        family="passed_dE_dout_not_delta",
        m=dict(at=[f"dE_h2_{k}/dout_h1_{j}" for k in (1, 2) for j in (1, 2, 3)]),
        inc=["deltas", "layer:0"],
        drop=["dnet_", "dE_total/dw", "w"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="the first hidden layer's dE_h2_k/dout_h1_j are computed as dE_total/dout_h2_k · w instead of delta_h2_k · w.",
    ),
    dict(
        net="n5_deep2321",
        family="sum_without_weights",
        m=dict(at=["dE_h2_1/dout_h1_3", "dE_h2_2/dout_h1_3"]),
        inc=["deltas", "neuron:h1_3"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="csv"),
        desc="dE_total/dout_h1_3 computed as delta_h2_1 + delta_h2_2, without the weights w9 and w12.",
    ),
    dict(
        net="n5_deep2321",
        family="wrong_layer_input",
        m=dict(at=["dnet_o1/dw13", "dnet_o1/dw14"]),
        inc=["outs", "neuron:o1"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="dnet_o1/dw13 and dnet_o1/dw14 taken as out_h1_1 and out_h1_2 (the layer below) instead of out_h2_1 and out_h2_2.",
    ),
    dict(
        net="n5_deep2321",
        family="updated_weights_used",
        m=dict(
            at=["dE_o1/dout_h2_1", "dE_o1/dout_h2_2"] + [f"dE_h2_{k}/dout_h1_{j}" for k in (1, 2) for j in (1, 2, 3)]
        ),
        inc=["deltas", "wplus"],
        wr=(8, "dec"),
        st=dict(format="toml"),
        desc="every backpropagated dE/dout_h uses the already-updated weights (w13+, w14+ and w7+…w12+).",
    ),
    dict(
        net="n5_deep2321",
        family="sum_term_missing",
        m=dict(at=["dE_total/db2"], drop=[1]),
        inc=["deltas", "bias", "after"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="dE_total/db2 taken as delta_h2_1 only, leaving out delta_h2_2.",
    ),
    dict(
        net="n5_deep2321",
        family="mean_instead_of_sum",
        m=dict(at=["dE_total/db1"]),
        inc=["deltas", "bias"],
        wr=(8, "dec"),
        st=dict(format="json"),
        desc="dE_total/db1 taken as the mean of delta_h1_1, delta_h1_2, delta_h1_3 instead of their sum.",
    ),
    dict(
        net="n5_deep2321",
        family="factor_two_or_half",
        m=dict(at=["dE_total/dout_o1"], factor=0.5),
        inc=["out_o1", "E_total", "neuron:o1", "deltas"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="dE_total/dout_o1 written as −(target_o1 − out_o1), dropping the 2 of the mse derivative.",
    ),
    dict(
        net="n5_deep2321",
        family="bias_left_out",
        m=dict(at=["net_o1"]),
        inc=FWD_ERR + ["neuron:o1"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="net_o1 computed as w13·out_h2_1 + w14·out_h2_2 without b3.",
    ),
    dict(
        net="n5_deep2321",
        family="learning_rate_wrong",
        m=dict(eta=0.015),
        inc=["grads", "wplus", "bias"],
        wr=(8, "dec"),
        st=dict(format="csv"),
        desc="every update uses η = 0.015 instead of 0.15.",
    ),
    dict(
        net="n5_deep2321",
        family="gradient_added",
        m=dict(layers=[1], kinds=("w",)),
        inc=["deltas", "layer:1"],
        drop=["dnet_", "dE_"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="the second hidden layer's weights w7…w12 are updated with the gradient added; other updates correct.",
    ),
    dict(
        net="n5_deep2321",
        family="wrong_weight_neighbour",
        m=dict(at=["dE_h2_2/dout_h1_2"], use="w12"),
        inc=["deltas", "neuron:h1_2"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="dE_h2_2/dout_h1_2 computed as delta_h2_2·w12 (the neighbouring weight) instead of delta_h2_2·w11.",
    ),
    dict(
        net="n5_deep2321",
        family="gradient_uses_own_output",
        m=dict(at=["dnet_h1_1/dw2"]),
        inc=["outs", "neuron:h1_1"],
        wr=(8, "dec"),
        st=dict(format="toml"),
        desc="dnet_h1_1/dw2 taken as out_h1_1 (the neuron's own output) instead of the input i2.",
    ),
    dict(
        net="n5_deep2321",
        kind="slip",
        family="slip",
        m=dict(at=["out_h2_1"], op="swap", pos=3, carried=True),
        inc=["fwd", "err", "neuron:o1"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="lines"),
        desc="slip: two digits of out_h2_1 swapped; later values computed from the slipped value.",
    ),
    dict(
        net="n5_deep2321",
        kind="slip",
        family="slip",
        m=dict(at=["delta_h1_1"], op="sign", carried=True),
        inc=["deltas", "neuron:h1_1", "bias"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="lines"),
        desc="slip: the minus sign of delta_h1_1 lost; dE_total/dw1, dE_total/dw2, w1+, w2+ and dE_total/db1 computed from the slipped value.",
    ),
    dict(
        net="n5_deep2321",
        kind="rounding",
        family="rounded_too_early",
        m=dict(at=["out_h1_2"]),
        inc=["fwd", "err", "deltas", "wplus"],
        wr=(9, "dec"),
        st=dict(format="lines"),
        desc="out_h1_2 rounded to -0.28 and carried forward; later values written with 9 decimals.",
    ),
    dict(
        net="n5_deep2321",
        kind="cancelling",
        family="cancelling",
        m=dict(),
        inc=["out_o1", "neuron:o1", "deltas", "wplus", "bias"],
        drop=["dnet_"],
        wr=(8, "dec"),
        st=dict(format="toml"),
        desc="dE_total/dout_o1 sign-flipped and every gradient added, so all updates come out right.",
    ),
]

# Correct cases: inc, write precision, optional carried rounding, style.
CORRECT = [
    # n1
    dict(
        net="n1_sig321",
        inc=["fwd", "err", "neuron:o1", "deltas", "wplus", "bias"],
        wr=(6, "dec"),
        st=dict(format="lines", alias=("h_out", "dE_short", "new")),
        desc="h1_out, w7_new style names, 6 decimals.",
    ),
    dict(
        net="n1_sig321",
        inc=["fwd", "err", "neuron:o1", "neuron:h1"],
        wr=(6, "dec"),
        carry=(6, "dec"),
        st=dict(format="lines", working=True, headings=0),
        desc="working lines, every value rounded to 6 decimals and carried forward.",
    ),
    dict(
        net="n1_sig321",
        inc=["outs", "E_total", "grads", "wplus", "bias", "E_total+"],
        wr=(4, "dec"),
        st=dict(format="csv", notes=True, bom=True),
        desc="CSV with a notes column and a BOM, 4 decimals.",
    ),
    dict(
        net="n1_sig321",
        inc=["fwd", "err", "neuron:o1", "neuron:h2", "after"],
        wr=(9, "dec"),
        st=dict(format="toml"),
        desc="TOML, 9 decimals.",
    ),
    dict(
        net="n1_sig321",
        inc=["fwd", "err", "deltas", "wplus"],
        wr=(5, "sig"),
        carry=(5, "sig"),
        st=dict(format="lines", decimal_comma=True, alias=("Etotal",)),
        desc="decimal commas, 5 significant digits carried forward.",
    ),
    # n2
    dict(
        net="n2_leaky232",
        inc=["fwd", "err", "neuron:o1", "neuron:o2"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="json"),
        desc="JSON, 7 decimals.",
    ),
    dict(
        net="n2_leaky232",
        inc=["outs", "deltas", "neuron:h2", "bias"],
        wr=(8, "dec"),
        st=dict(format="lines", headings=1, prose=True, alias=("dE_short",)),
        desc="markdown headings and prose, dE/dw names, 8 decimals.",
    ),
    dict(
        net="n2_leaky232",
        inc=["fwd", "err", "deltas", "wplus", "after"],
        drop=["net_h1+", "net_h3+"],
        wr=(6, "dec"),
        carry=(6, "dec"),
        st=dict(format="lines", working=True),
        desc="working lines, rounded to 6 decimals and carried forward.",
    ),
    dict(
        net="n2_leaky232",
        inc=["outs", "E_total", "grads", "bias"],
        wr=(5, "dec"),
        st=dict(format="csv"),
        desc="CSV, 5 decimals.",
    ),
    dict(
        net="n2_leaky232",
        inc=["fwd", "err", "layer:0"],
        drop=["dnet_", "dE_o"],
        wr=(4, "sig"),
        st=dict(format="toml", alias=("new",)),
        desc="TOML, 4 significant digits, w1_new names.",
    ),
    # n3
    dict(
        net="n3_tanh_softmax",
        inc=["fwd", "err", "layer:1"],
        drop=["dnet_"],
        wr=(6, "dec"),
        st=dict(format="lines", headings=2),
        desc="plain headings, 6 decimals.",
    ),
    dict(
        net="n3_tanh_softmax",
        inc=["outs", "E_total", "deltas", "neuron:h1", "neuron:h2", "bias"],
        drop=["dnet_"],
        wr=(7, "dec"),
        carry=(7, "dec"),
        st=dict(format="json"),
        desc="JSON, 7 decimals carried forward.",
    ),
    dict(
        net="n3_tanh_softmax",
        inc=["outs", "deltas", "grads", "wplus"],
        wr=(3, "dec"),
        st=dict(format="lines", alias=("h_out", "dE_short")),
        desc="3 decimals, h1_out and dE/dw names.",
    ),
    dict(
        net="n3_tanh_softmax",
        inc=["fwd", "err", "deltas", "bias", "after"],
        wr=(9, "dec"),
        st=dict(format="csv", notes=True),
        desc="CSV with notes, 9 decimals.",
    ),
    dict(
        net="n3_tanh_softmax",
        inc=["fwd", "err", "deltas", "wplus"],
        wr=(6, "dec"),
        st=dict(format="lines", bom=True, working=True, alias=("delta_greek",)),
        desc="BOM, working lines, δ_o1 names.",
    ),
    # n4 classic
    dict(
        net="n4_classic",
        inc=["fwd", "err", "layer:1", "layer:0"],
        drop=["dnet_"],
        wr=(9, "dec"),
        st=dict(
            format="lines",
            headings=1,
            prose=True,
            preamble=["# Backpropagation homework, classic example", "Learning rate 0.5, biases not updated."],
        ),
        desc="the whole classic step with markdown headings and prose, 9 decimals.",
    ),
    dict(
        net="n4_classic",
        inc=["fwd", "err", "deltas", "wplus"],
        wr=(8, "dec"),
        carry=(8, "dec"),
        st=dict(format="lines", working=True, alias=("h_out", "Etotal")),
        desc="working lines like net_h1 = 0.15*0.05 + 0.2*0.1 + 0.35 = 0.3775, h1_out, Etotal, carried 8 decimals.",
    ),
    dict(
        net="n4_classic",
        inc=["outs", "E_total", "grads", "wplus", "after"],
        wr=(5, "dec"),
        st=dict(format="toml", alias=("new",)),
        desc="TOML, 5 decimals, w5_new names.",
    ),
    dict(
        net="n4_classic",
        inc=["outs", "err", "neuron:o1", "neuron:h1"],
        wr=(9, "dec"),
        st=dict(format="csv", bom=True),
        desc="CSV with a BOM, 9 decimals.",
    ),
    dict(
        net="n4_classic",
        inc=["fwd", "err", "deltas", "wplus", "E_total+"],
        wr=(6, "dec"),
        st=dict(format="lines", decimal_comma=True, alias=("dE_short", "new")),
        desc="decimal commas, 6 decimals, w1_new.",
    ),
    # n5
    dict(
        net="n5_deep2321",
        inc=["fwd", "err", "neuron:o1", "deltas"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(format="lines", headings=0),
        desc="headings, 7 decimals.",
    ),
    dict(
        net="n5_deep2321",
        inc=["outs", "deltas", "neuron:h1_2", "bias"],
        wr=(8, "dec"),
        carry=(8, "dec"),
        st=dict(format="toml"),
        desc="TOML, 8 decimals carried forward.",
    ),
    dict(
        net="n5_deep2321",
        inc=["fwd", "err", "grads", "E_total+"],
        wr=(5, "sig"),
        st=dict(format="json"),
        desc="JSON, 5 significant digits.",
    ),
    dict(
        net="n5_deep2321",
        inc=["outs", "E_total", "deltas", "wplus", "bias", "E_total+"],
        wr=(6, "dec"),
        carry=(6, "dec"),
        st=dict(format="csv", notes=True),
        desc="CSV with notes, carried 6 decimals.",
    ),
    dict(
        net="n5_deep2321",
        inc=["fwd", "neuron:h2_1", "wplus"],
        drop=["dnet_"],
        wr=(7, "dec"),
        st=dict(
            format="lines",
            working=True,
            alias=("new", "dE_short"),
            postamble=["", "So the error goes down after one step."],
        ),
        desc="working lines, w7_new and dE/dw names, a closing prose line.",
    ),
]


# --------------------------------------------------------------------------- main


def first_wrong(correct: Student, student: Student, names, wd):
    for n in names:
        c = correct.V[n]
        s = float(student.S.get(n, fmt(student.V[n], *wd)))
        d_exact = abs(student.V[n] - c) if n not in student.S else abs(s - c)
        scale = max(abs(c), 1e-12)
        res = 10.0 ** -wd[0] if wd[1] == "dec" else abs(c) * 10.0 ** -(wd[0] - 1)
        if d_exact > 1e-9 * max(1.0, abs(c)):
            # the first differing value must be clearly wrong at the written precision
            assert abs(s - c) > 20 * res and (abs(s - c) / scale > 3e-4 or c == 0), (n, s, c, res)
            return n
    return None


def main():
    NETDIR.mkdir(parents=True, exist_ok=True)
    if ANSDIR.exists():
        shutil.rmtree(ANSDIR)
    ANSDIR.mkdir()
    nets, orders = {}, {}
    for key, text in NETWORKS.items():
        (NETDIR / f"{key}.toml").write_text(text)
        nets[key] = Net(key)
        orders[key] = verify(nets[key], explain(key))
    cases = []

    for c in MISTAKES:
        net = nets[c["net"]]
        kind = c.get("kind", "conceptual")
        m = dict(c["m"], family=c["family"])
        wd = c["wr"]
        st = Student(net, m, carry=c.get("carry"), write=wd)
        ref = Student(net, write=wd)
        names = select(net, orders[c["net"]], dict(include=c["inc"], drop=c.get("drop", ())))
        names = [n for n in names if n not in st.skip]
        assert 8 <= len(names) <= 45, (c["desc"], len(names))
        if kind == "rounding":
            # the early value written as the student carried it (2 decimals)
            fw = ""
            early = m["at"][0]
            st.S[early] = fmt(st.V[early], 2)
            assert early in names
            assert any(abs(st.V[n] - ref.V[n]) > 20 * 10.0 ** -wd[0] for n in names if n != early), c["desc"]
        else:
            fw = first_wrong(ref, st, names, wd)
            assert fw, c["desc"]
        mistake_step = m["at"][0] if m.get("at") else None
        if c["family"] == "learning_rate_wrong" or c["family"] == "gradient_added" or kind == "cancelling":
            mistake_step = fw
        if c["family"] == "factor_two_or_half" and m["at"] == ["E_o"]:
            mistake_step = "E_o1"
        cases.append(
            dict(
                key=c["net"],
                ext=EXT[c["st"]["format"]],
                data=render(net, st, names, c["st"]),
                network=f"networks/{c['net']}.toml",
                kind=kind,
                family=c["family"],
                first_wrong=fw,
                mistake_step=mistake_step or fw,
                description=c["desc"],
                expect_ok=False,
                n_values=len(names),
            )
        )
    for c in CORRECT:
        net = nets[c["net"]]
        wd = c["wr"]
        st = Student(net, carry=c.get("carry"), write=wd)
        names = select(net, orders[c["net"]], dict(include=c["inc"], drop=c.get("drop", ())))
        assert 8 <= len(names) <= 60, (c["desc"], len(names))
        if "Etotal" in c["st"].get("alias", ()):
            names = [n for n in names if n != "E_total+"]
        cases.append(
            dict(
                key=c["net"],
                ext=EXT[c["st"]["format"]],
                data=render(net, st, names, c["st"]),
                network=f"networks/{c['net']}.toml",
                kind="correct",
                family="correct",
                first_wrong="",
                mistake_step="",
                description="correct: " + c["desc"],
                expect_ok=True,
                n_values=len(names),
            )
        )
    # neutral ids: per network, a fixed shuffle so that the id says nothing about the case
    final = []
    for key in NETWORKS:
        mine = [cs for cs in cases if cs["key"] == key]
        random.Random("holdout:" + key).shuffle(mine)
        for k, cs in enumerate(mine, 1):
            cs["id"] = f"{key.split('_')[0]}_{k:02d}"
            cs["file"] = f"answers/{cs['id']}.{cs['ext']}"
            (HERE / cs["file"]).write_bytes(cs["data"])
            final.append(cs)
    cases = final
    out = ["# Blind hold-out set for `stepgrad check`; generated by make_holdout.py, do not edit.", ""]
    for cs in cases:
        out.append("[[case]]")
        for k in ("id", "network", "file", "kind", "family", "first_wrong", "mistake_step", "description"):
            out.append(f"{k} = {json.dumps(cs[k], ensure_ascii=False)}")
        out.append(f"expect_ok = {'true' if cs['expect_ok'] else 'false'}")
        out.append("")
    (HERE / "truth.toml").write_text("\n".join(out))
    tomllib.loads((HERE / "truth.toml").read_text())
    print(f"{len(cases)} cases written")


if __name__ == "__main__":
    main()
