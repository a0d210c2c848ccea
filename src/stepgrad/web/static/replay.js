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
  const shape = ready.network.sizes.join("-");
  const training = c.optimizer + ", learning rate " + c.learning_rate + ", batch size " + c.batch_size;
  $("setup").textContent = c.data + " · " + shape;
  /* What was recorded, in the run's own terms: a fixed network has no generated points, noise or split. */
  function description() {
    const samples = ready.n_train === 1 ? "its one training pair" : "its " + ready.n_train + " training samples";
    if (c.data === "classic") {
      return "The classic worked example: network " + shape + " (" + ready.network.activations.join(", ")
        + "), its fixed starting weights and " + samples + "; " + training + ".";
    }
    if (c.data === "file") {
      return "A network file: network " + shape + " (" + ready.network.activations.join(", ") + "), " + samples
        + "; " + training + ".";
    }
    return "Dataset " + c.data + ", " + c.points + " points, noise " + c.noise + ", "
      + Math.round(c.split * 100) + "% for training; hidden layers " + (c.layers.join(", ") || "none") + " (" + c.activation
      + "); " + training + ", seed " + c.seed + ".";
  }
  $("config").textContent = description();
  /* Settings changed during the run (without a reset): listed, and marked on the timeline at the
     first recorded frame from the change on. */
  const NAMES = { learning_rate: "learning rate", optimizer: "optimizer", batch_size: "batch size" };
  const changes = run.changes || [];
  const changeList = $("changes");
  const marks = $("change-marks");
  changes.forEach((change) => {
    const what = Object.keys(change.changes).map((name) => {
      const pair = change.changes[name];
      return (NAMES[name] || name) + " " + pair[0] + " → " + pair[1];
    }).join(", ");
    let at = frames.findIndex((f) => f.frame >= change.frame);
    if (at < 0) at = frames.length - 1;
    const item = document.createElement("li");
    item.textContent = "Epoch " + D.formatEpoch(change.epoch) + ": " + what;
    changeList.appendChild(item);
    const mark = document.createElement("button");
    mark.className = "change-mark";
    mark.style.left = (frames.length > 1 ? (100 * at) / (frames.length - 1) : 0) + "%";
    mark.title = "Epoch " + D.formatEpoch(change.epoch) + ": " + what;
    mark.setAttribute("aria-label", "go to the change at epoch " + D.formatEpoch(change.epoch) + ": " + what);
    mark.dataset.frame = String(at);
    mark.addEventListener("click", () => { setPlaying(false); show(at); });
    marks.appendChild(mark);
  });
  $("changes-box").hidden = changes.length === 0;
  $("boundary-box").hidden = !ready.plane;
  $("test-loss-row").hidden = ready.n_test === 0;
  D.drawLegend($("legend"), ready);
  $("position").max = String(frames.length - 1);

  function show(k) {
    index = Math.max(0, Math.min(frames.length - 1, k));
    const frame = frames[index];
    network.update(frame);
    D.drawBoundary($("boundary"), ready, frame, $("show-test").checked);
    D.drawLossChart($("loss-chart"), frames.slice(0, index + 1).map((f) => ({ epoch: f.epoch, train: f.loss.train, test: f.loss.test })));
    $("epoch").textContent = D.formatEpoch(frame.epoch);
    $("loss-train").textContent = D.formatLoss(frame.loss.train);
    $("loss-test").textContent = D.formatLoss(frame.loss.test);
    $("position").value = String(index);
    // Frame 0 is the network before training; the run recorded frames 1 to N after it (`--frames N`).
    $("frame-count").textContent = "frame " + index + " / " + (frames.length - 1) + (index === 0 ? " (start)" : "");
    $("frame-count").title = "training frame " + frame.frame + " of the run (recorded frames are evenly spaced)";
    document.body.dataset.frame = String(index);
  }

  function setPlaying(value) {
    playing = value;
    $("play").innerHTML = playing
      ? '<svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22"><path d="M7 5h4v14H7zM13 5h4v14h-4z" fill="currentColor"/></svg>'
      : '<svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22"><path d="M8 5v14l11-7z" fill="currentColor"/></svg>';
    $("play").classList.toggle("playing", playing);
    clearInterval(timer);
    if (playing) {
      if (index >= frames.length - 1) show(0);
      timer = setInterval(() => {
        show(index + 1);
        if (index >= frames.length - 1) setPlaying(false); // the play button is back as the last frame shows
      }, 80);
    }
  }

  $("play").addEventListener("click", () => setPlaying(!playing));
  $("position").addEventListener("input", (e) => { setPlaying(false); show(Number(e.target.value)); });
  $("show-test").addEventListener("change", () => show(index));
  show(0);
  document.body.dataset.state = "ready";
})();
