/* stepgrad live page: controls, the URL, the WebSocket session, step-through mode.
   The server trains and explains; this file only sends requests and draws the replies. */
"use strict";

(function () {
  const D = window.StepgradDraw;
  const $ = (id) => document.getElementById(id);
  const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1, 3, 10];
  const BATCH_SIZES = [1, 2, 5, 10, 20, 30, 50, 100];
  const REGULARIZATION_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]; // Playground's rates, L1 and L2
  const PLAY_ICON = '<svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22"><path d="M8 5v14l11-7z" fill="currentColor"/></svg>';
  const PAUSE_ICON = '<svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22"><path d="M7 5h4v14H7zM13 5h4v14h-4z" fill="currentColor"/></svg>';
  const IN_FLIGHT = 2; // train requests outstanding while playing: the next frame is computed while one is drawn
  const RECONNECT_DELAYS = [1, 2, 4, 8, 15]; // seconds between attempts after the connection drops

  let ws = null;
  let seq = 0;
  const pending = new Map(); // seq -> message type, until its reply arrives
  let ready = null;
  let frame = null;
  let network = null;
  let history = [];
  let playing = false;
  let inflight = 0;
  let drawScheduled = false;
  let dirty = false;
  let lastDrawnUpdates = null;
  const drawn = []; // {t, updates}: frames drawn in the last second and the updates each brought
  let derivation = null;
  let stale = false;
  let stepIndex = 0;
  let chainWanted = null;
  let highlighted = []; // names lit on the diagram (kept across a rebuild)
  let markSample = false; // ring the chosen sample on the plot (once step-through is in use)
  let connection = "connecting"; // connecting | open | lost | refused
  let attempts = 0;
  let reconnectTimer = null;
  let everReady = false;
  let linkValues = {}; // the URL's fields as the page sent them on connecting
  const stats = { framesReceived: 0, framesDrawn: 0, updatesDrawn: null, updatesPerSecond: 0, framesPerSecond: 0, loss: null, connection: connection };
  window.stepgradStats = stats;
  // What the page was sent, for the browser console and tests (read only).
  let pinned = null; // {history, what}: an earlier run kept to compare the current one with
  window.stepgrad = { ready: () => ready, frame: () => frame, pinned: () => pinned };

  // ------------------------------------------------------------------ messages
  let messageTimer = null;
  /* A passing note (6 s). */
  function say(text, kind) {
    const box = $("message");
    box.textContent = text;
    box.className = "message " + (kind || "info");
    box.hidden = false;
    clearTimeout(messageTimer);
    messageTimer = setTimeout(() => { box.hidden = true; }, 6000);
  }

  /* A banner that stays until cleared: key names it, action is {label, run} or null. */
  function banner(key, text, kind, action) {
    let box = document.querySelector('#banners .banner[data-key="' + key + '"]');
    if (!box) {
      box = document.createElement("div");
      box.dataset.key = key;
      $("banners").appendChild(box);
    }
    box.className = "banner " + (kind || "info");
    box.textContent = "";
    const text_ = document.createElement("span");
    text_.className = "banner-text";
    text_.textContent = text;
    box.appendChild(text_);
    if (action) {
      const button = document.createElement("button");
      button.className = "banner-action";
      button.textContent = action.label;
      button.addEventListener("click", action.run);
      box.appendChild(button);
    }
  }

  function clearBanner(key) {
    const box = document.querySelector('#banners .banner[data-key="' + key + '"]');
    if (box) box.remove();
  }

  function send(type, fields) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    seq += 1;
    pending.set(seq, type);
    ws.send(JSON.stringify(Object.assign({ type: type, seq: seq }, fields || {})));
    return true;
  }

  function sendConfig(values) {
    send("config", { config: values });
  }

  // ------------------------------------------------------------------ URL
  const VIEW_KEYS = { test: "show-test", discrete: "discrete" }; // settings of the page's view, kept in the URL but not sent

  /* The URL's run settings (sent to the server); its view settings are applied here. */
  function urlConfig() {
    const params = new URLSearchParams(location.search);
    const values = {};
    for (const [key, value] of params) {
      if (key in VIEW_KEYS) $(VIEW_KEYS[key]).checked = value === "1";
      else values[key] = value;
    }
    return values;
  }

  /* The page's URL: the server's query of the run, then the view settings that differ from the default. */
  function pageSearch(query) {
    const view = Object.keys(VIEW_KEYS).filter((key) => $(VIEW_KEYS[key]).checked).map((key) => key + "=1");
    return "?" + [query, ...view].join("&");
  }

  function historyReplace(search) {
    window.history.replaceState(null, "", location.pathname + search);
  }

  // ------------------------------------------------------------------ controls
  function fillSelect(select, values, current, label) {
    const list = values.slice();
    if (current !== undefined && !list.some((v) => String(v) === String(current))) list.push(current);
    if (typeof current === "number") list.sort((a, b) => a - b);
    select.textContent = "";
    for (const v of list) {
      const option = document.createElement("option");
      option.value = String(v);
      option.textContent = label ? label(v) : String(v);
      select.appendChild(option);
    }
    select.value = String(current);
  }

  function fixedNetwork() {
    return ready && (ready.config.data === "classic" || ready.config.data === "file");
  }

  function showConfig() {
    const c = ready.config;
    const o = ready.options;
    $("problem").value = ready.problem;
    // A generated data set lists the others of its problem type; from a fixed network or a CSV, all.
    const generated = c.data in ready.problems;
    fillSelect($("data"), o.datasets.filter((name) => !generated || !(name in ready.problems)
      || ready.problems[name] === ready.problem), c.data);
    $("loss-name").textContent = "Loss: " + ready.network.loss.replace(/_/g, " ");
    $("loss-name").title = $("loss-detail").textContent = lossName(ready); // the formula: pointed at, or read aloud
    fillSelect($("act"), o.activations, c.activation);
    fillSelect($("opt"), o.optimizers, c.optimizer);
    fillSelect($("lr"), LEARNING_RATES, c.learning_rate);
    fillSelect($("batch"), BATCH_SIZES, c.batch_size);
    fillSelect($("l2"), REGULARIZATION_RATES, c.l2, (v) => (v === 0 ? "none" : String(v)));
    fillSelect($("l1"), REGULARIZATION_RATES, c.l1, (v) => (v === 0 ? "none" : String(v)));
    $("noise").value = c.noise;
    $("noise-out").textContent = c.noise;
    $("split").value = c.split;
    $("split-out").textContent = Math.round(c.split * 100) + "%";
    $("seed").value = c.seed;
    const fixed = fixedNetwork();
    for (const id of ["act", "noise", "split", "seed", "reseed", "add-layer", "remove-layer"]) $(id).disabled = fixed;
    // A fixed network brings its own samples: no generated points to add noise to, split or seed.
    for (const id of ["noise", "split", "seed", "features"]) $(id).closest(".field").hidden = fixed;
    featureBoxes(o.features, c.features || []);
    $("data-hint").textContent = c.data === "classic"
      ? "The classic worked example: its network, its weights and its one training pair are fixed."
      : c.data === "file" ? "The network file given on the command line: its network and samples are fixed." : "";
    $("layer-count").textContent = c.layers.length + (c.layers.length === 1 ? " hidden layer" : " hidden layers");
    const query = ready.query; // the server writes the link (a fixed network's leaves out generated data's fields)
    if (location.search !== pageSearch(query)) historyReplace(pageSearch(query));
    $("export").href = "/export?token=" + encodeURIComponent(ready.export_token); // this tab's own run
    $("sample").max = String(Math.max(1, ready.n_train)); // shown from 1, sent from 0
    $("sample-count").textContent = "of " + ready.n_train;
  }

  /* "cross entropy, E = −target·ln(out) per output, summed, mean over the samples; …" */
  function lossName(r) {
    const name = r.network.loss.replace(/_/g, " ");
    return name + (r.loss_formula ? ", " + r.loss_formula : "") + " per output, summed, mean over the samples"
      + (r.problem === "regression" ? "; the colour shows the output value." : r.n_classes > 2
        ? "; softmax output, the colour shows the most likely class." : "; the colour shows the output (class 1 high).");
  }

  /* One checkbox per input feature; the ones checked are the network's inputs. */
  function featureBoxes(features, chosen) {
    const box = $("features");
    for (const item of box.querySelectorAll("label")) item.remove();
    $("features-chosen").textContent = (features || []).filter(([name]) => chosen.includes(name)).map(([, label]) => label).join(", ");
    for (const [name, label] of features || []) {
      const item = document.createElement("label");
      item.className = "check feature";
      const input = document.createElement("input");
      input.type = "checkbox";
      input.value = name;
      input.checked = chosen.includes(name);
      input.addEventListener("change", () => {
        const picked = Array.from(box.querySelectorAll("input:checked")).map((i) => i.value);
        if (!picked.length) {
          input.checked = true;
          say("The network needs at least one input.", "cap");
          return;
        }
        sendConfig({ features: picked.join(",") });
      });
      item.append(input, document.createTextNode(" " + label));
      box.appendChild(item);
    }
  }

  function layerButtons() {
    const box = $("layer-buttons");
    box.textContent = "";
    box.style.width = $("net").style.width;
    const c = ready.config;
    c.layers.forEach((count, l) => {
      const group = document.createElement("div");
      group.className = "layer-group";
      group.style.left = network.columnX[l + 1] - 38 + "px";
      const minus = document.createElement("button");
      minus.className = "mini";
      minus.textContent = "−";
      minus.title = "Remove a neuron from layer " + (l + 1);
      minus.setAttribute("aria-label", "remove a neuron from layer " + (l + 1));
      minus.dataset.layer = String(l);
      minus.dataset.action = "remove-neuron";
      const plus = document.createElement("button");
      plus.className = "mini";
      plus.textContent = "+";
      plus.title = "Add a neuron to layer " + (l + 1);
      plus.setAttribute("aria-label", "add a neuron to layer " + (l + 1));
      plus.dataset.layer = String(l);
      plus.dataset.action = "add-neuron";
      const text = document.createElement("span");
      text.textContent = count;
      minus.disabled = plus.disabled = fixedNetwork();
      group.append(minus, text, plus);
      box.appendChild(group);
    });
  }

  function changeLayers(layers) {
    sendConfig({ layers: layers.join(",") });
  }

  function chosenSample() {
    // The page numbers samples from 1, as `stepgrad explain --sample` does; messages count from 0.
    const count = ready ? Math.max(1, ready.n_train) : 1;
    return Math.min(count, Math.max(1, Math.floor(Number($("sample").value) || 1))) - 1;
  }

  function wireControls() {
    const on = (id, key, parse) => $(id).addEventListener("change", (event) => {
      const values = {};
      values[key] = parse ? parse(event.target.value) : event.target.value;
      sendConfig(values);
    });
    on("data", "data");
    $("problem").addEventListener("change", (event) => {
      // A problem type is a choice of data sets: the first of that type is loaded.
      const first = ready.options.datasets.find((name) => ready.problems[name] === event.target.value);
      if (first) sendConfig({ data: first });
    });
    $("new-weights").addEventListener("click", () => sendConfig({ init: 1 + Math.floor(Math.random() * 2147483646) }));
    $("csv").addEventListener("change", uploadCsv);
    $("weight-editor").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = Number($("weight-value").value);
      if ($("weight-value").value.trim() === "" || !Number.isFinite(value)) {
        say("A weight must be a number.", "error");
        return;
      }
      send("set_weight", { weight: editing, value: value });
    });
    $("weight-editor-close").addEventListener("click", closeEditor);
    $("pin").addEventListener("click", togglePin);
    on("act", "activation");
    on("opt", "optimizer");
    on("lr", "learning_rate", Number);
    on("batch", "batch_size", Number);
    on("l2", "l2", Number);
    on("l1", "l1", Number);
    on("noise", "noise", Number);
    on("split", "split", Number);
    on("seed", "seed", Number);
    $("noise").addEventListener("input", (e) => { $("noise-out").textContent = e.target.value; });
    $("split").addEventListener("input", (e) => { $("split-out").textContent = Math.round(e.target.value * 100) + "%"; });
    $("reseed").addEventListener("click", () => sendConfig({ seed: Math.floor(Math.random() * 100000) }));
    for (const id of Object.values(VIEW_KEYS)) {
      $(id).addEventListener("change", () => {
        if (ready) historyReplace(pageSearch(ready.query));
        dirty = true;
        scheduleDraw();
      });
    }
    $("play").addEventListener("click", () => setPlaying(!playing));
    $("step").addEventListener("click", () => { setPlaying(false); if (send("train")) inflight += 1; });
    $("reset").addEventListener("click", () => send("reset"));
    $("add-layer").addEventListener("click", () => {
      const layers = ready.config.layers.slice();
      if (layers.length >= ready.options.limits.max_layers) {
        say("At most " + ready.options.limits.max_layers + " hidden layers.", "cap");
        return;
      }
      layers.push(layers.length ? layers[layers.length - 1] : 2);
      changeLayers(layers);
    });
    $("remove-layer").addEventListener("click", () => {
      const layers = ready.config.layers.slice();
      if (!layers.length) return;
      layers.pop();
      changeLayers(layers);
    });
    $("layer-buttons").addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      const layers = ready.config.layers.slice();
      const l = Number(button.dataset.layer);
      if (button.dataset.action === "add-neuron") {
        if (layers[l] >= ready.options.limits.max_neurons) {
          say("At most " + ready.options.limits.max_neurons + " neurons per layer.", "cap");
          return;
        }
        layers[l] += 1;
      } else {
        if (layers[l] <= 1) {
          say("A layer needs at least one neuron; remove the layer instead.", "cap");
          return;
        }
        layers[l] -= 1;
      }
      changeLayers(layers);
    });
    $("sample").addEventListener("change", () => {
      const sample = chosenSample();
      $("sample").value = String(sample + 1);
      markSample = true;
      if (derivation) send("explain", { sample: sample });
      else send("sample", { sample: sample });
    });
    $("explain").addEventListener("click", () => send("explain", { sample: chosenSample() }));
    $("prev-step").addEventListener("click", () => showStep(stepIndex - 1));
    $("next-step").addEventListener("click", () => showStep(stepIndex + 1));
    $("close-steps").addEventListener("click", clearDerivation);
    /* Shortcuts: Space plays or pauses, → trains one frame; while stepping, → and ← move through the
       steps. Keys typed into a field, or Space on a button (which presses it), are left alone. */
    document.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey || !ready) return;
      const target = event.target;
      if (/INPUT|SELECT|TEXTAREA/.test(target.tagName) || target.isContentEditable) return;
      if (event.key === " " && target.tagName !== "BUTTON" && target.tagName !== "A" && target.getAttribute("role") !== "button") {
        event.preventDefault();
        setPlaying(!playing);
      } else if (event.key === "ArrowRight") {
        event.preventDefault();
        if (derivation) showStep(stepIndex + 1);
        else { setPlaying(false); if (send("train")) inflight += 1; }
      } else if (event.key === "ArrowLeft" && derivation) {
        event.preventDefault();
        showStep(stepIndex - 1);
      }
    });
    let resizeTimer = null;
    window.addEventListener("resize", () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        if (!ready) return;
        buildDiagram();
        dirty = true;
        scheduleDraw();
      }, 60);
    });
  }

  function setPlaying(value) {
    playing = value;
    $("play").innerHTML = playing ? PAUSE_ICON : PLAY_ICON;
    $("play").classList.toggle("playing", playing);
    $("play").setAttribute("aria-label", playing ? "pause" : "play");
    pump();
  }

  function pump() {
    while (playing && inflight < IN_FLIGHT) {
      if (!send("train")) break;
      inflight += 1;
    }
  }

  // ------------------------------------------------------------------ drawing
  function highlight(names) {
    highlighted = names || [];
    if (network) network.highlight(highlighted);
  }

  /* Pointing at a neuron shows its heat-map large (as Playground does), kept up to date while training. */
  let zoomed = null; // {layer, index, element} of the neuron pointed at
  function wireZoom() {
    if (!ready.plane) return;
    const names = [ready.network.inputs, ...ready.network.neurons];
    names.forEach((column, layer) => column.forEach((name, index) => {
      const g = document.querySelector('#net .neuron[data-name="' + name + '"]');
      if (!g) return;
      // A mouse only: a touch has no "leave", so its large map would stay over the diagram.
      g.addEventListener("pointerenter", (event) => {
        if (event.pointerType !== "mouse") return;
        zoomed = { layer: layer, index: index, element: g };
        paintZoom();
      });
      g.addEventListener("pointerleave", () => { zoomed = null; $("neuron-zoom").hidden = true; });
    }));
  }

  function paintZoom() {
    const zoom = $("neuron-zoom");
    const map = zoomed.layer === 0 ? ready.input_maps[zoomed.index]
      : frame && frame.maps ? frame.maps.neurons[zoomed.layer - 1][zoomed.index] : null;
    if (!map) return;
    D.paintMap(zoom, map, "value", 0, 0);
    zoom.hidden = false; // shown before it is placed: a hidden element has no offset parent
    const box = zoomed.element.getBoundingClientRect();
    const panel = zoom.offsetParent.getBoundingClientRect();
    const size = 200;
    let left = box.right - panel.left + 12;
    if (left + size > panel.width) left = box.left - panel.left - size - 12; // no room to the right
    zoom.style.left = Math.max(0, left) + "px";
    zoom.style.top = Math.max(0, box.top - panel.top - size / 2 + box.height / 2) + "px";
  }

  function buildDiagram() {
    zoomed = null;
    $("neuron-zoom").hidden = true;
    network = D.buildNetwork($("net"), ready, onPick);
    wireZoom();
    layerButtons();
    if (frame) network.update(frame, showsSample());
    network.highlight(highlighted);
  }

  /* The plots' text alternatives: the numbers they show. */
  function describePlots() {
    const f = D.formatValue;
    const fl = D.formatLoss;
    const start = history.length ? history[0] : null;
    let loss = "Loss curve over " + D.formatEpoch(frame.epoch) + " epochs: training loss " + fl(frame.loss.train);
    if (frame.loss.test !== null && frame.loss.test !== undefined) loss += ", test loss " + fl(frame.loss.test);
    if (start) loss += "; at epoch " + D.formatEpoch(start.epoch) + " it was " + fl(start.train) + ".";
    if (pinned) loss += " Pinned run " + pinned.what + ": training loss " + $("loss-pinned").textContent + ".";
    setLabel($("loss-chart"), loss);
    if (ready.plane && frame.maps) {
      const b = frame.maps.boundary;
      const d = ready.domain;
      const what = b.kind === "class" ? "the predicted class" : "the network's output, from " + f(b.lo) + " to " + f(b.hi)
        + " (orange low, blue high)";
      setLabel($("boundary"), "Output over the plane, x1 from " + f(d[0]) + " to " + f(d[1]) + " and x2 from " + f(d[2])
        + " to " + f(d[3]) + ": the colour shows " + what + "; dots are the " + ready.n_train + " training points"
        + ($("show-test").checked ? " and the " + ready.n_test + " test points" : "") + ".");
    }
  }

  function setLabel(element, text) {
    if (element.getAttribute("aria-label") !== text) element.setAttribute("aria-label", text);
  }

  /* Whether the chosen sample is shown on the plane (its ring on the plot, its values on the diagram). */
  function showsSample() {
    return markSample && ready.step_through;
  }

  function scheduleDraw() {
    if (drawScheduled) return;
    drawScheduled = true;
    requestAnimationFrame(draw);
  }

  function draw(now) {
    drawScheduled = false;
    if (!dirty || !frame || !ready) return;
    dirty = false;
    network.update(frame, showsSample());
    const marked = showsSample() ? frame.sample : null;
    D.drawBoundary($("boundary"), ready, frame, $("show-test").checked, marked, $("discrete").checked);
    if (zoomed) paintZoom();
    D.drawLossChart($("loss-chart"), history, pinned ? pinned.history : null);
    describePlots();
    $("epoch").textContent = D.formatEpoch(frame.epoch);
    $("loss-train").textContent = D.formatLoss(frame.loss.train);
    $("loss-test").textContent = D.formatLoss(frame.loss.test);
    $("no-plane-sample").textContent = String(frame.sample + 1);
    stats.framesDrawn += 1;
    const gained = lastDrawnUpdates === null || frame.updates < lastDrawnUpdates ? 0 : frame.updates - lastDrawnUpdates;
    lastDrawnUpdates = frame.updates;
    stats.updatesDrawn = frame.updates; // the update count of the frame now on screen
    drawn.push({ t: now, updates: gained });
    pump(); // ask for the next frames only once this one is on screen: never faster than the page draws
  }

  /* Updates/s: optimizer updates whose result was drawn in the last second; frames/s: redraws. */
  setInterval(() => {
    const now = performance.now();
    while (drawn.length && drawn[0].t < now - 1000) drawn.shift();
    let updates = 0;
    for (const d of drawn) updates += d.updates;
    stats.updatesPerSecond = updates;
    stats.framesPerSecond = drawn.length;
    $("ups").textContent = String(updates);
    $("fps").textContent = String(drawn.length);
  }, 250);

  function onFrame(next) {
    frame = next;
    stats.framesReceived += 1;
    stats.loss = next.loss.train;
    const last = history[history.length - 1];
    if (!last || last.updates !== next.updates) {
      history.push({ epoch: next.epoch, updates: next.updates, train: next.loss.train, test: next.loss.test });
      if (history.length > 1500) history = history.filter((_, k) => k % 2 === 0 || k === history.length - 1);
    }
    if (next.stopped) {
      if (playing) setPlaying(false);
      // the engine's forensics: the first value that is not finite from the kept weights, and its cause
      const why = next.why ? " Why: " + next.why : "";
      banner("diverged", next.stopped + why, "error", { label: "Reset", run: () => send("reset") });
    } else {
      clearBanner("diverged");
    }
    if (derivation && next.updates !== derivation.updates) markStale();
    dirty = true;
    scheduleDraw();
  }

  function onReady(message) {
    const structureChanged = !ready || JSON.stringify(ready.network) !== JSON.stringify(message.network)
      || ready.plane !== message.plane || ready.step_through !== message.step_through
      || JSON.stringify(ready.domain) !== JSON.stringify(message.domain);
    ready = message;
    if (message.frame.updates === 0) {
      history = [];
      lastDrawnUpdates = null;
    }
    showConfig();
    $("boundary-box").hidden = !ready.plane;
    D.drawLegend($("legend"), ready);
    $("no-plane").hidden = ready.plane;
    $("test-loss-row").hidden = ready.n_test === 0;
    $("stepper").classList.toggle("unavailable", !ready.step_through);
    $("explain").disabled = !ready.step_through;
    $("sample").value = String(message.frame.sample + 1);
    $("stepper-hint").textContent = ready.step_through
      ? "Every number comes from stepgrad's explain layer: the forward pass, the errors, the output and hidden layers, the updates and the new error."
      : "Step-through mode is for networks with at most " + ready.options.limits.step_through_neurons
        + " neurons per layer (inputs and outputs included). Remove neurons to use it.";
    const dropped = Object.keys(message.dropped || {});
    if (dropped.length) {
      const parts = dropped.map((key) => key + "=" + String(linkValues[key] ?? "").slice(0, 40) + " (" + message.dropped[key] + ")");
      banner("link", "Part of this link was not used: " + parts.join(" and ") + ". The rest of its setup is loaded.",
        "cap", { label: "Dismiss", run: () => clearBanner("link") });
    }
    if (structureChanged || !network) {
      closeEditor();
      clearDerivation();
      frame = message.frame;
      buildDiagram();
    }
    everReady = true;
    document.body.dataset.state = "ready";
    onFrame(message.frame);
  }

  // ------------------------------------------------------------------ step-through
  /* While a derivation is open the diagram stays in view beside (wide windows) or above (narrow
     ones) the steps: the layout changes, so the diagram is drawn again for its new width. */
  function setStepping(on) {
    if (document.body.classList.contains("stepping") === on) return;
    document.body.classList.toggle("stepping", on);
    if (ready) {
      buildDiagram();
      dirty = true;
      scheduleDraw();
    }
  }

  function clearDerivation() {
    setStepping(false);
    derivation = null;
    stale = false;
    markSample = false;
    $("step-card").hidden = true;
    $("step-list").textContent = "";
    $("chain").hidden = true;
    $("step-count").textContent = "";
    for (const id of ["prev-step", "next-step", "close-steps"]) $(id).disabled = true;
    highlight([]);
    dirty = true;
    scheduleDraw();
  }

  function markStale() {
    if (stale) return;
    stale = true;
    $("step-note").textContent = "The weights have changed since this derivation; press Explain for the current ones.";
  }

  function onDerivation(message) {
    derivation = message;
    setStepping(true);
    derivation.updates = message.frame.updates;
    stale = false;
    markSample = true;
    $("sample").value = String(message.sample + 1);
    onFrame(message.frame);
    const list = $("step-list");
    list.textContent = "";
    let section = null;
    let group = null;
    message.steps.forEach((step, k) => {
      if (step.section !== section) {
        section = step.section;
        const heading = document.createElement("div");
        heading.className = "list-section";
        heading.textContent = section;
        list.appendChild(heading);
        group = document.createElement("div");
        group.className = "chips";
        list.appendChild(group);
      }
      const chip = document.createElement("button");
      chip.className = "chip";
      chip.dataset.name = step.name;
      chip.dataset.index = String(k);
      chip.textContent = step.name;
      chip.addEventListener("click", () => showStep(k));
      group.appendChild(chip);
    });
    for (const id of ["prev-step", "next-step", "close-steps"]) $(id).disabled = false;
    $("stepper-hint").textContent = "Training sample " + (message.sample + 1) + " of " + ready.n_train + ". " + message.notes.join(" ");
    if (chainWanted) {
      // A connection was clicked before there was a derivation: open at that weight's gradient.
      const at = message.steps.findIndex((step) => step.name === "dE_total/d" + chainWanted);
      showStep(at >= 0 ? at : 0);
      send("chain", { weight: chainWanted });
      chainWanted = null;
    } else {
      showStep(0);
    }
  }

  function showStep(k) {
    if (!derivation) return;
    const steps = derivation.steps;
    stepIndex = Math.max(0, Math.min(steps.length - 1, k));
    const step = steps[stepIndex];
    $("step-card").hidden = false;
    $("step-section").textContent = step.section;
    $("step-title").textContent = step.title;
    $("step-result").textContent = step.name + " = " + step.value;
    $("step-formula").textContent = step.formula;
    $("step-substituted").textContent = D.withNumbers(step);
    $("step-note").textContent = stale ? "The weights have changed since this derivation; press Explain for the current ones." : step.note || "";
    $("step-count").textContent = "step " + (stepIndex + 1) + " of " + steps.length;
    $("prev-step").disabled = stepIndex === 0;
    $("next-step").disabled = stepIndex === steps.length - 1;
    for (const chip of $("step-list").querySelectorAll(".chip")) {
      chip.classList.toggle("current", Number(chip.dataset.index) === stepIndex);
    }
    highlight(step.involves);
  }

  /* Pin the run on screen (its loss curve and settings) beside the next ones, or let it go. */
  function togglePin() {
    if (pinned) {
      pinned = null;
    } else if (history.length) {
      const c = ready.config;
      pinned = { history: history.slice(), what: "(" + c.data + ", " + c.layers.join(",") + " " + c.activation + ", "
        + c.optimizer + " lr " + c.learning_rate + ", batch " + c.batch_size + ", epoch " + D.formatEpoch(frame.epoch) + ")" };
    }
    $("pinned-row").hidden = !pinned;
    $("pin").textContent = pinned ? "unpin" : "pin this run";
    if (pinned) {
      $("loss-pinned").textContent = D.formatLoss(pinned.history[pinned.history.length - 1].train);
      $("pinned-what").textContent = pinned.what;
    }
    dirty = true;
    scheduleDraw();
  }

  /* The page's own CSV file: sent to the server, which checks it; then it is the data set "upload". */
  const MAX_CSV_BYTES = 64 * 1024; // the server's cap (web/upload.py), checked here to spare the sending
  async function uploadCsv() {
    const file = $("csv").files[0];
    $("csv").value = "";
    if (!file) return;
    const status = $("csv-status");
    if (file.size > MAX_CSV_BYTES) {
      status.textContent = "Your CSV is larger than 64 KB (" + Math.round(file.size / 1024) + " KB); at most 1000 rows of x1, x2, label.";
      status.className = "hint error";
      return;
    }
    let reply;
    try {
      const response = await fetch("/upload?token=" + encodeURIComponent(ready.export_token), {
        method: "POST", body: file, headers: { "Content-Type": "text/csv" } });
      reply = await response.json();
      reply.ok = response.ok;
    } catch (error) {
      reply = { ok: false, message: "Could not send the file to the stepgrad server." };
    }
    status.textContent = reply.message;
    status.className = reply.ok ? "hint" : "hint error";
    if (reply.ok) sendConfig({ data: "upload" });
  }

  /* The weight editor: the value of weight or bias ``name`` now, from the frame. */
  let editing = null;
  function parameterValue(name) {
    const n = ready.network;
    for (let l = 0; l < n.weights.length; l += 1) {
      for (let r = 0; r < n.weights[l].length; r += 1) {
        const c = n.weights[l][r].indexOf(name);
        if (c >= 0) return frame.weights[l][r][c];
      }
      const k = n.biases[l].indexOf(name);
      if (k >= 0) return frame.biases[l][k];
    }
    return null;
  }

  function openEditor(name) {
    editing = name;
    $("weight-editor-name").textContent = name;
    const value = parameterValue(name);
    $("weight-value").value = value === null ? "" : String(value);
    $("weight-editor").hidden = false;
    $("weight-value").focus({ preventScroll: true });
  }

  function closeEditor() {
    editing = null;
    $("weight-editor").hidden = true;
  }

  /* A weight was set: the diagram shows it; an open derivation is worked again from the new weights. */
  function onWeightSet() {
    say(editing + " is now " + String(parameterValue(editing)) + ".", "info");
    if (derivation && ready.step_through) {
      chainWanted = editing;
      send("explain", { sample: chosenSample() });
    }
  }

  /* A connection (weight) or a bias node was clicked: its editor, and its chain rule (from a fresh
     derivation if needed). */
  function onPick(name) {
    openEditor(name);
    if (!ready.step_through) {
      say("The chain rule of a weight is shown in step-through mode, for networks with at most "
        + ready.options.limits.step_through_neurons + " neurons per layer.", "cap");
      return;
    }
    if (!derivation || stale) {
      chainWanted = name;
      send("explain", { sample: chosenSample() });
    } else {
      const at = derivation.steps.findIndex((step) => step.name === "dE_total/d" + name);
      if (at >= 0) showStep(at);
      send("chain", { weight: name });
    }
  }

  function onChain(message) {
    $("chain").hidden = false;
    $("chain-title").textContent = "Chain rule for " + message.weight;
    highlight(D.drawChain($("chain-steps"), message));
    $("chain").scrollIntoView({ block: "nearest" }); // the diagram is sticky: it stays in view
  }

  // ------------------------------------------------------------------ connection
  function setConnection(state) {
    connection = state;
    stats.connection = state;
    document.body.dataset.connection = state;
    const usable = state === "open";
    for (const region of document.querySelectorAll("#workspace, .top .transport, .top .field, #export")) {
      region.inert = !usable;
      region.classList.toggle("offline", !usable && (everReady || state === "refused"));
    }
    if (!usable) {
      setPlaying(false);
      inflight = 0;
      pending.clear();
    }
  }

  function onError(message) {
    const type = message.seq !== undefined ? pending.get(message.seq) : undefined;
    if (message.code === "sessions") {
      // The server refuses this tab and closes the socket: say so until the user acts.
      setConnection("refused");
      banner("connection", message.message, "error", { label: "Try again", run: reconnectNow });
      return;
    }
    say(message.message, message.code === "cap" || message.code === "rate" ? "cap" : "error");
    if (message.code === "rate") {
      // A dropped request gets no reply: stop, forget what was outstanding, let the user go on.
      setPlaying(false);
      inflight = 0;
      pending.clear();
    }
    if (!ready && type === "config") {
      // Even the link's valid fields could not be used: say so and start from the defaults.
      banner("link", "This link's setup was refused (" + message.message + "); the page starts from the defaults.",
        "cap", { label: "Dismiss", run: () => clearBanner("link") });
      historyReplace("");
      sendConfig({});
    }
  }

  function reconnectNow() {
    clearTimeout(reconnectTimer);
    attempts = 0;
    connect();
  }

  function scheduleReconnect() {
    const delay = RECONNECT_DELAYS[Math.min(attempts, RECONNECT_DELAYS.length - 1)];
    attempts += 1;
    let left = delay;
    const tell = () => {
      banner("connection", "Lost the connection to the stepgrad server. Trying again in " + left
        + " s… (if you stopped it, start `stepgrad viz` again; this page reconnects with the same setup).",
        "error", { label: "Reconnect now", run: reconnectNow });
    };
    tell();
    clearTimeout(reconnectTimer);
    const tick = () => {
      left -= 1;
      if (left <= 0) {
        banner("connection", "Lost the connection to the stepgrad server. Reconnecting…", "error", null);
        connect();
      } else {
        tell();
        reconnectTimer = setTimeout(tick, 1000);
      }
    };
    reconnectTimer = setTimeout(tick, 1000);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/ws");
    ws = socket;
    seq = 0;
    pending.clear();
    inflight = 0;
    if (connection !== "lost") setConnection("connecting");
    socket.addEventListener("open", () => {
      // A new session: the URL (kept in step with every change) restores the setup.
      linkValues = urlConfig();
      send("config", { config: linkValues, link: true });
    });
    socket.addEventListener("message", (event) => {
      if (socket !== ws) return;
      const message = JSON.parse(event.data);
      const type = message.seq !== undefined ? pending.get(message.seq) : undefined;
      if (message.seq !== undefined) pending.delete(message.seq);
      if (type === "train") inflight = Math.max(0, inflight - 1);
      if (message.type === "ready") {
        const wasLost = connection === "lost";
        if (connection !== "open") setConnection("open");
        attempts = 0;
        clearBanner("connection");
        if (wasLost) {
          clearDerivation(); // it belonged to the old session
          say("Reconnected. The run started again from this page's setup.", "info");
        }
        onReady(message);
      } else if (message.type === "frame") {
        onFrame(message);
        if (type === "set_weight") onWeightSet();
      }
      else if (message.type === "derivation") onDerivation(message);
      else if (message.type === "chain") onChain(message);
      else if (message.type === "error") onError(message);
    });
    socket.addEventListener("close", () => {
      if (socket !== ws) return;
      if (connection === "refused") return; // the refusal banner stays; "Try again" reconnects
      setConnection("lost");
      scheduleReconnect();
    });
  }

  wireControls();
  connect();
})();
