"""The network drawn as SVG: inputs, neurons, biases and every weight, named and labelled.

``diagram_layout`` places the nodes (the web page reuses it); ``network_svg``
draws them. Connections are coloured by the weight's sign (blue positive, red
negative) and their width grows with ``|w|``. A shared bias is one node per
layer feeding each of its neurons; per-neuron biases are written next to their
neuron. Beyond ``LABELLED_LAYER_SIZE`` neurons per layer the per-edge labels
are dropped (each edge keeps a ``<title>`` tooltip with its name and value).

The output is deterministic: coordinates are rounded and nodes and edges are
written in forward order, so it can be compared as a golden string.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from html import escape

from stepgrad.derivations.step import format_number
from stepgrad.network import value_names
from stepgrad.network.model import Network
from stepgrad.network.naming import network_names

NODE_RADIUS = 26
BIAS_RADIUS = 18
COLUMN_GAP = 260
WIDE_GAP = 70
ROW_GAP = 130
MARGIN_X = 90
MARGIN_TOP = 50
MARGIN_BOTTOM = 16
LABELLED_LAYER_SIZE = 4
# Approximate advance of one character of a 12px label, for the white box behind it.
LABEL_CHAR_WIDTH = 7.0

POSITIVE = "#1f5fa8"
NEGATIVE = "#c0392b"
NEUTRAL = "#7f8c8d"
HIGHLIGHT = "#e67e22"


@dataclass(frozen=True)
class NodePosition:
    """A node of the drawing: ``name`` (``i1``, ``h1``, ``o1``, ``b1``) at ``(x, y)``.

    ``kind`` is ``input``, ``neuron``, ``output`` or ``bias``; ``column`` counts from the inputs (0).
    """

    name: str
    kind: str
    column: int
    x: float
    y: float


@dataclass(frozen=True)
class DiagramLayout:
    """Where everything goes: node positions by name, and the drawing's size in pixels."""

    nodes: dict[str, NodePosition]
    width: float
    height: float
    edge_labels: bool


def diagram_layout(network: Network) -> DiagramLayout:
    """Node positions of ``network``: one column per layer, each column centred vertically.

    A shared bias of layer ``l`` sits in the column of the layer's sources, below them.
    """
    names = network_names(network)
    columns = [names.inputs, *names.neurons]
    rows = max(len(column) for column in columns)
    centre = MARGIN_TOP + NODE_RADIUS + (rows - 1) * ROW_GAP / 2
    bias_y = MARGIN_TOP + NODE_RADIUS + rows * ROW_GAP - ROW_GAP / 4
    has_shared_bias = any(layer.bias_mode == "shared" for layer in network.layers)
    # Under the lowest nodes: their radius and the lines of values (three under an output).
    bottoms = [centre + (rows - 1) * ROW_GAP / 2 + NODE_RADIUS + 4 + 15 * 3]
    if has_shared_bias:
        bottoms.append(bias_y + BIAS_RADIUS + 4 + 15)
    height = max(bottoms) + MARGIN_BOTTOM
    nodes: dict[str, NodePosition] = {}
    # Between wide layers the labels of n·m crossing connections need more room.
    gaps = [COLUMN_GAP + WIDE_GAP * max(0, min(len(a), len(b)) - 2) for a, b in itertools.pairwise(columns)]
    for column, column_names in enumerate(columns):
        x = MARGIN_X + sum(gaps[:column])
        top = centre - (len(column_names) - 1) * ROW_GAP / 2
        kind = "input" if column == 0 else ("output" if column == len(columns) - 1 else "neuron")
        for row, name in enumerate(column_names):
            nodes[name] = NodePosition(name, kind, column, x, round(top + row * ROW_GAP, 1))
        if column < len(network.layers) and network.layers[column].bias_mode == "shared":
            bias_name = names.biases[column][0]
            # Off the source column, so the bias's edges stay clear of the weight labels.
            nodes[bias_name] = NodePosition(bias_name, "bias", column, x + gaps[column] * 0.35, round(bias_y, 1))
    width = 2 * MARGIN_X + sum(gaps)
    edge_labels = max(network.sizes) <= LABELLED_LAYER_SIZE
    return DiagramLayout(nodes=nodes, width=width, height=height, edge_labels=edge_labels)


def _num(value: float) -> str:
    """A coordinate as SVG text: one decimal, no trailing ``.0``."""
    text = f"{round(value, 1):.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(x: float, y: float, content: str, css_class: str, extra: str = "") -> str:
    return f'<text x="{_num(x)}" y="{_num(y)}" class="{css_class}"{extra}>{escape(content)}</text>'


Box = tuple[float, float, float, float]
Segment = tuple[float, float, float, float]
# Where along a connection (from its source) a weight label may sit, in order of preference.
# After these, every 0.02 from 0.1 to 0.9: the first free place wins.
LABEL_POSITIONS = (0.3, 0.5, 0.22, 0.4, 0.62, 0.7, 0.15, *(round(0.1 + 0.02 * k, 2) for k in range(41)))
LABEL_HEIGHT = 18


def _node_boxes(node: NodePosition, value_lines: list[str]) -> list[Box]:
    """The areas a node's circle and the ``value_lines`` written under it cover: ``(left, top, right, bottom)``."""
    radius = BIAS_RADIUS if node.kind == "bias" else NODE_RADIUS
    boxes = [(node.x - radius, node.y - radius, node.x + radius, node.y + radius)]
    if value_lines:
        half_width = max(LABEL_CHAR_WIDTH * len(line) / 2 for line in value_lines)
        bottom = node.y + radius + 4 + 15 * len(value_lines)
        boxes.append((node.x - half_width, node.y + radius, node.x + half_width, bottom))
    return boxes


def _overlap(a: Box, b: Box) -> float:
    """The area two boxes share (0 when they do not touch)."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _label_box(x: float, y: float, width: float) -> Box:
    """The area of a label's white box centred at ``(x, y)``: ``(left, top, right, bottom)``."""
    return (x - width / 2, y - LABEL_HEIGHT / 2, x + width / 2, y + LABEL_HEIGHT / 2)


def _label_rect(x: float, y: float, width: float) -> str:
    """The white box a label is written on, centred at ``(x, y)``."""
    left, top, _, _ = _label_box(x, y, width)
    return (
        f'<rect class="label-box" x="{_num(left)}" y="{_num(top)}" '
        f'width="{_num(width)}" height="{LABEL_HEIGHT}" rx="4"/>'
    )


def _crosses(segment: Segment, box: Box) -> bool:
    """Whether the line ``segment`` passes through ``box`` (Liang–Barsky clipping)."""
    x1, y1, x2, y2 = segment
    low, high = 0.0, 1.0
    for p, q in ((x1 - x2, x1 - box[0]), (x2 - x1, box[2] - x1), (y1 - y2, y1 - box[1]), (y2 - y1, box[3] - y1)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def _best_place(
    candidates: list[tuple[float, float]], width: float, occupied: list[Box], segments: list[Segment]
) -> tuple[float, float]:
    """The candidate whose label box overlaps the least of ``occupied`` and crosses the fewest ``segments``.

    Ties keep the order of preference, so the first free candidate (nothing overlapped or
    crossed) wins without scoring the rest.
    """

    def cost(place: tuple[float, float]) -> tuple[float, int]:
        box = _label_box(place[0], place[1], width)
        return sum(_overlap(box, other) for other in occupied), sum(_crosses(line, box) for line in segments)

    # Both costs are >= 0, so the first free candidate is the one min would keep.
    for place in candidates:
        if cost(place) == (0, 0):
            return place
    return min(candidates, key=cost)


def _place_label(
    source: NodePosition, target: NodePosition, box_width: float, occupied: list[Box]
) -> tuple[float, float]:
    """The position along the edge where its label's box overlaps least of what is placed already."""
    candidates = [(source.x + (target.x - source.x) * t, source.y + (target.y - source.y) * t) for t in LABEL_POSITIONS]
    return _best_place(candidates, box_width, occupied, [])


def _value_lines(
    node: NodePosition, network: Network, values: Mapping[str, float], fmt: Callable[[float], str]
) -> list[str]:
    """The lines written under a node: a bias's value, an input's value, a neuron's net and out."""
    if node.kind == "bias":
        layer = network.layers[node.column]
        frozen = "" if layer.trains_bias else " (frozen)"
        return [f"{node.name} = {fmt(float(layer.bias[0]))}{frozen}"]
    if node.kind == "input":
        return [f"{node.name} = {fmt(values[node.name])}"] if node.name in values else []
    lines = []
    if value_names.net(node.name) in values:
        lines.append(f"net = {fmt(values[f'net_{node.name}'])}")
        lines.append(f"out = {fmt(values[f'out_{node.name}'])}")
    if value_names.target(node.name) in values:
        lines.append(f"target = {fmt(values[f'target_{node.name}'])}")
    return lines


def _per_neuron_bias_labels(
    network: Network,
    nodes: Mapping[str, NodePosition],
    fmt: Callable[[float], str],
    occupied: list[Box],
    segments: list[Segment],
) -> list[tuple[str, str, float, float, float]]:
    """``+ b3 = 0.1`` beside each neuron with its own bias: (text, bias name, x, y, box width).

    Each label goes above its neuron, or beside it, or below its values: wherever no connection
    line crosses it and it covers nothing else (its white box hides a line it cannot avoid).
    """
    names = network_names(network)
    labels = []
    for bias in names.all_biases():
        layer = network.layers[bias.layer]
        if layer.bias_mode != "per_neuron":
            continue
        neuron = nodes[names.neurons[bias.layer][bias.index]]
        text = f"+ {bias.name} = {fmt(float(layer.bias[bias.index]))}"
        width = LABEL_CHAR_WIDTH * len(text) + 8
        above = neuron.y - NODE_RADIUS - LABEL_HEIGHT / 2 - 3
        beside = width / 2 + NODE_RADIUS / 2
        candidates = [
            (neuron.x, above),
            (neuron.x - beside, above),
            (neuron.x + beside, above),
            (neuron.x, above - LABEL_HEIGHT),
        ]
        x, y = _best_place(candidates, width, occupied, segments)
        occupied.append(_label_box(x, y, width))
        labels.append((text, bias.name, x, y, width))
    return labels


def network_svg(
    network: Network,
    values: Mapping[str, float] | None = None,
    precision: int = 4,
    highlight: Set[str] = frozenset(),
    standalone: bool = True,
) -> str:
    """``network`` as an SVG string.

    Args:
        network: the network to draw (weights and biases are read from it).
        values: named values (``trace.values(sample)``); when given, each neuron shows its
            ``net`` and ``out``, each input its value and each output its target.
        precision: significant digits of the numbers shown.
        highlight: names of neurons, inputs, weights and biases to draw in the highlight colour.
        standalone: include the ``xmlns`` attribute (needed for a ``.svg`` file or a data URI;
            inline SVG in HTML does without it).
    """
    names = network_names(network)
    layout = diagram_layout(network)
    nodes = layout.nodes
    weights = {
        weight.name: float(network.layers[weight.layer].weights[weight.neuron, weight.source])
        for weight in names.all_weights()
    }
    largest = max((abs(w) for w in weights.values()), default=0.0) or 1.0

    def fmt(value: float) -> str:
        return format_number(value, precision)

    xmlns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    parts = [
        f'<svg{xmlns} class="stepgrad-network" viewBox="0 0 {_num(layout.width)} {_num(layout.height)}" '
        f'width="{_num(layout.width)}" height="{_num(layout.height)}" role="img" '
        f'aria-label="network diagram">',
        "<style>"
        # Inline SVG styles apply to the whole HTML page: every rule is scoped to this drawing.
        ".stepgrad-network text{font-family:'DejaVu Sans',Verdana,sans-serif;font-size:13px;fill:#222}"
        ".stepgrad-network .node-name{font-size:15px;font-weight:bold;text-anchor:middle;"
        "dominant-baseline:central}"
        ".stepgrad-network .node-value{font-size:12px;text-anchor:middle;paint-order:stroke;stroke:#fff;"
        "stroke-width:3px}"
        ".stepgrad-network .weight-label{font-size:12px;text-anchor:middle;dominant-baseline:central}"
        ".stepgrad-network .label-box{fill:#fff;fill-opacity:0.92;stroke:#ccc;stroke-width:0.6}"
        ".stepgrad-network .bias-label{font-size:12px;text-anchor:middle;dominant-baseline:central}"
        ".stepgrad-network .input circle{fill:#eef3f8}.stepgrad-network .neuron circle{fill:#fdf6e3}"
        ".stepgrad-network .output circle{fill:#eaf5ea}.stepgrad-network .bias circle{fill:#f2f2f2}"
        ".stepgrad-network circle{stroke:#333;stroke-width:1.5}"
        f".stepgrad-network .highlight circle{{stroke:{HIGHLIGHT};stroke-width:4}}"
        "</style>",
    ]

    # Edges first, so nodes and labels are drawn over them.
    labels: list[str] = []
    values = values or {}
    occupied = [box for node in nodes.values() for box in _node_boxes(node, _value_lines(node, network, values, fmt))]
    # Each weight's connection: its source and target nodes, and its line from circle to circle.
    edges = []
    for weight in names.all_weights():
        source = nodes[names.sources(weight.layer)[weight.source]]
        target = nodes[names.neurons[weight.layer][weight.neuron]]
        edges.append((weight, source, target, (source.x + NODE_RADIUS, source.y, target.x - NODE_RADIUS, target.y)))
    bias_labels = _per_neuron_bias_labels(network, nodes, fmt, occupied, [segment for *_, segment in edges])
    for weight, source, target, (x1, y1, x2, y2) in edges:
        value = weights[weight.name]
        colour = (
            HIGHLIGHT if weight.name in highlight else (POSITIVE if value > 0 else NEGATIVE if value < 0 else NEUTRAL)
        )
        sign = "positive" if value > 0 else "negative" if value < 0 else "zero"
        stroke_width = 1.0 + 4.0 * abs(value) / largest
        label = f"{weight.name} = {fmt(value)}"
        parts.append(
            f'<line class="weight {sign}" data-name="{weight.name}" x1="{_num(x1)}" y1="{_num(y1)}" '
            f'x2="{_num(x2)}" y2="{_num(y2)}" '
            f'stroke="{colour}" stroke-width="{_num(stroke_width)}"><title>{escape(label)}</title></line>'
        )
        if layout.edge_labels:
            box_width = LABEL_CHAR_WIDTH * len(label) + 8
            x, y = _place_label(source, target, box_width, occupied)
            occupied.append(_label_box(x, y, box_width))
            labels.append(_label_rect(x, y, box_width))
            labels.append(_text(x, y, label, "weight-label", f' data-name="{weight.name}" fill="{colour}"'))

    for layer_index, layer in enumerate(network.layers):
        if layer.bias_mode != "shared":
            continue
        bias_name = names.biases[layer_index][0]
        bias = nodes[bias_name]
        colour = HIGHLIGHT if bias_name in highlight else NEUTRAL
        for neuron in names.neurons[layer_index]:
            target = nodes[neuron]
            parts.append(
                f'<line class="bias-edge" data-name="{bias_name}" x1="{_num(bias.x)}" y1="{_num(bias.y)}" '
                f'x2="{_num(target.x - NODE_RADIUS)}" y2="{_num(target.y)}" stroke="{colour}" '
                f'stroke-width="1.2" stroke-dasharray="5 4"/>'
            )
    parts.extend(labels)

    for node in nodes.values():
        css = f"{node.kind} highlight" if node.name in highlight else node.kind
        radius = BIAS_RADIUS if node.kind == "bias" else NODE_RADIUS
        parts.append(f'<g class="{css}" data-name="{node.name}">')
        parts.append(f'<circle cx="{_num(node.x)}" cy="{_num(node.y)}" r="{radius}"/>')
        parts.append(_text(node.x, node.y, node.name, "node-name"))
        for line, text in enumerate(_value_lines(node, network, values, fmt)):
            parts.append(_text(node.x, node.y + radius + 16 + 15 * line, text, "node-value"))
        parts.append("</g>")

    for text, bias_name, x, y, width in bias_labels:
        colour = HIGHLIGHT if bias_name in highlight else "#222"
        parts.append(_label_rect(x, y, width))
        parts.append(_text(x, y, text, "bias-label", f' data-name="{bias_name}" fill="{colour}"'))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
