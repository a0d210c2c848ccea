/* stepgrad: drawing what the server sends. No math of the network lives here: every value,
   heat-map and derivation step is drawn as received. Shared by the live page and the replay page. */
"use strict";

(function () {
  const ORANGE = [245, 147, 34];
  const BLUE = [8, 119, 189];
  const WHITE = [232, 234, 235];
  const PAPER = [255, 255, 255];
  const CLASS_COLOURS = [[245, 147, 34], [8, 119, 189], [44, 160, 44], [148, 103, 189], [214, 39, 40], [140, 86, 75]];
  const SVG_NS = "http://www.w3.org/2000/svg";
  // The decision boundary is painted this far towards white, so the points on it keep their full colour
  // (TensorFlow Playground does the same with a translucent background).
  const BACKGROUND_FADE = 0.6;
  const HIGHLIGHT = "#d6336c";

  function mix(a, b, t) {
    return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
  }

  /* t in [0, 1]: orange (low) through white to blue (high). */
  function diverging(t) {
    return t < 0.5 ? mix(ORANGE, WHITE, t * 2) : mix(WHITE, BLUE, (t - 0.5) * 2);
  }

  function rgb(c, alpha) {
    const body = Math.round(c[0]) + "," + Math.round(c[1]) + "," + Math.round(c[2]);
    return alpha === undefined ? "rgb(" + body + ")" : "rgba(" + body + "," + alpha + ")";
  }

  /* A heat-map's bytes (base64 of one byte per value, row by row). */
  function decodeMap(map) {
    const bin = atob(map.data);
    const bytes = new Uint8Array(bin.length);
    for (let k = 0; k < bin.length; k++) bytes[k] = bin.charCodeAt(k);
    return bytes;
  }

  /* Paint a heat-map into a canvas of its own size (CSS scales it smoothly).
     fade: 0 full colour, towards 1 paler (the boundary behind the points). */
  function paintMap(canvas, map, kind, nClasses, fade, discrete) {
    if (canvas.width !== map.cols || canvas.height !== map.rows) {
      canvas.width = map.cols;
      canvas.height = map.rows;
    }
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(map.cols, map.rows);
    const bytes = decodeMap(map);
    const px = image.data;
    const pale = fade || 0;
    for (let k = 0; k < bytes.length; k++) {
      let c;
      if (kind === "class") {
        const index = Math.round((bytes[k] / 255) * Math.max(1, nClasses - 1));
        c = mix(CLASS_COLOURS[index % CLASS_COLOURS.length], WHITE, 0.3);
      } else {
        // Discretized: each side of the middle of the colour scale in one colour (the decision).
        c = diverging(discrete ? (bytes[k] >= 128 ? 1 : 0) : bytes[k] / 255);
      }
      if (pale) c = mix(c, PAPER, pale);
      px[4 * k] = c[0];
      px[4 * k + 1] = c[1];
      px[4 * k + 2] = c[2];
      px[4 * k + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }

  function pointColour(label, labelRange, nClasses) {
    if (nClasses > 1) return CLASS_COLOURS[Math.round(label) % CLASS_COLOURS.length];
    const lo = labelRange[0];
    const hi = labelRange[1];
    const t = hi > lo ? (label - lo) / (hi - lo) : 0.5;
    return diverging(Math.min(1, Math.max(0, t)));
  }

  /* Size a canvas's backing store to its CSS size (sharp on high-density screens); returns [w, h] in CSS px. */
  function fitCanvas(canvas, cssHeight) {
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || canvas.width;
    const h = cssHeight || canvas.clientHeight || canvas.height;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return [w, h];
  }

  /* The output over the plane (paler) with the samples on top in full colour.
     Training samples have a white ring, test samples a dark one; `marked` (a training sample's
     index, or null) gets a highlight ring: the sample the diagram and step-through show. */
  function drawBoundary(canvas, ready, frame, showTest, marked, discrete) {
    const [size] = fitCanvas(canvas);
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, size, size);
    if (!ready.plane || !frame.maps) return;
    const b = frame.maps.boundary;
    const off = drawBoundary.scratch || (drawBoundary.scratch = document.createElement("canvas"));
    paintMap(off, b, b.kind, ready.n_classes, BACKGROUND_FADE, discrete);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, 0, 0, size, size);
    const d = ready.domain;
    const sx = (x) => ((x - d[0]) / (d[1] - d[0])) * size;
    const sy = (y) => ((d[3] - y) / (d[3] - d[2])) * size;
    const sets = [[ready.points.train, "#ffffff", 1.2]];
    if (showTest) sets.push([ready.points.test, "#1b1f23", 1.4]);
    for (const [points, ring, width] of sets) {
      for (const p of points) {
        ctx.beginPath();
        ctx.arc(sx(p[0]), sy(p[1]), 3.6, 0, 2 * Math.PI);
        ctx.fillStyle = rgb(pointColour(p[2], ready.label_range, ready.n_classes));
        ctx.fill();
        ctx.lineWidth = width;
        ctx.strokeStyle = ring;
        ctx.stroke();
      }
    }
    if (marked !== null && marked !== undefined && ready.points.train[marked]) {
      const p = ready.points.train[marked];
      ctx.beginPath();
      ctx.arc(sx(p[0]), sy(p[1]), 8, 0, 2 * Math.PI);
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = HIGHLIGHT;
      ctx.stroke();
    }
    drawPlaneAxes(ctx, size, d);
  }

  /* Axes inside the plot's edges: x1 along the bottom, x2 up the left side, ticks at round values. */
  function drawPlaneAxes(ctx, size, d) {
    ctx.save();
    ctx.font = "10px system-ui, sans-serif";
    ctx.fillStyle = "#1f2d3d";
    ctx.strokeStyle = "rgba(255, 255, 255, 0.85)";
    ctx.lineWidth = 3;
    const label = (text, x, y) => { ctx.strokeText(text, x, y); ctx.fillText(text, x, y); };
    const ticks = (lo, hi) => {
      const step = niceStep(hi - lo, 4);
      const list = [];
      for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) list.push(Math.abs(v) < 1e-12 ? 0 : v);
      return list;
    };
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    for (const v of ticks(d[0], d[1])) {
      const x = ((v - d[0]) / (d[1] - d[0])) * size;
      if (x < 14 || x > size - 24) continue;
      ctx.fillRect(x - 0.5, size - 4, 1, 4);
      label(tickLabel(v), x, size - 5);
    }
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    for (const v of ticks(d[2], d[3])) {
      const y = ((d[3] - v) / (d[3] - d[2])) * size;
      if (y < 12 || y > size - 20) continue;
      ctx.fillRect(0, y - 0.5, 4, 1);
      label(tickLabel(v), 6, y);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    label("x1", size - 4, size - 5);
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    label("x2", 6, 4);
    ctx.restore();
  }

  function niceStep(range, count) {
    const raw = range / Math.max(1, count);
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const unit = raw / power;
    return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
  }

  const SUPERSCRIPTS = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

  /* A number as a person writes it: "2,000", "0.003", "1.5×10⁻⁵"; never "1e+3". */
  function humanNumber(v, digits) {
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 1000) return Math.round(v).toLocaleString("en-US");
    if (a >= 0.001) return String(Number(v.toPrecision(digits)));
    const [mantissa, exponent] = v.toExponential(digits - 1).split("e");
    const power = String(Number(exponent)).replace(/[-0-9]/g, (c) => SUPERSCRIPTS[c]);
    return String(Number(mantissa)) + "×10" + power;
  }

  function tickLabel(v) {
    return humanNumber(v, 3);
  }

  const PINNED_COLOUR = "#7b3fa0"; // a pinned earlier run's training loss

  /* Loss curves: history is a list of {epoch, train, test}; axes in loss (y) and epochs (x); pinned
     (optional) is an earlier run's history, its training loss drawn beside the current run's. */
  function drawLossChart(canvas, history, pinned) {
    const both = pinned ? history.concat(pinned) : history;
    const [w, h] = fitCanvas(canvas);
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, w, h);
    ctx.font = "10px system-ui, sans-serif";
    let highest = 0;
    for (const row of both) {
      if (row.train !== null && row.train !== undefined) highest = Math.max(highest, row.train);
      if (row.test !== null && row.test !== undefined) highest = Math.max(highest, row.test);
    }
    if (!(highest > 0) || !isFinite(highest)) highest = 1;
    const yStep = niceStep(highest, 3);
    const yTicks = [];
    for (let k = 0; k * yStep <= highest + yStep - 1e-12 * highest && k < 12; k++) yTicks.push(k * yStep);
    const yTop = yTicks[yTicks.length - 1];
    const labelWidth = Math.max(...yTicks.map((v) => ctx.measureText(tickLabel(v)).width));
    const left = Math.ceil(labelWidth) + 9;
    const right = 8;
    const top = 8;
    const bottom = 20;
    const plotW = w - left - right;
    const plotH = h - top - bottom;
    const epochs = both.map((row) => row.epoch);
    const first = epochs.length ? Math.min(...epochs) : 0;
    const last = epochs.length ? Math.max(...epochs) : 1;
    const xSpan = last > first ? last - first : 1;
    const xStep = niceStep(xSpan, 4);
    const px = (epoch) => left + ((epoch - first) / xSpan) * plotW;
    const py = (v) => top + plotH - (v / yTop) * plotH;
    ctx.fillStyle = "#5f6b76";
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.strokeStyle = "#e3e7ea";
    for (const v of yTicks) {
      const y = Math.round(py(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + plotW, y);
      ctx.stroke();
      ctx.fillText(tickLabel(v), left - 5, y);
    }
    // The x axis: epochs, with room kept at its right end for its title.
    const title = "epoch";
    const titleWidth = ctx.measureText(title).width;
    ctx.textBaseline = "top";
    ctx.strokeStyle = "#9aa5af";
    for (let e = Math.ceil(first / xStep) * xStep; e <= last + 1e-9; e += xStep) {
      const x = Math.round(px(e)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, top + plotH);
      ctx.lineTo(x, top + plotH + 4);
      ctx.stroke();
      const text = tickLabel(e);
      const half = ctx.measureText(text).width / 2;
      if (x + half < left + plotW - titleWidth - 6) {
        ctx.textAlign = "center";
        ctx.fillText(text, Math.max(x, left + half), top + plotH + 6);
      }
    }
    ctx.textAlign = "right";
    ctx.fillText(title, left + plotW, top + plotH + 6);
    ctx.beginPath();
    ctx.moveTo(left + 0.5, top);
    ctx.lineTo(left + 0.5, top + plotH + 0.5);
    ctx.lineTo(left + plotW, top + plotH + 0.5);
    ctx.stroke();
    if (both.length < 1) return;
    const line = (key, colour, dash, rows) => {
      ctx.beginPath();
      ctx.setLineDash(dash);
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.8;
      let started = false;
      for (const row of rows || history) {
        const v = row[key];
        if (v === null || v === undefined) continue;
        const x = px(row.epoch);
        const y = py(v);
        if (started) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
        started = true;
      }
      ctx.stroke();
      ctx.setLineDash([]);
    };
    if (pinned) line("train", PINNED_COLOUR, [2, 2], pinned);
    line("test", "#8a939b", [4, 3]);
    line("train", "#1f2d3d", []);
  }

  function formatValue(v) {
    if (v === null || v === undefined) return "—";
    if (!isFinite(v)) return "diverged";
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e4)) return humanNumber(v, 3);
    return v.toFixed(3);
  }

  /* A loss: three significant digits, so a small regression loss reads 0.00138, not 0.001. */
  function formatLoss(v) {
    if (v === null || v === undefined || !isFinite(v) || Math.abs(v) >= 1) return formatValue(v);
    return humanNumber(v, 3);
  }

  /* A weight or bias on the diagram: three decimals, a real minus sign, "—" when not a number. */
  function formatParameter(v) {
    if (v === null || v === undefined || !isFinite(v)) return "—";
    const a = Math.abs(v);
    const text = a >= 1000 ? humanNumber(v, 3) : a >= 100 ? v.toFixed(1) : a >= 10 ? v.toFixed(2) : v.toFixed(3);
    return text.replace("-", "−");
  }

  /* The epoch counter: two decimals early on, when a frame is a fraction of an epoch, then whole epochs. */
  function formatEpoch(epoch) {
    return epoch < 10 && epoch % 1 !== 0 ? epoch.toFixed(2) : String(Math.floor(epoch));
  }

  function el(tag, attrs, parent) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const key in attrs) node.setAttribute(key, attrs[key]);
    if (parent) parent.appendChild(node);
    return node;
  }

  /* The network diagram: SVG connections and neurons, heat-map canvases over the neurons.
     Small networks (step-through size) also show their biases as nodes and every weight's value.
     onPick(name) is called when a connection or a bias is clicked. */
  /* A click, or a tap: Chromium's touch adjustment sends a tap's click on a thin SVG connection to the
     whole diagram, so a touch is taken at its pointerup (and the click that may follow is not taken twice). */
  let lastTouch = -Infinity; // no touch yet: a click in the first 600 ms after load counts too
  function onPress(element, action) {
    element.addEventListener("pointerup", (event) => {
      if (event.pointerType !== "touch") return;
      lastTouch = performance.now();
      action();
    });
    element.addEventListener("click", () => {
      if (performance.now() - lastTouch > 600) action();
    });
  }

  /* Enter or Space on a focused part of the diagram does what a click does. */
  function onActivate(element, action) {
    element.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      event.stopPropagation();
      action();
    });
  }

  function buildNetwork(container, ready, onPick) {
    container.textContent = "";
    const net = ready.network;
    const plane = ready.plane;
    container.style.width = ""; // the panel's width, measured afresh at every build
    const width = Math.max(container.clientWidth || 560, 320, window.StepgradLayout.minimumWidth(ready));
    container.style.width = width + "px"; // wider than its panel: the panel scrolls it sideways
    const svg = el("svg", { class: "net-svg", role: "group" }, container);
    svg.setAttribute("aria-label", "Network diagram " + net.sizes.join("-") + ": inputs " + net.inputs.join(", ")
      + "; each connection and bias is a button named by its weight and value (Enter opens its chain rule)");
    /* A weight label's widths in the page's font: its name with a usual value ("w5 −0.000"), the value alone. */
    const probe = el("text", {}, el("g", { class: "wlabel", visibility: "hidden" }, svg));
    const labelWidths = (name) => [name + " −0.000", "−0.000"].map((text) => {
      probe.textContent = text;
      const measured = probe.getComputedTextLength();
      return Math.ceil(measured > 0 ? measured : 6.2 * text.length) + 8;
    });
    const geometry = window.StepgradLayout.diagramGeometry(ready, width, labelWidths);
    probe.parentNode.remove();
    const node = geometry.node;
    const height = geometry.height;
    container.style.height = height + "px";
    for (const [key, value] of Object.entries({ width: width, height: height, viewBox: "0 0 " + width + " " + height })) {
      svg.setAttribute(key, value);
    }
    const edges = [];
    const nodes = {};
    const biases = [];
    const edgeLayer = el("g", {}, svg);
    const biasLayer = el("g", {}, svg);
    const labelLayer = el("g", {}, svg);
    const crowdedLayer = el("g", {}, svg);
    for (const spec of geometry.edges) {
      const name = spec.name;
      const path = el("path", { d: spec.d, class: "edge", "data-name": name }, edgeLayer);
      // Focusable: Tab reaches every connection, Enter (or Space) opens its chain rule; its name is its title.
      const hit = el("path", { d: spec.d, class: "edge-hit", "data-name": name, tabindex: "0", role: "button" }, edgeLayer);
      const title = el("title", {}, hit);
      onPress(hit, () => onPick && onPick(name));
      onActivate(hit, () => onPick && onPick(name));
      const edge = { path: path, title: title, layer: spec.layer, j: spec.j, i: spec.i, name: name, source: spec.source, target: spec.target };
      const at = spec.label;
      if (at) {
        // A label with no room (not placed) is shown only while its connection is pointed at or
        // highlighted; the connection's tooltip gives the value too.
        const kind = at.placed ? (at.short ? " short" : "") : " crowded";
        const g = el("g", { class: "wlabel" + kind, "data-name": name }, at.placed ? labelLayer : crowdedLayer);
        el("rect", { x: at.x - at.width / 2, y: at.y - at.height / 2, width: at.width, height: at.height, rx: 3 }, g);
        const text = el("text", { x: at.x, y: at.y + 3.5 }, g);
        if (!at.short) el("tspan", { class: "wname" }, text).textContent = name + " ";
        edge.valueSpan = el("tspan", {}, text);
        edge.label = g;
        edge.labelTitle = el("title", {}, g);
        onPress(g, () => onPick && onPick(name));
        if (!at.placed) {
          hit.addEventListener("mouseenter", () => g.classList.add("shown"));
          hit.addEventListener("mouseleave", () => g.classList.remove("shown"));
        }
      }
      edges.push(edge);
    }
    for (const spec of geometry.biases) {
      const trained = net.bias_trained[spec.layer];
      const g = el("g", { class: "bias-node" + (trained ? "" : " frozen"), "data-name": spec.name, tabindex: "0", role: "button" },
        biasLayer);
      for (const end of spec.ends) el("line", { x1: spec.x, y1: spec.y, x2: end[0], y2: end[1], class: "bias-edge" }, g);
      el("circle", { cx: spec.x, cy: spec.y, r: 10.5 }, g);
      const letter = el("text", { x: spec.x, y: spec.y + 3.5, class: "bias-name" }, g);
      letter.textContent = spec.name;
      const label = el("text", spec.side === "below"
        ? { x: spec.x, y: spec.y + 24, class: "bias-value", "text-anchor": "middle" }
        : { x: spec.x + 14, y: spec.y + 3.5, class: "bias-value", "text-anchor": "start" }, g);
      const title = el("title", {}, g);
      onPress(g, () => onPick && onPick(spec.name));
      onActivate(g, () => onPick && onPick(spec.name));
      biases.push({ group: g, label: label, title: title, name: spec.name, index: spec.index, layer: spec.layer, trained: trained });
    }

    const canvases = [];
    geometry.columns.forEach((column, l) => {
      column.forEach((n) => {
        const g = el("g", { class: "neuron", "data-name": n.name }, svg);
        if (plane) {
          el("rect", { x: n.x - node / 2, y: n.y - node / 2, width: node, height: node, rx: 4, class: "neuron-box" }, g);
        } else {
          el("circle", { cx: n.x, cy: n.y, r: node / 2, class: "neuron-box" }, g);
        }
        const label = el("text", { x: n.x, y: n.y + node / 2 + 13, class: "neuron-label" }, g);
        // An input of the plane is named by its feature (X1, sin X1, …), as Playground does.
        const feature = l === 0 && ready.input_labels ? ready.input_labels[n.index] : null;
        label.textContent = feature || n.name;
        if (feature) el("title", {}, g).textContent = n.name + " = " + feature;
        let value = null;
        if (!plane) {
          value = el("text", { x: n.x, y: n.y + 4, class: "neuron-value" }, g);
        }
        nodes[n.name] = { group: g, value: value, label: label, layer: l, index: n.index, title: feature || n.name };
        if (plane) {
          const canvas = document.createElement("canvas");
          canvas.className = "neuron-map";
          canvas.setAttribute("aria-hidden", "true"); // its neuron's values are in the diagram's text
          canvas.dataset.name = n.name;
          canvas.style.left = n.x - node / 2 + 1 + "px";
          canvas.style.top = n.y - node / 2 + 1 + "px";
          canvas.style.width = node - 2 + "px";
          canvas.style.height = node - 2 + "px";
          container.appendChild(canvas);
          canvases.push({ canvas: canvas, layer: l, index: n.index });
          if (l === 0 && ready.input_maps) paintMap(canvas, ready.input_maps[n.index], "value", 0);
        }
      });
    });
    // Labels above the neurons, so a label crossing a neuron's edge never hides the neuron.
    svg.appendChild(labelLayer);
    svg.appendChild(crowdedLayer);

    /* Draw a frame. showSample: on the plane, also write the chosen sample's value under each neuron
       (circles always show it); step-through uses it so the diagram shows the sample it explains. */
    function update(frame, showSample) {
      let biggest = 0;
      for (const e of edges) {
        const w = frame.weights[e.layer][e.j][e.i];
        if (w !== null) biggest = Math.max(biggest, Math.abs(w));
      }
      const scale = biggest > 3 ? 3 / biggest : 1;
      for (const e of edges) {
        const w = frame.weights[e.layer][e.j][e.i];
        const bad = w === null;
        e.path.setAttribute("stroke", bad ? "#9aa5af" : w >= 0 ? "#0877bd" : "#f59322");
        e.path.setAttribute("stroke-width", bad ? "1" : (0.6 + 2.4 * Math.abs(w) * scale).toFixed(2));
        e.title.textContent = e.name + " (" + e.source + " → " + e.target + ") = "
          + (bad ? "not a number" : humanNumber(w, 6)) + " · click for its chain rule";
        if (e.valueSpan) e.valueSpan.textContent = formatParameter(w);
        if (e.labelTitle) e.labelTitle.textContent = e.title.textContent;
      }
      for (const b of biases) {
        const v = frame.biases[b.layer][b.index];
        b.label.textContent = formatParameter(v) + (b.trained ? "" : " · frozen");
        b.title.textContent = b.name + " = " + (v === null ? "not a number" : humanNumber(v, 6))
          + (b.trained ? "" : ", frozen: updates leave it alone") + " · click for its gradient";
      }
      if (plane && frame.maps) {
        for (const c of canvases) {
          if (c.layer === 0) continue;
          paintMap(c.canvas, frame.maps.neurons[c.layer - 1][c.index], "value", 0);
        }
      }
      if (!plane && frame.values) {
        for (const name in nodes) {
          const n = nodes[name];
          n.value.textContent = formatValue(frame.values[n.layer][n.index]);
        }
      }
      if (plane) {
        for (const name in nodes) {
          const n = nodes[name];
          const shown = showSample && frame.values ? " = " + formatValue(frame.values[n.layer][n.index]) : "";
          n.label.textContent = n.title + shown;
        }
      }
    }

    function highlight(names) {
      const wanted = new Set(names || []);
      for (const e of edges) {
        e.path.classList.toggle("hl", wanted.has(e.name));
        if (e.label) e.label.classList.toggle("hl", wanted.has(e.name));
      }
      for (const b of biases) b.group.classList.toggle("hl", wanted.has(b.name));
      for (const name in nodes) nodes[name].group.classList.toggle("hl", wanted.has(name));
      svg.classList.toggle("dimmed", wanted.size > 0);
    }

    return { update: update, highlight: highlight, columnX: geometry.columnX };
  }

  /* The colour scale of the boundary and the heat-maps: the targets' range, low to high. */
  function drawLegend(box, ready) {
    box.textContent = "";
    if (!ready.plane) return;
    if (ready.n_classes > 2) { // one swatch per class, coloured as its region and its points
      for (let k = 0; k < ready.n_classes; k += 1) {
        const swatch = document.createElement("span");
        swatch.className = "class-swatch";
        swatch.style.background = rgb(CLASS_COLOURS[k % CLASS_COLOURS.length]);
        box.append(swatch, document.createTextNode("class " + k));
      }
      return;
    }
    const low = document.createElement("span");
    const bar = document.createElement("span");
    const high = document.createElement("span");
    const fmt = (v) => (Math.abs(v) >= 100 || v === Math.round(v) ? String(Math.round(v * 100) / 100) : v.toFixed(2));
    low.textContent = fmt(ready.label_range[0]);
    high.textContent = fmt(ready.label_range[1]);
    bar.className = "legend-bar";
    box.append(low, bar, high);
  }

  /* "= 0.4 − 0.5 · 0.0821 = 0.3589", without repeating a value that needs no arithmetic. */
  function withNumbers(step) {
    return step.substituted === step.value ? "= " + step.value : "= " + step.substituted + " = " + step.value;
  }

  /* A weight's chain rule (a "chain" message: the explain layer's steps) as list items in ``list``;
     returns the names the steps involve, for the diagram's highlight. */
  function drawChain(list, message) {
    list.textContent = "";
    const names = new Set();
    for (const step of message.steps) {
      const item = document.createElement("li");
      const head = document.createElement("div");
      head.className = "chain-result";
      head.textContent = step.name + " = " + step.value;
      const formula = document.createElement("div");
      formula.className = "step-formula";
      formula.textContent = step.formula;
      const numbers = document.createElement("div");
      numbers.className = "step-formula numbers";
      numbers.textContent = withNumbers(step);
      item.append(head, formula, numbers);
      list.appendChild(item);
      for (const n of step.involves) names.add(n);
    }
    return Array.from(names);
  }

  window.StepgradDraw = {
    withNumbers: withNumbers,
    drawChain: drawChain,
    humanNumber: humanNumber,
    drawLegend: drawLegend,
    paintMap: paintMap,
    drawBoundary: drawBoundary,
    drawLossChart: drawLossChart,
    buildNetwork: buildNetwork,
    formatValue: formatValue,
    formatLoss: formatLoss,
    formatEpoch: formatEpoch,
    BACKGROUND_FADE: BACKGROUND_FADE,
  };
})();
