"""What a sheet asks: named groups of the derivation's values, or explicit names.

``--ask`` is a comma-separated list of groups and value names::

    forward         net_h1, out_h1, … net_o1, out_o1, …
    errors          E_o1, …, E_total
    output-deltas   dE_total/dout_o1, dout_o1/dnet_o1, delta_o1, …
    hidden-deltas   dE_o1/dout_h1, dE_total/dout_h1, dout_h1/dnet_h1, delta_h1, …
    gradients       dE_total/dw5, …, dE_total/db1 (and dnet_o1/dw5 when asked by name)
    updates         w5+, …, b1+
    after           net_h1+, …, E_total+ (the forward pass with the new weights)

``default`` (what ``stepgrad exercise`` asks unless told) is every group without the trivial
identities (``dnet_h1/dw1 = i1``: a number already given, ``stepgrad.check.names.is_identity``);
``all`` is every value. The sheet, the answers template, the key, every quiz and ``grade`` read
the same list: an exercise's ``network.toml`` keeps its ``ask`` in ``[meta]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from stepgrad.check.names import is_identity
from stepgrad.check.recompute import Table
from stepgrad.errors import StepgradError

#: The step kinds (``StepRule.kind``) of each group; ``dout_dnet`` is split by layer (``group_of``).
GROUP_KINDS: dict[str, tuple[str, ...]] = {
    "forward": ("net", "out"),
    "errors": ("error", "error_total"),
    "output-deltas": ("output_dE_dout", "output_delta"),
    "hidden-deltas": ("contribution", "hidden_dE_dout", "hidden_delta"),
    "gradients": ("dnet_dw", "grad_w", "grad_b"),
    "updates": ("update", "update_w", "update_b"),
    "after": ("net_new", "out_new", "error_new", "error_total_new"),
}
GROUPS = tuple(GROUP_KINDS)
DEFAULT_ASK = "default"
_ALIASES = {"default": GROUPS, "all": GROUPS}


def group_of(name: str, kind: str, output_neurons: Sequence[str]) -> str | None:
    """The group a value belongs to: ``dout_o1/dnet_o1`` is an output delta's part, ``dout_h1/dnet_h1`` a
    hidden one's."""
    if kind == "dout_dnet":
        neuron = name.split("/")[0].removeprefix("dout_")
        return "output-deltas" if neuron in output_neurons else "hidden-deltas"
    return next((group for group, kinds in GROUP_KINDS.items() if kind in kinds), None)


def asked_names(ask: str, computed: Sequence[str], table: Table, output_neurons: Sequence[str]) -> list[str]:
    """The names of ``computed`` (in its order) that ``ask`` chooses; ``StepgradError`` for an unknown part.

    A group leaves out the identities (``is_identity``) unless ``all`` is asked; a name asks for itself.
    """
    parts = [part.strip() for part in ask.split(",") if part.strip()]
    if not parts:
        raise StepgradError(f"--ask names nothing to compute; give groups ({', '.join(GROUPS)}) or value names")
    groups: set[str] = set()
    names: set[str] = set()
    with_identities = "all" in parts
    for part in parts:
        if part in _ALIASES or part in GROUP_KINDS:
            groups.update(_ALIASES.get(part, (part,)))
        elif part in computed:
            names.add(part)
        else:
            raise StepgradError(
                f"--ask: {part!r} is neither a group ({', '.join(GROUPS)}, default, all) nor a value this "
                "exercise computes"
            )
    return [
        name
        for name in computed
        if name in names
        or (group_of(name, table[name].kind, output_neurons) in groups and (with_identities or not is_identity(name)))
    ]


def ask_of(meta: Mapping[str, object]) -> str:
    """The ``ask`` an exercise's ``[meta]`` keeps (older exercises asked everything: ``all``)."""
    value = meta.get("ask", "all")
    return value if isinstance(value, str) else "all"
