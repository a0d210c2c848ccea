/* stepgrad replay page: plays recorded frames with the live page's drawing code. */
"use strict";

(function () {
  const D = window.StepgradDraw;
  const $ = (id) => document.getElementById(id);
  const run = JSON.parse($("run").textContent);
  const ready = run.ready;
  const frames = run.frames;
  let index = 0;
  let playing = false;
  let timer = null;
  const network = D.buildNetwork($("net"), ready, null);

  const c = ready.config;
  $("setup").textContent = c.data + " · " + [ready.network.sizes[0]].concat(c.layers, [ready.network.sizes[ready.network.sizes.length - 1]]).join("-");
  $("config").textContent = "dataset " + c.data + ", " + c.points + " points, noise " + c.noise + ", "
    + Math.round(c.split * 100) + "% for training; hidden layers " + (c.layers.join(", ") || "none") + " (" + c.activation
    + "); " + c.optimizer + ", learning rate " + c.learning_rate + ", batch size " + c.batch_size + ", seed " + c.seed + ".";
  $("boundary-box").hidden = !ready.plane;
  D.drawLegend($("legend"), ready);
  $("position").max = String(frames.length - 1);

  function show(k) {
    index = Math.max(0, Math.min(frames.length - 1, k));
    const frame = frames[index];
    network.update(frame);
    D.drawBoundary($("boundary"), ready, frame, $("show-test").checked);
    D.drawLossChart($("loss-chart"), frames.slice(0, index + 1).map((f) => ({ train: f.loss.train, test: f.loss.test })));
    $("epoch").textContent = String(Math.floor(frame.epoch));
    $("loss-train").textContent = D.formatValue(frame.loss.train);
    $("loss-test").textContent = D.formatValue(frame.loss.test);
    $("position").value = String(index);
    $("frame-count").textContent = "frame " + (index + 1) + " / " + frames.length;
    document.body.dataset.frame = String(index);
  }

  function setPlaying(value) {
    playing = value;
    $("play").innerHTML = playing
      ? '<svg viewBox="0 0 24 24" width="22" height="22"><path d="M7 5h4v14H7zM13 5h4v14h-4z" fill="currentColor"/></svg>'
      : '<svg viewBox="0 0 24 24" width="22" height="22"><path d="M8 5v14l11-7z" fill="currentColor"/></svg>';
    $("play").classList.toggle("playing", playing);
    clearInterval(timer);
    if (playing) {
      if (index >= frames.length - 1) show(0);
      timer = setInterval(() => {
        if (index >= frames.length - 1) setPlaying(false);
        else show(index + 1);
      }, 80);
    }
  }

  $("play").addEventListener("click", () => setPlaying(!playing));
  $("position").addEventListener("input", (e) => { setPlaying(false); show(Number(e.target.value)); });
  $("show-test").addEventListener("change", () => show(index));
  show(0);
  document.body.dataset.state = "ready";
})();
