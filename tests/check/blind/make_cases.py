"""Write the blind evaluation set: answer files in answers/ and truth.toml.

    .venv/bin/python tests/check/blind/make_cases.py

Deterministic: running it again rewrites the same bytes. Every number comes
from reference.py (checked against ``stepgrad explain --format json``); every
mistake is injected the way a student makes it, and the student computes
everything downstream from their own numbers.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tomllib
from collections import Counter
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference as R  # noqa: E402

ANSWERS = HERE / "answers"
CONCEPTUAL_EXCLUDED = {"slip", "rounded_too_early", "errata_published", "convention_mixed", "cancelling"}

# --------------------------------------------------------------------------
# numbers as people write them
# --------------------------------------------------------------------------


def decimals_for(x: float, style: str, n: int) -> int:
    if style == "fix":  # plain decimals, no minimum of significant digits
        return n
    if x == 0:
        return n if style == "dp" else max(n - 1, 0)
    e = R.d15(x).adjusted()
    if style == "dp":
        return max(n, 2 - e)  # at least three significant digits for small numbers
    return max(n - 1 - e, 0)


def quant(x: float, style: str, n: int, mode: str = "half_up") -> Decimal:
    d = decimals_for(x, style, n)
    r = ROUND_HALF_UP if mode == "half_up" else ROUND_HALF_EVEN
    return R.d15(x).quantize(Decimal(1).scaleb(-d), rounding=r)


def num_str(x: float, style: str, n: int, mode: str = "half_up") -> str:
    if abs(x) < 1e-13:  # floating-point residue of an exact zero (a sum of softmax deltas)
        return "0"
    q = quant(x, style, n, mode)
    if q == 0:
        return "0"
    exact = R.d15(x)
    if exact == q and -exact.normalize().as_tuple().exponent <= max(-q.as_tuple().exponent - 2, 0):
        return format(q.normalize(), "f")  # an exact value (0.3775, -0.5) is written without padding zeros
    return format(q, "f")


def given_str(v: float) -> str:
    s = format(R.d15(v).normalize(), "f")
    return s


def parse_num(s: str) -> tuple[float, int]:
    s = s.replace(",", ".")
    dec = len(s.split(".")[1]) if "." in s else 0
    return float(s), dec


# --------------------------------------------------------------------------
# which values a student writes
# --------------------------------------------------------------------------


def weight_owner(net):
    own = {}
    for li, L in enumerate(net.layers):
        for j, n in enumerate(L.neurons):
            for w in L.wnames[j]:
                own[w] = n
    return own


def categorize(name: str, net) -> tuple[str, str | None]:
    own = weight_owner(net)
    outs = set(net.out.neurons)
    plus = name.endswith("+")
    if name.startswith(("net_", "out_")):
        n = name[4:].rstrip("+")
        return ("fwd+" if plus else "fwd"), n
    if name.startswith("E_total"):
        return ("Etot+" if plus else "Etot"), None
    if name.startswith("E_"):
        return ("E+" if plus else "E"), name[2:].rstrip("+")
    m = re.fullmatch(r"(w\d+)\+", name)
    if m:
        n = own[m.group(1)]
        return ("upd_o" if n in outs else "upd_h"), n
    if re.fullmatch(r"b\d+\+", name):
        return "upd_b", None
    m = re.fullmatch(r"dE_total/d(w\d+)", name)
    if m:
        n = own[m.group(1)]
        return ("grad_o" if n in outs else "grad_h"), n
    if re.fullmatch(r"dE_total/db\d+", name):
        return "grad_b", None
    m = re.fullmatch(r"dnet_(\w+)/dw\d+", name)
    if m:
        n = m.group(1)
        return ("dnet_o" if n in outs else "dnet_h"), n
    m = re.fullmatch(r"dE_total/dout_(\w+)", name)
    if m:
        n = m.group(1)
        return ("dEout_o" if n in outs else "dEout_h"), n
    m = re.fullmatch(r"dE_(\w+)/dout_(\w+)", name)
    if m:
        return "term_h", m.group(2)
    m = re.fullmatch(r"dout_(\w+)/dnet_\w+", name)
    if m:
        n = m.group(1)
        return ("dod_o" if n in outs else "dod_h"), n
    m = re.fullmatch(r"delta_(\w+)", name)
    if m:
        n = m.group(1)
        return ("delta_o" if n in outs else "delta_h"), n
    raise ValueError(name)


ALL_CATS = [
    "fwd", "E", "Etot", "dEout_o", "dod_o", "delta_o", "dnet_o", "grad_o", "upd_o",
    "term_h", "dEout_h", "dod_h", "delta_h", "dnet_h", "grad_h", "upd_h", "grad_b", "upd_b",
    "fwd+", "E+", "Etot+",
]  # fmt: skip

PROFILES = {
    "full": ALL_CATS,
    "mazur": [
        "fwd", "E", "Etot", "dEout_o:first", "dod_o:first", "delta_o:first", "grad_o:first", "upd_o",
        "term_h:first", "dEout_h:first", "dod_h:first", "delta_h:first", "grad_h:first", "upd_h", "Etot+",
    ],
    "fwd_out": ["fwd", "E", "Etot", "dEout_o", "dod_o", "delta_o", "grad_o", "upd_o"],
    "fwd_out_small": ["fwd:outs", "E", "Etot", "dEout_o", "dod_o", "delta_o", "grad_o", "upd_o"],
    "deltas": ["fwd:outs", "Etot", "delta_o", "delta_h", "upd_o", "upd_h", "upd_b", "Etot+"],
    "backward": [
        "fwd:outs", "Etot", "dEout_o", "dod_o", "delta_o", "grad_o", "upd_o",
        "term_h", "dEout_h", "dod_h", "delta_h", "grad_h", "upd_h", "grad_b", "upd_b",
    ],
    "backward_first": [
        "fwd:outs", "Etot", "dEout_o", "dod_o", "delta_o", "grad_o:first", "upd_o:first",
        "term_h:first", "dEout_h:first", "dod_h:first", "delta_h", "grad_h:first", "upd_h:first",
    ],
    "hidden": ["fwd:outs", "Etot", "delta_o", "term_h", "dEout_h", "dod_h", "delta_h", "grad_h", "upd_h"],
    "hidden_bias": ["fwd:outs", "Etot", "delta_o", "dEout_h", "dod_h", "delta_h", "grad_h", "upd_h", "grad_b", "upd_b"],
    "updates": ["fwd:outs", "Etot", "grad_o", "upd_o", "grad_h", "upd_h", "upd_b", "Etot+"],
    "updates_first": ["fwd:outs", "Etot", "grad_o:first", "upd_o", "grad_h:first", "upd_h", "upd_b", "Etot+"],
    "after": ["fwd:outs", "Etot", "upd_o", "upd_h", "upd_b", "fwd+", "E+", "Etot+"],
    "errors": ["fwd", "E", "Etot", "upd_o", "upd_h", "upd_b", "E+", "Etot+"],
    "conv": ["fwd:outs", "Etot", "dod_o", "delta_o", "upd_o", "dod_h", "delta_h", "upd_h", "upd_b", "Etot+"],
    "short": ["fwd:outs", "Etot", "upd_o", "upd_h", "Etot+"],
    "forward": ["fwd", "E", "Etot"],
}  # fmt: skip


def select(net, order, profile, drop=(), add=()) -> list:
    spec = PROFILES[profile] if isinstance(profile, str) else profile
    firsts = {L.neurons[0] for L in net.layers}
    want = {}
    for s in spec:
        cat, _, filt = s.partition(":")
        want.setdefault(cat, set()).add(filt)
    res = []
    for name in order:
        cat, n = categorize(name, net)
        if cat not in want:
            continue
        ok = False
        for filt in want[cat]:
            if (
                filt == ""
                or (filt == "first" and n in firsts)
                or (filt == "outs" and name.startswith("out_"))
                or (n is not None and n in filt.split("|"))
            ):
                ok = True
        if ok and not any(re.fullmatch(d, name) for d in drop):
            res.append(name)
    for a in add:
        if a not in res:
            res.append(a)
    return [n for n in order if n in res]


# --------------------------------------------------------------------------
# names as people spell them
# --------------------------------------------------------------------------


def alias(name: str, style: str | None) -> str:
    if not style:
        return name
    styles = set(style.split("+"))
    m = re.fullmatch(r"(net|out)_([a-z]\d+)", name)
    if m:
        kind, n = m.groups()
        if "suffix" in styles:
            return f"{n}_{kind}"
        if "camel" in styles:
            return f"{kind}{n.upper()}"
        if "space" in styles:
            return f"{kind} {n}"
    m = re.fullmatch(r"delta_(o\d+|h\d+)", name)
    if m and "dEdnet" in styles:
        return f"dE/dnet_{m.group(1)}"
    m = re.fullmatch(r"(w\d+)\+", name)
    if m and "new" in styles:
        return f"{m.group(1)}_new"
    if name == "E_total" and "Etotal" in styles:
        return "Etotal"
    return name


# --------------------------------------------------------------------------
# file formats
# --------------------------------------------------------------------------

SECTION_TITLES = {
    "md": {
        "fwd": "## Forward pass", "out": "## Backward pass: output layer", "hid": "## Backward pass: hidden layer",
        "bias": "## Biases", "plus": "## After the update",
    },
    "colon": {
        "fwd": "Forward pass:", "out": "Backward pass:", "hid": "Hidden layer:", "bias": "Biases:",
        "plus": "New forward pass with the updated weights:",
    },
}  # fmt: skip
PROSE = {
    "fwd": ["Forward pass first, then the errors."],
    "out": ["I used the chain rule here", "(delta is the error signal of the neuron)"],
    "hid": ["Each hidden neuron feeds both outputs so I added the two parts.", "I used the chain rule here"],
    "bias": ["bias gradients are the sum of the deltas"],
    "plus": ["Error went down a little, good."],
}
NOTES = {
    "fwd": "net input", "E": "half squared error", "Etot": "sum of the errors", "dEout_o": "out minus target",
    "dod_o": "derivative of the activation", "delta_o": "delta of the output", "dnet_o": "input of the weight",
    "grad_o": "delta times input", "upd_o": "new weight", "term_h": "delta times weight",
    "dEout_h": "sum over the outputs", "dod_h": "derivative of the activation", "delta_h": "hidden delta",
    "dnet_h": "input of the weight", "grad_h": "delta times input", "upd_h": "new weight", "grad_b": "sum of deltas",
    "upd_b": "new bias", "fwd+": "after the update", "E+": "after the update", "Etot+": "after the update",
}  # fmt: skip


def section_of(cat: str) -> str:
    if cat in ("fwd", "E", "Etot"):
        return "fwd"
    if cat.endswith("_o"):
        return "out"
    if cat.endswith("_h"):
        return "hid"
    if cat.endswith("_b"):
        return "bias"
    return "plus"


def toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def working_expr(name, net, written, student, fmtnum):
    """The calculation a student writes before the final number, or None."""

    def op(nm, paren=True):
        if nm in written:
            s = written[nm]
        elif nm in net.given():
            s = given_str(net.given()[nm])
        else:
            s = fmtnum(student[nm])
        return f"({s})" if paren and s.startswith("-") else s

    cat, n = categorize(name, net)
    if cat == "fwd" and name.startswith("net_"):
        L = net.layer_of(n)
        j = L.neurons.index(n)
        parts = [f"{op(L.wnames[j][i])}*{op(x)}" for i, x in enumerate(L.inputs)]
        return " + ".join(parts + [op(L.bias_names[j])])
    if cat == "fwd" and name.startswith("out_"):
        act = net.layer_of(n).act
        z = op(f"net_{n}")
        if act == "sigmoid":
            return f"1/(1+e^-{z})"
        if act == "tanh":
            return f"tanh({op(f'net_{n}', False)})"
        if act == "relu":
            return f"max(0, {op(f'net_{n}', False)})"
        return None
    if cat == "E" and net.loss == "half_squared_error":
        return f"0.5*({op('target_' + n)} - {op('out_' + n)})^2"
    if cat == "Etot":
        return " + ".join(op(f"E_{m}") for m in net.out.neurons)
    if (cat == "delta_o" and net.loss == "half_squared_error") or cat == "delta_h":
        return f"{op(f'dE_total/dout_{n}')} * {op(f'dout_{n}/dnet_{n}')}"
    if cat in ("grad_o", "grad_h"):
        w = name.split("/d")[1]
        return f"{op(f'delta_{n}')} * {op(f'dnet_{n}/d{w}')}"
    if cat in ("upd_o", "upd_h"):
        w = name[:-1]
        return f"{op(w)} - {given_str(net.eta)}*{op(f'dE_total/d{w}')}"
    return None


def render(entries, F, net, student, written, fmtnum) -> bytes:
    """entries: [(canonical name, display name, value string)]."""
    kind = F["kind"]
    nl = "\r\n" if F.get("crlf") else "\n"
    lines = []
    if kind == "toml":
        last = None
        for canon, disp, val in entries:
            sec = section_of(categorize(canon, net)[0])
            if F.get("notes") and sec != last:
                if lines:
                    lines.append("")
                lines.append("# " + SECTION_TITLES["colon"][sec].rstrip(":"))
            last = sec
            lines.append(f"{toml_key(disp)} = {val}")
    elif kind == "json":
        items = [f"{json.dumps(disp, ensure_ascii=False)}: {val}" for canon, disp, val in entries]
        if F.get("compact"):
            lines.append("{" + ", ".join(items) + "}")
        else:
            lines.append("{")
            lines += [f"  {it}," for it in items[:-1]] + [f"  {items[-1]}"]
            lines.append("}")
    elif kind == "csv":
        if F.get("header"):
            lines.append("name,value,notes" if F.get("notes_col") else "name,value")
        for canon, disp, val in entries:
            if F.get("notes_col"):
                cat, n = categorize(canon, net)
                note = NOTES[cat]
                if canon.startswith("out_") and not canon.endswith("+"):
                    note = f"{net.layer_of(n).act} of net_{n}"
                lines.append(f"{disp},{val},{note}")
            else:
                lines.append(f"{disp},{val}")
    elif kind == "csv_wide":
        lines.append(",".join(d for c, d, v in entries))
        lines.append(",".join(v for c, d, v in entries))
    elif kind == "lines":
        sep = F.get("sep", " = ")
        last = None
        prose_i = 0
        for canon, disp, val in entries:
            sec = section_of(categorize(canon, net)[0])
            if F.get("notes") and sec != last:
                if lines:
                    lines.append("")
                lines.append(SECTION_TITLES[F["notes"]][sec])
                if F.get("prose"):
                    lines.append(PROSE[sec][prose_i % len(PROSE[sec])])
                    prose_i += 1
            last = sec
            v = val.replace(".", ",") if F.get("comma") else val
            expr = working_expr(canon, net, written, student, fmtnum) if F.get("working") else None
            if expr:
                line = f"{disp} = {expr} = {v}"
            else:
                line = f"{disp}{sep}{v}"
            if F.get("semicolon"):
                line += ";"
            lines.append(line)
    else:
        raise ValueError(kind)
    text = nl.join(lines) + nl
    data = text.encode("utf-8")
    if F.get("bom"):
        data = b"\xef\xbb\xbf" + data
    return data


EXT = {"toml": "toml", "json": "json", "csv": "csv", "csv_wide": "csv", "lines": "txt"}

# --------------------------------------------------------------------------
# cases
# --------------------------------------------------------------------------

CASES: list = []


def add(**kw):
    CASES.append(kw)


def M(fn, *a, **k):
    return lambda net: fn(net, *a, **k)


def MM(*fs):
    def f(net):
        m = R.Mistake()
        for g in fs:
            m = m.merged(g(net))
        return m

    return f


TOML = {"kind": "toml"}
LINES = {"kind": "lines"}
LINES_EQ = {"kind": "lines", "sep": "="}
JSON = {"kind": "json"}
CSV = {"kind": "csv"}
HO = ["h1", "h2", "o1", "o2"]

# ---------------- classic: mistaken ----------------
net_c = "classic"
add(
    network=net_c,
    family="derivative_of_net",
    mistake=M(R.m_derivative_of_net, HO),
    step="dout_o1/dnet_o1",
    desc="took every sigmoid derivative at the net input, net·(1 − net), e.g. dout_o1/dnet_o1 = net_o1·(1 − net_o1), instead of out·(1 − out)",
    profile="mazur",
    num=("dp", 9),
    F=TOML,
)
add(
    network=net_c,
    family="derivative_of_net",
    mistake=M(R.m_derivative_of_net, ["h1", "h2"]),
    step="dout_h1/dnet_h1",
    desc="output layer right, but the hidden derivatives taken at the net input: dout_h1/dnet_h1 = net_h1·(1 − net_h1) (and likewise for h2)",
    profile="hidden",
    num=("dp", 4),
    F=LINES,
    carry=("all",),
)
add(
    network=net_c,
    family="derivative_sigma_of_out",
    mistake=M(R.m_derivative_sigma_of_out, ["o1", "o2"]),
    step="dout_o1/dnet_o1",
    desc="applied the sigmoid to out again in the output derivatives: dout_o1/dnet_o1 = σ(out_o1)·(1 − σ(out_o1)) (same for o2)",
    profile="fwd_out",
    num=("sig", 6),
    F=LINES,
)
add(
    network=net_c,
    family="derivative_sigma_of_out",
    mistake=M(R.m_derivative_sigma_of_out, ["h1", "h2"]),
    step="dout_h1/dnet_h1",
    desc="hidden derivatives computed as σ(out_h1)·(1 − σ(out_h1)) and σ(out_h2)·(1 − σ(out_h2)), the sigmoid applied twice",
    profile="backward",
    num=("dp", 5),
    F=JSON,
)
add(
    network=net_c,
    family="derivative_omitted",
    mistake=M(R.m_derivative_omitted, ["h1", "h2"]),
    step="delta_h1",
    desc="wrote dout_h1/dnet_h1 but left it out of the hidden deltas: delta_h1 = dE_total/dout_h1 (same for h2)",
    profile="mazur",
    num=("dp", 9),
    F=TOML,
)
add(
    network=net_c,
    family="derivative_omitted",
    mistake=M(R.m_derivative_omitted, ["o1", "o2"]),
    step="delta_o1",
    desc="output deltas without the sigmoid derivative: delta_o1 = dE_total/dout_o1 = out_o1 − target_o1 (as for a linear output)",
    profile="deltas",
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_c,
    family="derivative_twice",
    mistake=M(R.m_derivative_twice_grad, ["o1", "o2"]),
    step="dE_total/dw5",
    desc="wrote the chain rule with delta in place of dE/dout: dE_total/dw5 = delta_o1·dout_o1/dnet_o1·out_h1, so the sigmoid derivative enters twice in every output-weight gradient",
    profile="fwd_out",
    num=("dp", 8),
    F=LINES,
)
add(
    network=net_c,
    family="derivative_twice",
    mistake=M(R.m_derivative_twice_delta, ["h1", "h2"]),
    step="delta_h1",
    desc="multiplied the hidden derivative in twice: delta_h1 = dE_total/dout_h1·(dout_h1/dnet_h1)² (same for h2)",
    profile="hidden",
    num=("sig", 5),
    F=TOML,
)
add(
    network=net_c,
    family="derivative_wrong_neuron",
    mistake=M(R.m_derivative_wrong_neuron, "h2", "h1"),
    step="dout_h2/dnet_h2",
    desc="copied h1's derivative for h2: dout_h2/dnet_h2 = out_h1·(1 − out_h1)",
    profile="backward",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_c,
    family="derivative_wrong_neuron",
    mistake=MM(M(R.m_derivative_wrong_neuron, "h1", "o1"), M(R.m_derivative_wrong_neuron, "h2", "o2")),
    step="dout_h1/dnet_h1",
    desc="used the output neurons' out in the hidden derivatives: dout_h1/dnet_h1 = out_o1·(1 − out_o1), dout_h2/dnet_h2 = out_o2·(1 − out_o2)",
    profile="mazur",
    num=("dp", 7),
    F={"kind": "csv", "header": True},
)
add(
    network=net_c,
    family="derivative_wrong_activation",
    mistake=M(R.m_derivative_wrong_activation, ["h1", "h2"], "1-out^2"),
    step="dout_h1/dnet_h1",
    desc="used the tanh derivative 1 − out² for the logistic hidden neurons: dout_h1/dnet_h1 = 1 − out_h1²",
    profile="hidden",
    num=("dp", 6),
    F=TOML,
)
add(
    network=net_c,
    family="wrong_weight_neighbour",
    mistake=M(R.m_term_weight, "dE_o2/dout_h1", "w6"),
    step="dE_o2/dout_h1",
    desc="used w6 where w7 belongs in dE_o2/dout_h1 = delta_o2·w6",
    profile="mazur",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_c,
    family="wrong_weight_neighbour",
    mistake=M(R.m_term_weight, "dE_o1/dout_h2", "w5"),
    step="dE_o1/dout_h2",
    desc="used w5 where w6 belongs in dE_o1/dout_h2 = delta_o1·w5 (kept h1's weight when moving on to h2)",
    profile="backward",
    num=("dp", 6),
    F=TOML,
)
add(
    network=net_c,
    family="weights_transposed",
    mistake=M(R.m_weights_transposed_back, 1),
    step="dE_o2/dout_h1",
    desc="passed the output deltas back through the transposed weight matrix: dE_o2/dout_h1 = delta_o2·w6 and dE_o1/dout_h2 = delta_o1·w7",
    profile="full",
    num=("dp", 9),
    F=JSON,
)
add(
    network=net_c,
    family="weights_transposed",
    mistake=M(R.m_weights_transposed_fwd, 0),
    step="net_h1",
    desc="read the hidden weight matrix column-wise in the forward pass (w2 as i1→h2, w3 as i2→h1): net_h1 = w1·i1 + w3·i2 + b1, and kept that reading in the gradients and updates",
    profile=["fwd", "Etot", "grad_o", "upd_o", "grad_h", "upd_h", "Etot+"],
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_c,
    family="gradient_uses_own_output",
    mistake=M(R.m_gradient_uses_own_output, ["o1", "o2"]),
    step="dE_total/dw5",
    desc="multiplied the output deltas by the neuron's own output: dE_total/dw5 = delta_o1·out_o1 instead of delta_o1·out_h1 (all of w5..w8)",
    profile="mazur",
    num=("dp", 9),
    F=TOML,
)
add(
    network=net_c,
    family="wrong_layer_input",
    mistake=M(R.m_wrong_layer_input, ["h1", "h2"], ["out_h1", "out_h2"]),
    step="dE_total/dw1",
    desc="used the hidden outputs in place of the inputs in the first-layer gradients: dE_total/dw1 = delta_h1·out_h1 instead of delta_h1·i1 (out_h2 for i2)",
    profile="mazur",
    num=("dp", 8),
    F=LINES,
)
add(
    network=net_c,
    family="sum_term_missing",
    mistake=MM(M(R.m_sum_term_missing, "h1", ["o1"]), M(R.m_sum_term_missing, "h2", ["o1"])),
    step="dE_total/dout_h1",
    desc="wrote both terms but summed only the o1 one: dE_total/dout_h1 = dE_o1/dout_h1 (and dE_total/dout_h2 = dE_o1/dout_h2)",
    profile="hidden",
    num=("dp", 5),
    F=LINES,
    carry=("all",),
)
add(
    network=net_c,
    family="sum_without_weights",
    mistake=M(R.m_sum_without_weights, ["h1", "h2"]),
    step="dE_o1/dout_h1",
    desc="backpropagated the deltas without the weights: dE_o1/dout_h1 = delta_o1, dE_o2/dout_h1 = delta_o2, so dE_total/dout_h1 = delta_o1 + delta_o2",
    profile="backward",
    num=("dp", 6),
    F=TOML,
)
add(
    network=net_c,
    family="passed_dE_dout_not_delta",
    mistake=M(R.m_passed_dE_dout, ["h1", "h2"]),
    step="dE_o1/dout_h1",
    desc="passed dE_total/dout_o1 instead of delta_o1 back: dE_o1/dout_h1 = dE_total/dout_o1·w5 (likewise for every hidden term)",
    profile="mazur",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_c,
    family="updated_weights_used",
    mistake=M(R.m_updated_weights_used, ["h1", "h2"]),
    step="dE_o1/dout_h1",
    desc="computed the hidden error through the already-updated output weights: dE_o1/dout_h1 = delta_o1·w5+ (w6+, w7+, w8+ likewise)",
    profile="full",
    num=("dp", 9),
    F=TOML,
)
add(
    network=net_c,
    family="factor_two_or_half",
    mistake=M(R.m_dE_dout_factor, 2.0),
    step="dE_total/dout_o1",
    desc="did not cancel the ½ against the exponent: dE_total/dout_o1 = 2·(out_o1 − target_o1) (same for o2)",
    profile="mazur",
    num=("dp", 9),
    F=LINES,
    alias="suffix+new+Etotal",
)
add(
    network=net_c,
    family="factor_two_or_half",
    mistake=M(R.m_error_without_half),
    step="E_o1",
    desc="dropped the ½ from the error: E_o1 = (target_o1 − out_o1)², E_o2 likewise, also after the update",
    profile="errors",
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_c,
    family="mean_instead_of_sum",
    mistake=M(R.m_mean_instead_of_sum),
    step="E_total",
    desc="took E_total as the mean (E_o1 + E_o2)/2 instead of the sum (and E_total+ likewise)",
    profile="errors",
    num=("dp", 9),
    F=TOML,
)
add(
    network=net_c,
    family="learning_rate_wrong",
    mistake=M(R.m_learning_rate, 1.0),
    step="w5+",
    eta_used=1.0,
    desc="forgot the learning rate in every update: w5+ = w5 − dE_total/dw5 (η = 1 instead of 0.5)",
    profile="updates",
    num=("dp", 4),
    F=LINES,
    alias="new",
    carry=("all",),
)
add(
    network=net_c,
    family="sigmoid_sign_exponent",
    mistake=M(R.m_sigmoid_sign, HO),
    step="out_h1",
    desc="computed the sigmoid as 1/(1 + e^net) for every neuron: out_h1 = 1/(1 + e^0.3775), before and after the update",
    profile="mazur",
    num=("dp", 9),
    F=TOML,
)
add(
    network=net_c,
    family="bias_left_out",
    mistake=M(R.m_bias_left_out, ["o1", "o2"]),
    step="net_o1",
    desc="left b2 out of the output net inputs: net_o1 = w5·out_h1 + w6·out_h2 (and net_o2, also after the update)",
    profile="fwd_out",
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_c,
    family="bias_added_twice",
    mistake=M(R.m_bias_added_twice, ["h1", "h2"]),
    step="net_h1",
    desc="added b1 twice in the hidden net inputs: net_h1 = w1·i1 + w2·i2 + 2·b1 (and net_h2, also after the update)",
    profile="mazur",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_c,
    family="sign_dE_dout",
    mistake=M(R.m_sign_dE_dout),
    step="dE_total/dout_o1",
    desc="wrote dE_total/dout_o1 = target_o1 − out_o1 (and for o2) and then updated with w − η·g, so every step goes uphill",
    profile="mazur",
    num=("dp", 9),
    F=TOML,
)
add(
    network=net_c,
    family="gradient_added",
    mistake=M(R.m_gradient_added),
    step="w5+",
    desc="added the gradient in every update: w5+ = w5 + η·dE_total/dw5",
    profile="updates",
    num=("dp", 7),
    F={"kind": "csv", "header": True},
)
add(
    network=net_c,
    family="slip",
    slip={"name": "out_h1", "how": "transpose", "pos": 3, "propagate": True},
    step="out_h1",
    desc="transposed two digits of out_h1 ({slipped} for {correct}) and computed everything after it from the slipped value",
    profile="mazur",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_c,
    family="slip",
    slip={"name": "dE_total/dw5", "how": "shift", "propagate": False},
    step="dE_total/dw5",
    desc="shifted the decimal point when copying dE_total/dw5 ({slipped} for {correct}); w5+ and everything else computed from the correct value",
    profile="mazur",
    num=("dp", 8),
    F=TOML,
)
add(
    network=net_c,
    family="slip",
    slip={"name": "delta_o2", "how": "sign", "propagate": True},
    step="delta_o2",
    desc="dropped the minus sign of delta_o2 and computed everything after it (w7, w8 gradients, hidden terms, updates) from the positive value",
    profile="deltas",
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_c,
    family="slip",
    slip={"name": "E_total", "how": "drop", "pos": 2, "propagate": True},
    step="E_total",
    desc="dropped a digit when writing E_total ({slipped} for {correct}); nothing else depends on it",
    profile="mazur",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_c,
    family="rounded_too_early",
    kind="rounding",
    carry=("names", {"out_h1": ("fix", 2)}),
    step="out_h1",
    desc="rounded out_h1 to 0.59 and carried it into every later value, written to 9 decimals",
    profile="mazur",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_c,
    family="convention_mixed",
    kind="convention",
    conv=True,
    mistake=M(R.m_negative_delta_output),
    step="w5+",
    desc="used the negative-delta convention delta_o1 = (target_o1 − out_o1)·out_o1·(1 − out_o1) but updated with w5+ = w5 − η·delta_o1·out_h1, as for the usual delta",
    profile="conv",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_c,
    family="cancelling",
    kind="cancelling",
    mistake=MM(M(R.m_sign_dE_dout), M(R.m_gradient_added)),
    step="dE_total/dout_o1",
    steps=["dE_total/dout_o1", "w5+"],
    desc="flipped the sign of dE_total/dout_o1 (target − out) and also added the gradient (w5+ = w5 + η·dE_total/dw5): the two cancel and the updated weights are right",
    profile="mazur",
    num=("dp", 9),
    F=TOML,
)
add(
    network=net_c,
    family="errata_published",
    kind="errata",
    force={"E_total+": "0.291027924"},
    step="E_total+",
    desc="copied the published E_total+ = 0.291027924 (from hidden deltas computed through updated weights); every other value right",
    profile="mazur",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_c,
    family="errata_published",
    kind="errata",
    force={"E_total+": "0.291027924"},
    step="E_total+",
    desc="short answer with the published E_total+ = 0.291027924 after otherwise right updates",
    profile="short",
    num=("dp", 9),
    F=TOML,
)

# ---------------- tanh: mistaken ----------------
net_t = "tanh"
TH = ["h1", "h2", "h3"]
add(
    network=net_t,
    family="derivative_of_net",
    mistake=M(R.m_derivative_of_net, TH),
    step="dout_h1/dnet_h1",
    desc="took the tanh derivative at the net input: dout_h1/dnet_h1 = 1 − net_h1² (h2, h3 likewise)",
    profile="backward_first",
    num=("dp", 6),
    F=TOML,
)
add(
    network=net_t,
    family="derivative_sigma_of_out",
    mistake=M(R.m_derivative_sigma_of_out, ["o1", "o2"]),
    step="dout_o1/dnet_o1",
    desc="output derivatives as σ(out_o1)·(1 − σ(out_o1)) and σ(out_o2)·(1 − σ(out_o2)), the sigmoid applied to out again",
    profile="deltas",
    num=("sig", 6),
    F=LINES,
)
add(
    network=net_t,
    family="derivative_wrong_activation",
    mistake=M(R.m_derivative_wrong_activation, TH, "out(1-out)"),
    step="dout_h1/dnet_h1",
    desc="used the logistic derivative for the tanh hidden neurons: dout_h1/dnet_h1 = out_h1·(1 − out_h1) (h2, h3 likewise)",
    profile="mazur",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_t,
    family="derivative_wrong_activation",
    mistake=M(R.m_derivative_wrong_activation, TH, "1-out"),
    step="dout_h1/dnet_h1",
    desc="tanh derivative without the square: dout_h1/dnet_h1 = 1 − out_h1 (h2, h3 likewise)",
    profile="hidden_bias",
    num=("dp", 5),
    F=JSON,
)
add(
    network=net_t,
    family="derivative_omitted",
    mistake=M(R.m_derivative_omitted, ["o1", "o2"]),
    step="delta_o1",
    desc="output deltas without the sigmoid derivative: delta_o1 = dE_total/dout_o1 (same for o2)",
    profile="deltas",
    num=("dp", 4),
    F=TOML,
    carry=("all",),
)
add(
    network=net_t,
    family="derivative_twice",
    mistake=M(R.m_derivative_twice_grad, TH),
    step="dE_total/dw1",
    desc="hidden gradients as delta_h1·dout_h1/dnet_h1·i1 (the derivative already in delta taken again), for w1..w6 and b1..b3",
    profile="hidden_bias",
    num=("dp", 7),
    F=LINES,
)
add(
    network=net_t,
    family="derivative_wrong_neuron",
    mistake=M(R.m_derivative_wrong_neuron, "h2", "h1"),
    step="dout_h2/dnet_h2",
    desc="used out_h1 in h2's derivative: dout_h2/dnet_h2 = 1 − out_h1²",
    profile=[
        "fwd:outs",
        "Etot",
        "delta_o",
        "term_h:h2",
        "dEout_h:h2",
        "dod_h",
        "delta_h",
        "grad_h:h2",
        "upd_h:h2",
        "Etot+",
    ],
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_t,
    family="wrong_weight_neighbour",
    mistake=M(R.m_term_weight, "dE_o2/dout_h2", "w12"),
    step="dE_o2/dout_h2",
    desc="used w12 where w11 belongs in dE_o2/dout_h2 = delta_o2·w12",
    profile=[
        "fwd:outs",
        "Etot",
        "delta_o",
        "term_h:h2",
        "dEout_h:h2",
        "dod_h:h2",
        "delta_h:h2",
        "grad_h:h2",
        "upd_h",
        "E+",
        "Etot+",
    ],
    num=("dp", 9),
    F=TOML,
)
add(
    network=net_t,
    family="gradient_uses_own_output",
    mistake=M(R.m_gradient_uses_own_output, ["o1", "o2"]),
    step="dE_total/dw7",
    desc="output-weight gradients from the neuron's own output: dE_total/dw7 = delta_o1·out_o1 instead of delta_o1·out_h1 (all of w7..w12)",
    profile="fwd_out",
    num=("dp", 6),
    F={"kind": "csv"},
)
add(
    network=net_t,
    family="wrong_layer_input",
    mistake=M(R.m_wrong_layer_input, TH, ["out_h1", "out_h2"]),
    step="dE_total/dw1",
    desc="first-layer gradients with the hidden outputs in place of the inputs: dE_total/dw1 = delta_h1·out_h1 instead of delta_h1·i1 (out_h2 for i2)",
    profile="hidden",
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_t,
    family="sum_term_missing",
    mistake=M(R.m_sum_term_missing, "h3", ["o1"]),
    step="dE_total/dout_h3",
    desc="summed only the o1 term for h3: dE_total/dout_h3 = dE_o1/dout_h3",
    profile=[
        "fwd:outs",
        "Etot",
        "delta_o",
        "term_h:h3",
        "dEout_h:h3",
        "dod_h:h3",
        "delta_h:h3",
        "grad_h:h3",
        "upd_h:h3",
        "grad_b",
        "upd_b",
    ],
    num=("dp", 8),
    F=LINES,
)
add(
    network=net_t,
    family="passed_dE_dout_not_delta",
    mistake=M(R.m_passed_dE_dout, TH),
    step="dE_o1/dout_h1",
    desc="passed dE_total/dout_o1 instead of delta_o1 back: dE_o1/dout_h1 = dE_total/dout_o1·w7 (every hidden term likewise)",
    profile="hidden",
    num=("dp", 6),
    F=TOML,
)
add(
    network=net_t,
    family="updated_weights_used",
    mistake=M(R.m_updated_weights_used, TH),
    step="dE_o1/dout_h1",
    desc="computed the hidden errors through the updated output weights: dE_o1/dout_h1 = delta_o1·w7+ (w8+..w12+ likewise)",
    profile="full",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_t,
    family="factor_two_or_half",
    mistake=M(R.m_error_without_half),
    step="E_o1",
    desc="dropped the ½ from the errors: E_o1 = (target_o1 − out_o1)², E_o2 likewise, also after the update",
    profile="errors",
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_t,
    family="learning_rate_wrong",
    mistake=M(R.m_learning_rate, 0.05),
    step="w7+",
    eta_used=0.05,
    desc="used η = 0.05 instead of 0.5 in every weight and bias update: w7+ = w7 − 0.05·dE_total/dw7",
    profile="updates",
    num=("dp", 6),
    F=TOML,
)
add(
    network=net_t,
    family="sigmoid_sign_exponent",
    mistake=M(R.m_sigmoid_sign, ["o1", "o2"]),
    step="out_o1",
    desc="computed the sigmoid outputs as 1/(1 + e^net): out_o1 = 1/(1 + e^net_o1), before and after the update",
    profile="fwd_out",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_t,
    family="bias_left_out",
    mistake=M(R.m_bias_left_out, ["h2"]),
    step="net_h2",
    desc="left b2 out of net_h2 = w3·i1 + w4·i2 (also after the update)",
    profile=["fwd", "Etot", "upd_h", "upd_b", "fwd+:h1|h2|h3", "Etot+"],
    num=("dp", 6),
    F=JSON,
)
add(
    network=net_t,
    family="bias_added_twice",
    mistake=M(R.m_bias_added_twice, ["o2"]),
    step="net_o2",
    desc="added b5 twice in net_o2 = w10·out_h1 + w11·out_h2 + w12·out_h3 + 2·b5 (also after the update)",
    profile="fwd_out",
    num=("dp", 7),
    F=LINES,
)
add(
    network=net_t,
    family="sign_dE_dout",
    mistake=M(R.m_sign_dE_dout),
    step="dE_total/dout_o1",
    desc="wrote dE_total/dout_o1 = target_o1 − out_o1 (and for o2), everything else computed from it with w − η·g",
    profile="backward_first",
    num=("dp", 6),
    F=TOML,
)
add(
    network=net_t,
    family="mean_instead_of_sum",
    mistake=M(R.m_mean_instead_of_sum),
    step="E_total",
    desc="took E_total as the mean (E_o1 + E_o2)/2 instead of the sum, also after the update",
    profile="errors",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_t,
    family="slip",
    slip={"name": "net_o2", "how": "transpose", "pos": 2, "propagate": True},
    step="net_o2",
    desc="transposed two digits of net_o2 ({slipped} for {correct}) and computed out_o2 and everything after it from the slipped value",
    profile="fwd_out",
    num=("dp", 8),
    F=LINES,
)
add(
    network=net_t,
    family="rounded_too_early",
    kind="rounding",
    carry=("names", {"out_h1": ("fix", 2)}),
    step="out_h1",
    desc="rounded out_h1 to 0.27 and carried it into every later value, written to 9 decimals",
    profile="backward_first",
    num=("dp", 9),
    F=TOML,
)
add(
    network=net_t,
    family="convention_mixed",
    kind="convention",
    conv=True,
    mistake=M(R.m_negative_delta_output),
    step="w7+",
    desc="negative-delta convention delta_o1 = (target_o1 − out_o1)·out_o1·(1 − out_o1) combined with the usual update w7+ = w7 − η·delta_o1·out_h1",
    profile="conv",
    num=("dp", 7),
    F=LINES,
)
add(
    network=net_t,
    family="cancelling",
    kind="cancelling",
    mistake=MM(M(R.m_sign_dE_dout), M(R.m_gradient_added)),
    step="dE_total/dout_o1",
    steps=["dE_total/dout_o1", "w7+"],
    desc="flipped dE_total/dout_o1 to target − out and also added the gradient (w7+ = w7 + η·dE_total/dw7, biases too): the updates come out right",
    profile="backward_first",
    num=("dp", 8),
    F=TOML,
)

# ---------------- relu_softmax: mistaken ----------------
net_r = "relu_softmax"
RH = ["h1", "h2", "h3"]
RO = ["o1", "o2", "o3"]
add(
    network=net_r,
    family="derivative_wrong_activation",
    mistake=M(R.m_derivative_wrong_activation, ["h3"], "relu_one"),
    step="dout_h3/dnet_h3",
    desc="took the ReLU derivative as 1 for the dead neuron h3 (net_h3 < 0): dout_h3/dnet_h3 = 1, so w5, w6 and b1 move",
    profile=[
        "fwd:outs",
        "Etot",
        "delta_o",
        "term_h:h3",
        "dEout_h:h3",
        "dod_h:h3",
        "delta_h",
        "grad_h:h3",
        "upd_h",
        "grad_b",
        "upd_b",
        "Etot+",
    ],
    num=("dp", 6),
    F=TOML,
)
add(
    network=net_r,
    family="derivative_wrong_activation",
    mistake=M(R.m_derivative_wrong_activation, RO, "softmax_times_deriv"),
    step="delta_o1",
    desc="wrote the softmax + cross-entropy deltas as (out − target)·out·(1 − out): delta_o1 = (out_o1 − target_o1)·dout_o1/dnet_o1 (o2, o3 likewise)",
    profile="deltas",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_r,
    family="wrong_weight_neighbour",
    mistake=M(R.m_term_weight, "dE_o2/dout_h1", "w11"),
    step="dE_o2/dout_h1",
    desc="used w11 where w10 belongs in dE_o2/dout_h1 = delta_o2·w11",
    profile="hidden",
    num=("dp", 4),
    F=LINES,
    carry=("all",),
)
add(
    network=net_r,
    family="weights_transposed",
    mistake=M(R.m_weights_transposed_back, 1),
    step="dE_o2/dout_h1",
    desc="passed the output deltas back through the transposed 3×3 weight matrix: dE_o2/dout_h1 = delta_o2·w8, dE_o3/dout_h1 = delta_o3·w9, and so on",
    profile="backward_first",
    num=("dp", 8),
    F=TOML,
)
add(
    network=net_r,
    family="gradient_uses_own_output",
    mistake=M(R.m_gradient_uses_own_output, RO),
    step="dE_total/dw7",
    desc="output-weight gradients from the neuron's own output: dE_total/dw7 = delta_o1·out_o1 instead of delta_o1·out_h1 (all of w7..w15)",
    profile="fwd_out_small",
    num=("dp", 6),
    F={"kind": "csv", "header": True},
)
add(
    network=net_r,
    family="wrong_layer_input",
    mistake=M(R.m_wrong_layer_input, RH, ["out_h1", "out_h2"]),
    step="dE_total/dw1",
    desc="first-layer gradients with the hidden outputs in place of the inputs: dE_total/dw1 = delta_h1·out_h1 instead of delta_h1·i1 (out_h2 for i2)",
    profile="hidden",
    num=("dp", 7),
    F=LINES,
)
add(
    network=net_r,
    family="sum_term_missing",
    mistake=M(R.m_sum_term_missing, "h1", ["o1", "o2"]),
    step="dE_total/dout_h1",
    desc="left the o3 term out of dE_total/dout_h1 = dE_o1/dout_h1 + dE_o2/dout_h1",
    profile="hidden",
    num=("dp", 9),
    F=TOML,
)
add(
    network=net_r,
    family="sum_without_weights",
    mistake=M(R.m_sum_without_weights, RH),
    step="dE_o1/dout_h1",
    desc="backpropagated the deltas without the weights (dE_o1/dout_h1 = delta_o1, ...), so every dE_total/dout_h is delta_o1 + delta_o2 + delta_o3 = 0 and the hidden weights do not move",
    profile="hidden_bias",
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_r,
    family="passed_dE_dout_not_delta",
    mistake=M(R.m_passed_dE_dout, RH),
    step="dE_o1/dout_h1",
    desc="passed dE_total/dout_o instead of delta_o back: dE_o2/dout_h1 = dE_total/dout_o2·w10 = (−target_o2/out_o2)·w10, the o1 and o3 terms 0",
    profile="hidden",
    num=("dp", 6),
    F=JSON,
)
add(
    network=net_r,
    family="updated_weights_used",
    mistake=M(R.m_updated_weights_used, RH),
    step="dE_o1/dout_h1",
    desc="computed the hidden errors through the updated output weights: dE_o1/dout_h1 = delta_o1·w7+ (w8+..w15+ likewise)",
    profile="backward_first",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_r,
    family="learning_rate_wrong",
    mistake=M(R.m_learning_rate, 0.5),
    step="w7+",
    eta_used=0.5,
    desc="used η = 0.5 (the classic example's) instead of 0.1 in every update: w7+ = w7 − 0.5·dE_total/dw7",
    profile="updates_first",
    num=("dp", 6),
    F=TOML,
)
add(
    network=net_r,
    family="bias_left_out",
    mistake=M(R.m_bias_left_out, RH),
    step="net_h1",
    desc="left b1 out of the hidden net inputs: net_h1 = w1·i1 + w2·i2 (h2, h3 likewise, also after the update)",
    profile=["fwd", "Etot", "upd_h", "upd_b", "fwd+:outs", "Etot+"],
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_r,
    family="bias_added_twice",
    mistake=M(R.m_bias_added_twice, ["o2"]),
    step="net_o2",
    desc="added b3 twice in net_o2 = w10·out_h1 + w11·out_h2 + w12·out_h3 + 2·b3 (also after the update)",
    profile=["fwd", "E", "Etot", "delta_o", "grad_o:o2", "upd_o"],
    num=("dp", 7),
    F=TOML,
)
add(
    network=net_r,
    family="gradient_added",
    mistake=M(R.m_gradient_added),
    step="w7+",
    desc="added the gradient in every weight and bias update: w7+ = w7 + η·dE_total/dw7",
    profile="updates_first",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_r,
    family="mean_instead_of_sum",
    mistake=M(R.m_mean_instead_of_sum),
    step="E_total",
    desc="took E_total as the mean of E_o1, E_o2, E_o3 (divided by 3), also after the update",
    profile="errors",
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_r,
    family="derivative_wrong_neuron",
    mistake=M(R.m_derivative_wrong_neuron, "h2", "h3"),
    step="dout_h2/dnet_h2",
    desc="used h3's net input in h2's ReLU derivative: dout_h2/dnet_h2 = 0 (net_h3 < 0), so h2's weights do not move",
    profile=[
        "fwd:outs",
        "Etot",
        "delta_o",
        "term_h:h2",
        "dEout_h:h2",
        "dod_h",
        "delta_h",
        "grad_h:h2",
        "upd_h:h2",
        "Etot+",
    ],
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_r,
    family="slip",
    slip={"name": "delta_o2", "how": "sign", "propagate": True},
    step="delta_o2",
    desc="dropped the minus sign of delta_o2 and computed the w10..w12 gradients, the hidden terms and the updates from the positive value",
    profile="backward_first",
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_r,
    family="slip",
    slip={"name": "out_o1", "how": "drop", "pos": 2, "propagate": False},
    step="out_o1",
    desc="dropped a digit of out_o1 when copying ({slipped} for {correct}); everything else computed from the correct value",
    profile="fwd_out_small",
    num=("dp", 5),
    F=TOML,
)
add(
    network=net_r,
    family="rounded_too_early",
    kind="rounding",
    carry=("names", {"out_o2": ("fix", 2)}),
    step="out_o2",
    desc="rounded out_o2 to 0.46 and carried it into every later value, written to 9 decimals",
    profile="backward_first",
    num=("dp", 9),
    F=LINES,
)

# ---------------- two_hidden: mistaken ----------------
net_2 = "two_hidden"
L1 = ["h1_1", "h1_2"]
L2 = ["h2_1", "h2_2"]
ALL2 = L1 + L2 + ["o1", "o2"]
add(
    network=net_2,
    family="derivative_of_net",
    mistake=M(R.m_derivative_of_net, L2),
    step="dout_h2_1/dnet_h2_1",
    desc="took the second hidden layer's derivatives at the net input: dout_h2_1/dnet_h2_1 = net_h2_1·(1 − net_h2_1) (negative, since net_h2_1 > 1), h2_2 likewise",
    profile="backward_first",
    num=("dp", 9),
    F=TOML,
)
add(
    network=net_2,
    family="derivative_sigma_of_out",
    mistake=M(R.m_derivative_sigma_of_out, L1),
    step="dout_h1_1/dnet_h1_1",
    desc="first hidden layer's derivatives as σ(out_h1_1)·(1 − σ(out_h1_1)) (h1_2 likewise)",
    profile="backward_first",
    num=("sig", 6),
    F=LINES,
)
add(
    network=net_2,
    family="derivative_omitted",
    mistake=M(R.m_derivative_omitted, L1),
    step="delta_h1_1",
    desc="left dout_h1_1/dnet_h1_1 out of delta_h1_1 = dE_total/dout_h1_1 (h1_2 likewise)",
    profile="backward_first",
    num=("sig", 6),
    F=LINES,
)
add(
    network=net_2,
    family="derivative_twice",
    mistake=M(R.m_derivative_twice_delta, L2),
    step="delta_h2_1",
    desc="multiplied the derivative in twice in the second hidden layer: delta_h2_1 = dE_total/dout_h2_1·(dout_h2_1/dnet_h2_1)² (h2_2 likewise)",
    profile="backward_first",
    num=("dp", 8),
    F=JSON,
)
add(
    network=net_2,
    family="derivative_wrong_neuron",
    mistake=M(R.m_derivative_wrong_neuron, "h1_2", "h2_2"),
    step="dout_h1_2/dnet_h1_2",
    desc="used out_h2_2 (the neuron one layer up) in h1_2's derivative: dout_h1_2/dnet_h1_2 = out_h2_2·(1 − out_h2_2)",
    profile=[
        "fwd:outs",
        "Etot",
        "delta_o",
        "delta_h",
        "term_h:h1_2",
        "dEout_h:h1_2",
        "dod_h:h1_2",
        "grad_h:h1_2",
        "upd_h:h1_2",
        "Etot+",
    ],
    num=("sig", 7),
    F=LINES,
)
add(
    network=net_2,
    family="derivative_wrong_activation",
    mistake=M(R.m_derivative_wrong_activation, ALL2, "1-out^2"),
    step="dout_o1/dnet_o1",
    desc="used the tanh derivative 1 − out² for every logistic neuron: dout_o1/dnet_o1 = 1 − out_o1²",
    profile="backward_first",
    num=("dp", 6),
    F=TOML,
)
add(
    network=net_2,
    family="wrong_weight_neighbour",
    mistake=M(R.m_term_weight, "dE_h2_2/dout_h1_1", "w8"),
    step="dE_h2_2/dout_h1_1",
    desc="used w8 where w7 belongs in dE_h2_2/dout_h1_1 = delta_h2_2·w8",
    profile="backward_first",
    num=("sig", 6),
    F=LINES,
)
add(
    network=net_2,
    family="weights_transposed",
    mistake=M(R.m_weights_transposed_back, 1),
    step="dE_h2_2/dout_h1_1",
    desc="passed the second hidden layer's deltas back through its transposed weights: dE_h2_2/dout_h1_1 = delta_h2_2·w6 and dE_h2_1/dout_h1_2 = delta_h2_1·w7",
    profile="backward_first",
    num=("sig", 6),
    F=TOML,
)
add(
    network=net_2,
    family="weights_transposed",
    mistake=M(R.m_weights_transposed_fwd, 2),
    step="net_o1",
    desc="read the output weight matrix column-wise: net_o1 = w9·out_h2_1 + w11·out_h2_2 + b3, and kept that reading in the gradients and updates",
    profile=["fwd", "E", "Etot", "grad_o", "upd_o", "fwd+:o1|o2", "E+", "Etot+"],
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_2,
    family="gradient_uses_own_output",
    mistake=M(R.m_gradient_uses_own_output, L2),
    step="dE_total/dw5",
    desc="second-layer gradients from the neuron's own output: dE_total/dw5 = delta_h2_1·out_h2_1 instead of delta_h2_1·out_h1_1 (w5..w8)",
    profile="backward_first",
    num=("dp", 7),
    F=LINES,
)
add(
    network=net_2,
    family="wrong_layer_input",
    mistake=M(R.m_wrong_layer_input, ["o1", "o2"], ["out_h1_1", "out_h1_2"]),
    step="dE_total/dw9",
    desc="output-weight gradients with the first hidden layer's outputs: dE_total/dw9 = delta_o1·out_h1_1 instead of delta_o1·out_h2_1 (w9..w12)",
    profile="fwd_out",
    num=("dp", 6),
    F=TOML,
)
add(
    network=net_2,
    family="wrong_layer_input",
    mistake=M(R.m_wrong_layer_input, L2, ["i1", "i2"]),
    step="dE_total/dw5",
    desc="second-layer gradients with the network inputs: dE_total/dw5 = delta_h2_1·i1 instead of delta_h2_1·out_h1_1 (w5..w8)",
    profile="updates",
    num=("dp", 8),
    F=LINES,
)
add(
    network=net_2,
    family="sum_term_missing",
    mistake=M(R.m_sum_term_missing, "h1_2", ["h2_1"]),
    step="dE_total/dout_h1_2",
    desc="summed only the h2_1 term for h1_2: dE_total/dout_h1_2 = dE_h2_1/dout_h1_2",
    profile=[
        "fwd:outs",
        "Etot",
        "delta_o",
        "delta_h",
        "term_h:h1_2",
        "dEout_h:h1_2",
        "dod_h:h1_2",
        "grad_h:h1_2",
        "upd_h:h1_2",
        "Etot+",
    ],
    num=("sig", 6),
    F=LINES,
)
add(
    network=net_2,
    family="sum_term_missing",
    mistake=M(R.m_bias_sum_term_missing, "b2", ["h2_1"]),
    step="dE_total/db2",
    desc="took the shared bias b2's gradient from one neuron only: dE_total/db2 = delta_h2_1 (delta_h2_2 left out)",
    profile="after",
    add=["dE_total/db1", "dE_total/db2", "dE_total/db3"],
    num=("dp", 8),
    F=TOML,
)
add(
    network=net_2,
    family="sum_without_weights",
    mistake=M(R.m_sum_without_weights, L2),
    step="dE_o1/dout_h2_1",
    desc="backpropagated the output deltas without the weights: dE_o1/dout_h2_1 = delta_o1, dE_o2/dout_h2_1 = delta_o2 (h2_2 likewise)",
    profile="backward_first",
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_2,
    family="passed_dE_dout_not_delta",
    mistake=M(R.m_passed_dE_dout, L1),
    step="dE_h2_1/dout_h1_1",
    desc="passed dE_total/dout_h2_1 instead of delta_h2_1 back into the first layer: dE_h2_1/dout_h1_1 = dE_total/dout_h2_1·w5 (every first-layer term likewise)",
    profile="backward_first",
    num=("sig", 6),
    F=JSON,
)
add(
    network=net_2,
    family="updated_weights_used",
    mistake=M(R.m_updated_weights_used, L1 + L2),
    step="dE_o1/dout_h2_1",
    desc="backpropagated through the already-updated weights in both hidden layers: dE_o1/dout_h2_1 = delta_o1·w9+, dE_h2_1/dout_h1_1 = delta_h2_1·w5+, ...",
    profile="full",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_2,
    family="factor_two_or_half",
    mistake=M(R.m_dE_dout_factor, 0.5),
    step="dE_total/dout_o1",
    desc="a spurious ½ in the output error derivative: dE_total/dout_o1 = ½·(out_o1 − target_o1) (same for o2)",
    profile="backward_first",
    num=("dp", 4),
    F=TOML,
    carry=("all",),
)
add(
    network=net_2,
    family="learning_rate_wrong",
    mistake=M(R.m_learning_rate, 1.0, [0, 1]),
    step="w5+",
    eta_used=1.0,
    desc="forgot η in the two hidden layers' updates (w5+ = w5 − dE_total/dw5, w1..w8, b1, b2), used 0.5 only for the output layer",
    profile="updates",
    num=("dp", 7),
    F=LINES,
)
add(
    network=net_2,
    family="sigmoid_sign_exponent",
    mistake=M(R.m_sigmoid_sign, ALL2),
    step="out_h1_1",
    desc="computed every sigmoid as 1/(1 + e^net): out_h1_1 = 1/(1 + e^0.3775), before and after the update",
    profile=["fwd", "E", "Etot", "delta_o", "delta_h", "upd_o", "upd_h:first", "Etot+"],
    num=("dp", 9),
    F=TOML,
)
add(
    network=net_2,
    family="bias_left_out",
    mistake=M(R.m_bias_left_out, ["o1", "o2"]),
    step="net_o1",
    desc="left b3 out of the output net inputs: net_o1 = w9·out_h2_1 + w10·out_h2_2 (o2 likewise, also after the update)",
    profile="fwd_out",
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_2,
    family="bias_added_twice",
    mistake=M(R.m_bias_added_twice, L2),
    step="net_h2_1",
    desc="added b2 twice in the second hidden layer: net_h2_1 = w5·out_h1_1 + w6·out_h1_2 + 2·b2 (h2_2 likewise, also after the update)",
    profile=["fwd", "Etot", "upd_o", "upd_h", "upd_b", "fwd+:h2_1|h2_2|o1|o2", "Etot+"],
    num=("dp", 6),
    F={"kind": "csv", "header": True},
)
add(
    network=net_2,
    family="sign_dE_dout",
    mistake=M(R.m_sign_dE_dout),
    step="dE_total/dout_o1",
    desc="wrote dE_total/dout_o1 = target_o1 − out_o1 (and for o2), everything else computed from it with w − η·g",
    profile="backward_first",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_2,
    family="mean_instead_of_sum",
    mistake=M(R.m_mean_instead_of_sum),
    step="E_total",
    desc="took E_total as the mean (E_o1 + E_o2)/2, also after the update",
    profile="errors",
    num=("dp", 7),
    F=TOML,
)
add(
    network=net_2,
    family="gradient_added",
    mistake=M(R.m_gradient_added),
    step="w9+",
    desc="added the gradient in every weight and bias update: w9+ = w9 + η·dE_total/dw9",
    profile="updates",
    num=("dp", 6),
    F=LINES,
)
add(
    network=net_2,
    family="slip",
    slip={"name": "out_h2_2", "how": "transpose", "pos": 1, "propagate": True},
    step="out_h2_2",
    desc="transposed two digits of out_h2_2 ({slipped} for {correct}) and computed everything after it from the slipped value",
    profile="backward_first",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_2,
    family="slip",
    slip={"name": "w10+", "how": "sign", "propagate": False},
    step="w10+",
    desc="dropped the minus sign of w10+ when copying ({slipped} for {correct}); the forward pass after the update uses the right w10+",
    profile="after",
    num=("dp", 6),
    F=TOML,
)
add(
    network=net_2,
    family="rounded_too_early",
    kind="rounding",
    carry=("names", {"out_h2_1": ("fix", 2)}),
    step="out_h2_1",
    desc="rounded out_h2_1 to 0.75 and carried it into every later value, written to 9 decimals",
    profile="backward_first",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_2,
    family="convention_mixed",
    kind="convention",
    conv=True,
    mistake=MM(M(R.m_negative_delta_output), M(R.m_update_with_plus, [2])),
    step="w5+",
    desc="output layer in the negative-delta convention (delta_o1 = (target − out)·out·(1 − out), w9+ = w9 + η·delta_o1·out_h2_1, right), then the usual update w5+ = w5 − η·delta_h2_1·out_h1_1 for the hidden layers with deltas passed back from those negative deltas",
    profile="conv",
    num=("dp", 9),
    F=LINES,
)
add(
    network=net_2,
    family="cancelling",
    kind="cancelling",
    mistake=MM(M(R.m_sign_dE_dout), M(R.m_gradient_added)),
    step="dE_total/dout_o1",
    steps=["dE_total/dout_o1", "w9+"],
    desc="flipped dE_total/dout_o1 to target − out and also added the gradient in every update: the two cancel and the updates are right",
    profile="backward_first",
    num=("dp", 8),
    F=TOML,
)

# ---------------- correct files ----------------
CONV_OK = lambda net: R.m_negative_delta_output(net).merged(R.m_update_with_plus(net))  # noqa: E731


def ok(network, desc, profile, num, F, **kw):
    add(
        network=network,
        family=kw.pop("family", "correct"),
        kind=kw.pop("kind", "correct"),
        step="",
        desc=desc,
        profile=profile,
        num=num,
        F=F,
        **kw,
    )


ok(net_c, "every value, TOML, 9 decimals", "full", ("dp", 9), TOML)
ok(net_c, "Mazur's selection of values as a JSON object, 6 decimals", "mazur", ("dp", 6), JSON)
ok(
    net_c,
    "CSV name,value with a header row and a UTF-8 BOM (Excel), 5 decimals",
    "backward",
    ("dp", 5),
    {"kind": "csv", "header": True, "bom": True},
)
ok(
    net_c,
    "name = value lines with decimal commas and a trailing ';', every intermediate rounded to 4 decimals and carried",
    "mazur",
    ("dp", 4),
    {"kind": "lines", "comma": True, "semicolon": True},
    carry=("all",),
)
ok(
    net_c,
    "pasted notes: markdown headings, prose lines, blank lines and working lines (w·i + ... = answer), 6 decimals",
    "mazur",
    ("dp", 6),
    {"kind": "lines", "notes": "md", "prose": True, "working": True},
)
ok(
    net_c,
    "CSV with a notes column and header name,value,notes, 6 decimals",
    "fwd_out",
    ("dp", 6),
    {"kind": "csv", "header": True, "notes_col": True},
)
ok(net_c, "wide CSV: one row of names, one row of values, 9 decimals", "after", ("dp", 9), {"kind": "csv_wide"})
ok(
    net_c,
    "names as people spell them (h1_net, o1_out, dE/dnet_o1, w5_new, Etotal), plain lines, 4 decimals",
    "mazur",
    ("dp", 4),
    LINES,
    alias="suffix+dEdnet+new+Etotal",
)
ok(
    net_c,
    "camel-case names (netH1, outO1) in a JSON object, 7 decimals",
    "fwd_out",
    ("dp", 7),
    {"kind": "json", "compact": True},
    alias="camel+new",
)
ok(
    net_c,
    "names with a space ('net h1', 'out o1'), lines with a UTF-8 BOM and CRLF line ends (Notepad), 5 decimals",
    "mazur",
    ("dp", 5),
    {"kind": "lines", "bom": True, "crlf": True},
    alias="space+Etotal",
)
ok(
    net_c,
    "3 decimals with round-half-to-even where the dropped digit is exactly 5 (net_h2 = 0.392), carried",
    "forward",
    ("dp", 3),
    LINES,
    mode="half_even",
    carry=("all",),
)
ok(net_c, "3 decimals rounded half up (net_h2 = 0.393), carried", "forward", ("dp", 3), LINES_EQ, carry=("all",))
ok(
    net_c,
    "out_h1, out_h2 rounded to 4 decimals (0.5933, 0.5969) and carried, results written to 4 decimals",
    "backward",
    ("dp", 4),
    TOML,
    carry=("names", {"out_h1": ("fix", 4), "out_h2": ("fix", 4)}),
)
ok(
    net_c,
    "negative-delta convention used consistently: delta_o1 = (target − out)·out·(1 − out), w5+ = w5 + η·delta_o1·out_h1",
    "conv",
    ("dp", 9),
    LINES,
    family="convention_consistent",
    kind="convention",
    conv=True,
    mistake=CONV_OK,
)
ok(
    net_c,
    "4 significant figures, carried, TOML with comment headings",
    "updates",
    ("sig", 4),
    {"kind": "toml", "notes": True},
    carry=("all",),
)
ok(net_c, "TOML with a UTF-8 BOM, 8 decimals, hidden layer in full", "hidden", ("dp", 8), {"kind": "toml", "bom": True})

ok(net_t, "every value, TOML, 6 decimals", "full", ("dp", 6), TOML)
ok(net_t, "JSON object with a UTF-8 BOM, 8 decimals", "backward_first", ("dp", 8), {"kind": "json", "bom": True})
ok(
    net_t,
    "CSV name,value, every intermediate rounded to 4 decimals and carried",
    "updates",
    ("dp", 4),
    CSV,
    carry=("all",),
)
ok(
    net_t,
    "pasted notes with 'Forward pass:' headings, prose and working lines, 5 decimals",
    "mazur",
    ("dp", 5),
    {"kind": "lines", "notes": "colon", "prose": True, "working": True},
)
ok(net_t, "wide CSV with a UTF-8 BOM, 7 decimals", "deltas", ("dp", 7), {"kind": "csv_wide", "bom": True})
ok(
    net_t,
    "negative-delta convention used consistently, biases too",
    "conv",
    ("dp", 8),
    TOML,
    family="convention_consistent",
    kind="convention",
    conv=True,
    mistake=CONV_OK,
)
ok(
    net_t,
    "decimal commas in name = value lines, 6 decimals",
    "hidden_bias",
    ("dp", 6),
    {"kind": "lines", "comma": True},
)
ok(net_t, "CSV with notes column, 9 decimals", "fwd_out", ("dp", 9), {"kind": "csv", "header": True, "notes_col": True})

ok(net_r, "every value, TOML, 9 decimals", "full", ("dp", 9), TOML)
ok(net_r, "JSON object, 5 decimals", "backward_first", ("dp", 5), JSON)
ok(
    net_r,
    "CSV with notes column and BOM, 6 decimals",
    "fwd_out_small",
    ("dp", 6),
    {"kind": "csv", "header": True, "notes_col": True, "bom": True},
)
ok(
    net_r,
    "working lines (w·i + ... = answer, max(0, net) = out), 6 decimals",
    "hidden",
    ("dp", 6),
    {"kind": "lines", "working": True},
)
ok(
    net_r,
    "plain lines, every intermediate rounded to 4 decimals and carried",
    "backward_first",
    ("dp", 4),
    LINES_EQ,
    carry=("all",),
)
ok(
    net_r,
    "negative-delta convention used consistently: delta_o = target − out, w+ = w + η·delta·out",
    "conv",
    ("dp", 7),
    LINES,
    family="convention_consistent",
    kind="convention",
    conv=True,
    mistake=CONV_OK,
)
ok(net_r, "wide CSV, 8 decimals", "after", ("dp", 8), {"kind": "csv_wide"})
ok(
    net_r,
    "TOML with a BOM and comment headings, 6 significant figures",
    "updates_first",
    ("sig", 6),
    {"kind": "toml", "notes": True, "bom": True},
)

ok(net_2, "every value, TOML, 9 decimals", "full", ("dp", 9), TOML)
ok(net_2, "JSON object, 7 significant figures", "backward_first", ("sig", 7), JSON)
ok(net_2, "CSV name,value with header, 6 decimals", "updates", ("dp", 6), {"kind": "csv", "header": True})
ok(
    net_2,
    "pasted notes with markdown headings and prose, 8 decimals",
    "backward_first",
    ("dp", 8),
    {"kind": "lines", "notes": "md", "prose": True},
)
ok(
    net_2,
    "5 significant figures, every intermediate rounded and carried",
    "backward_first",
    ("sig", 5),
    LINES,
    carry=("all",),
)
ok(
    net_2,
    "negative-delta convention used consistently in all three layers",
    "conv",
    ("sig", 7),
    LINES,
    family="convention_consistent",
    kind="convention",
    conv=True,
    mistake=CONV_OK,
)
ok(
    net_2,
    "3 decimals, round half to even (net_h1_2 = 0.392), carried, lines with a BOM",
    "forward",
    ("dp", 3),
    {"kind": "lines", "bom": True},
    mode="half_even",
    carry=("all",),
)
ok(
    net_2,
    "w5_new / Etotal names, decimal commas and ';', 6 decimals",
    "after",
    ("dp", 6),
    {"kind": "lines", "comma": True, "semicolon": True},
    alias="new+Etotal",
)

# --------------------------------------------------------------------------
# generation
# --------------------------------------------------------------------------


def make_carry(spec, style, n, mode):
    if spec is None:
        return None
    if spec[0] == "all":
        return lambda name, v: float(quant(v, style, n, mode))
    names = spec[1]
    return lambda name, v: float(quant(v, *names[name], mode)) if name in names else v


def slip_string(s: str, how: str, pos: int | None) -> str:
    neg = s.startswith("-")
    body = s[1:] if neg else s
    ip, _, dp = body.partition(".")
    if how == "transpose":
        d = list(dp)
        assert d[pos] != d[pos + 1], (s, pos)
        d[pos], d[pos + 1] = d[pos + 1], d[pos]
        return ("-" if neg else "") + ip + "." + "".join(d)
    if how == "drop":
        return ("-" if neg else "") + ip + "." + dp[:pos] + dp[pos + 1 :]
    if how == "shift":
        return format(Decimal(s).scaleb(1), "f")
    if how == "sign":
        assert neg, s
        return body
    raise ValueError(how)


def classify(written: str, ref: float) -> str:
    v, dec = parse_num(written)
    ulp = 10.0**-dec if "." in written or "," in written else 1e-12  # "0", "1": exact
    diff = abs(v - ref)
    if diff <= 0.5 * ulp * (1 + 1e-9) + 1e-13:
        return "ok"
    if diff < 2 * ulp:
        return "ambiguous"
    return "wrong"


def build(case, idx):
    net = R.load_network(R.NETWORKS / f"{case['network']}.toml")
    style, n = case["num"]
    mode = case.get("mode", "half_up")
    carry = make_carry(case.get("carry"), style, n, mode)
    fmtnum = lambda x: num_str(x, style, n, mode)  # noqa: E731
    exact, order_ok = R.compute(net)
    same, _ = R.compute(net, None, carry)  # the same procedure without the mistake
    mistake = case["mistake"](net) if case.get("mistake") else R.Mistake()
    forced = dict(case.get("force", {}))
    slip = case.get("slip")
    if slip:
        s0 = fmtnum(same[slip["name"]])
        s1 = slip_string(s0, slip["how"], slip.get("pos"))
        forced[slip["name"]] = s1
        if slip["propagate"]:
            mistake = mistake.merged(R.m_override(slip["name"], float(s1)))
    student, order = R.compute(net, mistake, carry)
    if case.get("carry") and case["carry"][0] == "names":
        for nm, (st, k) in case["carry"][1].items():
            forced.setdefault(nm, num_str(student[nm], st, k, mode))
    valid = [nm for nm in order if nm in exact]  # names the exercise knows
    names = select(net, valid, case["profile"], add=case.get("add", ()))
    if case.get("conv"):
        names = [nm for nm in names if not nm.startswith("dE_")]
    written = {nm: forced.get(nm, fmtnum(student[nm])) for nm in names}

    # truth: the first written value that is wrong
    ref = dict(same)
    if case.get("conv"):
        for nm in ref:
            if nm.startswith("delta_"):
                ref[nm] = -ref[nm]
    status = {nm: classify(written[nm], ref[nm]) for nm in names}
    first_wrong = next((nm for nm in names if status[nm] != "ok"), "")
    kind = case.get("kind") or ("slip" if case["family"] == "slip" else "conceptual")
    expect_ok = case["family"] in ("correct", "convention_consistent")
    problems = []
    if expect_ok or kind == "rounding":
        if first_wrong:
            problems.append(f"unexpected wrong value {first_wrong}: {written[first_wrong]} vs {ref[first_wrong]}")
        first_wrong = ""
    else:
        if not first_wrong:
            problems.append("mistake not visible in the written values")
        elif status[first_wrong] == "ambiguous":
            problems.append(f"first difference {first_wrong} is within 2 units of the last digit")
    if kind == "rounding":
        lost = [nm for nm in names if classify(written[nm], exact[nm]) == "wrong"]
        if not lost:
            problems.append("early rounding does not show")
    step = case["step"]
    if case.get("mistake") and not expect_ok and step:
        if abs(student[step] - same[step]) <= 1e-12 and not case.get("conv"):
            problems.append(f"mistake_step {step} is not changed by the mistake")
    if kind == "cancelling":
        ups = [nm for nm in exact if nm.endswith("+")]
        bad = [nm for nm in ups if abs(student[nm] - exact[nm]) > 1e-12]
        if bad:
            problems.append(f"cancelling case changes {bad}")
    if kind == "conceptual" and step not in student:
        problems.append(f"mistake_step {step} is not a value")

    entries = [(nm, alias(nm, case.get("alias")), written[nm]) for nm in names]
    F = case["F"]
    data = render(entries, F, net, student, written, fmtnum)
    cid = f"{case['network']}-{idx:03d}"
    fname = f"answers/{cid}.{EXT[F['kind']]}"
    fmt_desc = F["kind"] + "".join(
        f"+{k}"
        for k in ("bom", "crlf", "comma", "semicolon", "notes", "working", "notes_col", "header", "compact")
        if F.get(k)
    )
    truth = {
        "id": cid,
        "network": f"{case['network']}.toml",
        "file": fname,
        "kind": kind,
        "family": case["family"],
        "first_wrong": first_wrong,
        "mistake_step": step if not expect_ok else "",
        "description": case["desc"].format(slipped=forced[slip["name"]], correct=fmtnum(same[slip["name"]]))
        if slip
        else case["desc"],
        "expect_ok": expect_ok,
    }
    if "eta_used" in case:
        truth["eta_used"] = case["eta_used"]
    if case.get("steps"):
        truth["mistake_steps"] = case["steps"]
    truth["format"] = fmt_desc
    truth["values_written"] = len(names)
    if slip:
        truth["slip_propagated"] = slip["propagate"]
        truth["slipped_value"] = forced[slip["name"]]
        truth["correct_value"] = fmtnum(same[slip["name"]])
    return truth, fname, data, problems


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)


def main() -> int:
    if ANSWERS.exists():
        shutil.rmtree(ANSWERS)
    ANSWERS.mkdir()
    per_net = Counter()
    truths = []
    all_problems = []
    for case in CASES:
        per_net[case["network"]] += 1
        truth, fname, data, problems = build(case, per_net[case["network"]])
        (HERE / fname).write_bytes(data)
        truths.append(truth)
        all_problems += [f"{truth['id']} ({truth['family']}): {p}" for p in problems]
    out = [
        "# Truth for the blind answer-checker evaluation set (written by make_cases.py; do not edit).",
        "# One [[case]] per answer file. first_wrong: first value, in derivation order, whose written",
        '# number is wrong ("" for correct files and for rounded_too_early); mistake_step: the value',
        "# where the wrong rule acts (it may not be written in the file).",
        "",
    ]
    for t in truths:
        out.append("[[case]]")
        out += [f"{k} = {toml_value(v)}" for k, v in t.items()]
        out.append("")
    (HERE / "truth.toml").write_text("\n".join(out), encoding="utf-8")
    tomllib.loads((HERE / "truth.toml").read_text(encoding="utf-8"))

    kinds = Counter(t["kind"] for t in truths)
    fams = Counter(t["family"] for t in truths)
    nets = Counter((t["network"], t["expect_ok"]) for t in truths)
    conceptual = sum(1 for t in truths if t["kind"] == "conceptual")
    print(f"{len(truths)} files; conceptual {conceptual}")
    print("per network (expect_ok):", dict(sorted(nets.items())))
    print("per kind:", dict(sorted(kinds.items())))
    print("per family:", dict(sorted(fams.items())))
    for p in all_problems:
        print("PROBLEM", p)
    return 1 if all_problems else 0


if __name__ == "__main__":
    sys.exit(main())
