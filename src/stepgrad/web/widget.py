"""The page's network and output plot as a notebook widget, trained from Python with the same engine.

``stepgrad.widget(data="spiral", layers=(8, 6))`` is an anywidget (JupyterLab, Jupyter Notebook,
VS Code, Colab): no server of its own. Python holds a ``stepgrad.web.session.Session``, the page's own
training run, and syncs what the page draws as traitlets: ``ready`` (the structure, points and
options), ``frame`` (weights, losses, heat-maps), ``history`` (the loss curve), plus ``weights``,
``biases``, ``loss``, ``test_loss`` and ``epoch`` for code. The browser side is the page's drawing
code itself: ``static/layout.js`` and ``static/draw.js`` are read from the package when the widget is
made (never copied), and ``static/style.css`` is scoped to the widget (CSS nesting under
``.stepgrad-widget``) so the notebook's own styles are left alone.

``step(frames)`` trains like the page's step button: each frame is up to one epoch of the engine's
updates (``Session.train_frame``), and the view redraws after every frame.

Step-through: clicking a connection or bias in the view, or ``explain("w5", sample=3)`` from Python,
shows that weight's chain rule (``stepthrough.chain_message``: the explain layer's steps, as the page
shows them) for the current weights and a training sample, synced as ``step_through``; it is worked
again after ``step``, ``reset`` and ``select``.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import anywidget
import traitlets

from stepgrad.web.config import ConfigError, Limits, field_name, parse_config
from stepgrad.web.session import Session
from stepgrad.web.stepthrough import chain_message

#: The drawing code the page loads, in its order (layout first: draw.js reads ``window.StepgradLayout``).
DRAWING_SCRIPTS = ("layout.js", "draw.js")
#: The class the widget's root element carries; the page's stylesheet is nested under it.
ROOT_CLASS = "stepgrad-widget"

_VIEW = """
const D = window.StepgradDraw;
const VIEW = `
<div class="widget-row">
  <section class="panel network"><div class="net"></div></section>
  <section class="panel output">
    <div class="losses">
      <div><span class="swatch train"></span>Training loss <b class="loss-train">—</b></div>
      <div class="test-loss-row"><span class="swatch test"></span>Test loss <b class="loss-test">—</b></div>
      <div>Epoch <b class="epoch">0</b></div>
    </div>
    <canvas class="loss-chart" width="300" height="120" role="img" aria-label="Loss curve"></canvas>
    <div class="boundary-box">
      <canvas class="boundary" width="300" height="300" role="img" aria-label="Output over the plane"></canvas>
      <div class="legend"></div>
    </div>
  </section>
</div>
<section class="panel chain" hidden>
  <h3 class="chain-title"></h3>
  <p class="hint chain-note"></p>
  <ol class="chain-steps"></ol>
</section>`;

function render({ model, el }) {
  el.classList.add("ROOT_CLASS");
  el.innerHTML = VIEW;
  const part = (name) => el.querySelector("." + name);
  let network = null;
  function build() {
    const ready = model.get("ready");
    part("net").innerHTML = "";
    part("legend").innerHTML = "";
    network = D.buildNetwork(part("net"), ready, (name) => model.send({ pick: name }));
    part("boundary-box").hidden = !ready.plane;
    part("test-loss-row").hidden = ready.n_test === 0;
    if (ready.plane) D.drawLegend(part("legend"), ready);
  }
  function show() {
    const ready = model.get("ready");
    const frame = model.get("frame");
    network.update(frame, Boolean(model.get("step_through").steps));
    if (ready.plane) D.drawBoundary(part("boundary"), ready, frame, false);
    D.drawLossChart(part("loss-chart"), model.get("history"));
    part("loss-train").textContent = D.formatValue(frame.loss.train);
    part("loss-test").textContent = D.formatValue(frame.loss.test);
    part("epoch").textContent = D.formatEpoch(frame.epoch);
    el.dataset.frame = String(frame.frame);
  }
  function showChain() {
    const chain = model.get("step_through");
    part("chain").hidden = !chain.weight;
    part("chain-title").textContent = chain.weight ? "Chain rule for " + chain.weight : "";
    const n = model.get("ready").n_train;
    const sample = chain.steps ? "Training sample " + (chain.sample + 1) + " of " + n + ". " : "";
    part("chain-note").textContent = chain.error || sample + (chain.notes || []).join(" ");
    network.highlight(chain.steps ? D.drawChain(part("chain-steps"), chain) : []);
    if (!chain.steps) part("chain-steps").textContent = "";
  }
  model.on("change:ready", () => { build(); show(); showChain(); });
  model.on("change:frame", show);
  model.on("change:step_through", () => { show(); showChain(); });
  build();
  show();
  showChain();
}

export default { render };
"""

_LAYOUT_CSS = """
.widget-row { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.widget-row .panel.network { flex: 1 1 420px; min-width: 320px; }
.widget-row .panel.output { flex: 0 0 320px; }
"""


def _static(name: str) -> str:
    return (resources.files("stepgrad.web") / "static" / name).read_text(encoding="utf-8")


def widget_script() -> str:
    """The widget's ES module: the page's drawing scripts, then the view that calls them."""
    scripts = "\n".join(_static(name) for name in DRAWING_SCRIPTS)
    return scripts + _VIEW.replace("ROOT_CLASS", ROOT_CLASS)


def widget_style() -> str:
    """The page's stylesheet nested under the widget's class (its ``:root`` variables on the widget itself)."""
    return f".{ROOT_CLASS} {{\n{_static('style.css').replace(':root', '&')}\n{_LAYOUT_CSS}\n}}\n"


class Playground(anywidget.AnyWidget):  # type: ignore[misc]
    """A training run drawn live in a notebook; ``step`` trains it (see the module's docstring).

    Attributes (traitlets, synced to the view):
        ready: the run's structure, points and options (``Session.ready``).
        frame: the latest frame: weights, losses, the sample's values, heat-maps (``Session.frame``).
        history: ``[{"epoch", "train", "test"}, …]`` since the last reset, the loss curve.
        weights, biases: per layer, ``(n_out, n_in)`` and ``(n_out,)`` as nested lists.
        loss, test_loss: mean training and test loss (``test_loss`` None without a test set).
        epoch: passes over the training set since the last reset.
        step_through: the chain rule shown (``{"weight", "sample", "notes", "steps"}``, the steps as
            ``stepthrough.step_to_dict`` gives them; ``{"weight", "error"}`` when refused; ``{}`` when closed).
    """

    ready = traitlets.Dict().tag(sync=True)
    frame = traitlets.Dict().tag(sync=True)
    history: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    weights: traitlets.List[Any] = traitlets.List().tag(sync=True)
    biases: traitlets.List[Any] = traitlets.List().tag(sync=True)
    loss = traitlets.Float(allow_none=True).tag(sync=True)
    test_loss = traitlets.Float(allow_none=True).tag(sync=True)
    epoch = traitlets.Float(0.0).tag(sync=True)
    step_through = traitlets.Dict().tag(sync=True)

    def __init__(self, limits: Limits | None = None, **settings: Any) -> None:
        self._esm = widget_script()
        self._css = widget_style()
        limits = limits or Limits()
        self.session = Session(limits)
        # the page's own validation and caps (ConfigError names the setting); the data set's defaults fill the rest
        config = parse_config(settings, self.session.datasets(), limits)
        ready = self.session.configure(config, given={field_name(key) for key in settings})
        super().__init__()
        self._show(ready, ready["frame"])
        self.on_msg(self._on_view_message)

    def _show(self, ready: dict[str, Any] | None, frame: dict[str, Any], trained: bool = True) -> None:
        """Sync one frame (and a new ``ready``) to the view in one message; ``trained``: a point of the loss curve."""
        point = {"epoch": frame["epoch"], "train": frame["loss"]["train"], "test": frame["loss"]["test"]}
        history = [point] if ready is not None else [*self.history, point] if trained else self.history
        with self.hold_sync():
            if ready is not None:
                self.ready = {key: value for key, value in ready.items() if key not in ("frame", "export_token")}
            self.frame = frame
            self.history = history
            self.weights = frame["weights"]
            self.biases = frame["biases"]
            self.loss = frame["loss"]["train"]
            self.test_loss = frame["loss"]["test"]
            self.epoch = frame["epoch"]

    def step(self, frames: int = 1) -> Playground:
        """Train ``frames`` frames (each up to one epoch), redrawing after each; returns the widget."""
        for _ in range(frames):
            self._show(None, self.session.train_frame())
        return self._explain_again()

    def reset(self) -> Playground:
        """Back to the seeded initial weights, epoch 0."""
        ready = self.session.reset()
        self._show(ready, ready["frame"])
        return self._explain_again()

    def explain(self, weight: str, sample: int | None = None) -> Playground:
        """Show the chain rule of ``weight`` (``w5``, ``b2``) for the current weights and training ``sample``.

        ``sample`` counts from 0 (default: the sample shown). The full derivation is ``self.derivation``.
        Raises ``ConfigError`` for a network wider than step-through allows or an unknown name.
        """
        sample = self.session.sample if sample is None else sample
        message = self.session.explain(sample)
        chain = chain_message(self.session.derivation, weight)
        self._show(None, message["frame"], trained=False)
        self.step_through = {**chain, "sample": sample, "notes": message["notes"]}
        return self

    def select(self, sample: int) -> Playground:
        """Show training ``sample`` (from 0) in the diagram, and in the chain rule if one is open."""
        self._show(None, self.session.select_sample(sample), trained=False)
        return self._explain_again()

    def close_explanation(self) -> Playground:
        """Close the chain rule."""
        self.step_through = {}
        return self

    @property
    def derivation(self):  # type: ignore[no-untyped-def]
        """The explain layer's ``Derivation`` behind the chain rule shown (None before ``explain``)."""
        return self.session.derivation if self.step_through.get("steps") else None

    def _explain_again(self) -> Playground:
        """The open chain rule worked again from the current weights (they changed)."""
        if self.step_through.get("steps"):
            self.explain(self.step_through["weight"])
        return self

    def _on_view_message(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        """A connection or bias clicked in the view: its chain rule, or why there is none."""
        name = content.get("pick") if isinstance(content, dict) else None
        if not isinstance(name, str):
            return
        try:
            self.explain(name)
        except ConfigError as error:
            self.step_through = {"weight": name[:20], "error": error.message}

    @property
    def network(self):  # type: ignore[no-untyped-def]
        """The network with the current weights (a ``stepgrad.Network``)."""
        return self.session.current_network()


def widget(**settings: Any) -> Playground:
    """A live training run in a notebook: ``stepgrad.widget(data="spiral", layers=(8, 6)).step(100)``.

    ``settings`` are the page's (``stepgrad.web.config.VizConfig``): ``data``, ``points``, ``noise``,
    ``split``, ``layers``, ``activation``, ``optimizer``, ``learning_rate``, ``batch_size``, ``seed``,
    ``features``; the data set's defaults fill the rest, as on the page. A setting the page would refuse
    raises ``stepgrad.web.config.ConfigError`` naming it.
    """
    return Playground(**settings)
