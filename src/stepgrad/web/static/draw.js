/* stepgrad: drawing what the server sends. No math of the network lives here: every value,
   heat-map and derivation step is drawn as received. Shared by the live page and the replay page. */
"use strict";

(function () {
  const ORANGE = [245, 147, 34];
  const BLUE = [8, 119, 189];
  const WHITE = [232, 234, 235];
  const CLASS_COLOURS = [[245, 147, 34], [8, 119, 189], [44, 160, 44], [148, 103, 189], [214, 39, 40], [140, 86, 75]];
  const SVG_NS = "http://www.w3.org/2000/svg";

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

  /* Paint a heat-map into a canvas of its own size (CSS scales it smoothly). */
  function paintMap(canvas, map, kind, nClasses) {
    if (canvas.width !== map.cols || canvas.height !== map.rows) {
      canvas.width = map.cols;
      canvas.height = map.rows;
    }
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(map.cols, map.rows);
    const bytes = decodeMap(map);
    const px = image.data;
    for (let k = 0; k < bytes.length; k++) {
      let c;
      if (kind === "class") {
        const index = Math.round((bytes[k] / 255) * Math.max(1, nClasses - 1));
        c = mix(CLASS_COLOURS[index % CLASS_COLOURS.length], WHITE, 0.55);
      } else {
        c = diverging(bytes[k] / 255);
      }
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

  /* The output over the plane with the samples on top (test samples with a dark ring). */
  function drawBoundary(canvas, ready, frame, showTest) {
    const ctx = canvas.getContext("2d");
    const size = canvas.width;
    ctx.clearRect(0, 0, size, size);
    if (!ready.plane || !frame.maps) return;
    const b = frame.maps.boundary;
    const off = drawBoundary.scratch || (drawBoundary.scratch = document.createElement("canvas"));
    paintMap(off, b, b.kind, ready.n_classes);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, 0, 0, size, size);
    const d = ready.domain;
    const sx = (x) => ((x - d[0]) / (d[1] - d[0])) * size;
    const sy = (y) => ((d[3] - y) / (d[3] - d[2])) * size;
    const sets = [[ready.points.train, "#ffffff"]];
    if (showTest) sets.push([ready.points.test, "#222222"]);
    for (const [points, ring] of sets) {
      for (const p of points) {
        ctx.beginPath();
        ctx.arc(sx(p[0]), sy(p[1]), 3.2, 0, 2 * Math.PI);
        ctx.fillStyle = rgb(pointColour(p[2], ready.label_range, ready.n_classes));
        ctx.fill();
        ctx.lineWidth = 1;
        ctx.strokeStyle = ring;
        ctx.stroke();
      }
    }
  }

  /* Loss curves: history is a list of {epoch, train, test}. */
  function drawLossChart(canvas, history) {
    const ctx = canvas.getContext("2d");
    const w = canvas.width;
    const h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = "#d9dde1";
    ctx.lineWidth = 1;
    for (let k = 1; k < 4; k++) {
      ctx.beginPath();
      ctx.moveTo(0, (h * k) / 4 + 0.5);
      ctx.lineTo(w, (h * k) / 4 + 0.5);
      ctx.stroke();
    }
    if (history.length < 1) return;
    let top = 0;
    for (const row of history) {
      if (row.train !== null) top = Math.max(top, row.train);
      if (row.test !== null) top = Math.max(top, row.test);
    }
    if (!(top > 0)) top = 1;
    const n = Math.max(2, history.length);
    const line = (key, colour, dash) => {
      ctx.beginPath();
      ctx.setLineDash(dash);
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      let started = false;
      history.forEach((row, k) => {
        const v = row[key];
        if (v === null || v === undefined) return;
        const x = (k / (n - 1)) * (w - 4) + 2;
        const y = h - 2 - (v / top) * (h - 6);
        if (started) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
        started = true;
      });
      ctx.stroke();
      ctx.setLineDash([]);
    };
    line("test", "#8a939b", [4, 3]);
    line("train", "#1f2d3d", []);
  }

  function formatValue(v) {
    if (v === null || v === undefined) return "—";
    if (!isFinite(v)) return "diverged";
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(2);
    return v.toFixed(3);
  }

  function el(tag, attrs, parent) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const key in attrs) node.setAttribute(key, attrs[key]);
    if (parent) parent.appendChild(node);
    return node;
  }

  /* The network diagram: SVG connections and neurons, heat-map canvases over the neurons.
     onWeight(name) is called when a connection is clicked. */
  function buildNetwork(container, ready, onWeight) {
    container.textContent = "";
    const net = ready.network;
    const sizes = net.sizes;
    const plane = ready.plane;
    const node = plane ? 42 : 46;
    const gapY = plane ? 66 : 78;
    const width = Math.max(container.clientWidth || 560, 320);
    const height = Math.max(...sizes) * gapY + 36;
    const pad = 46;
    const columns = sizes.map((count, l) => {
      const x = sizes.length === 1 ? width / 2 : pad + (l * (width - 2 * pad)) / (sizes.length - 1);
      const top = (height - count * gapY) / 2 + gapY / 2;
      const names = l === 0 ? net.inputs : net.neurons[l - 1];
      return names.map((name, j) => ({ name: name, x: x, y: top + j * gapY, layer: l, index: j }));
    });
    container.style.height = height + "px";
    const svg = el("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, class: "net-svg" }, container);
    const edges = [];
    const nodes = {};
    const edgeLayer = el("g", {}, svg);
    for (let l = 1; l < columns.length; l++) {
      columns[l].forEach((target, j) => {
        columns[l - 1].forEach((source, i) => {
          const x1 = source.x + node / 2;
          const x2 = target.x - node / 2;
          const mid = (x1 + x2) / 2;
          const d = "M" + x1 + "," + source.y + " C" + mid + "," + source.y + " " + mid + "," + target.y + " " + x2 + "," + target.y;
          const name = net.weights[l - 1][j][i];
          const path = el("path", { d: d, class: "edge", "data-name": name }, edgeLayer);
          const hit = el("path", { d: d, class: "edge-hit", "data-name": name }, edgeLayer);
          const title = el("title", {}, hit);
          hit.addEventListener("click", () => onWeight && onWeight(name));
          edges.push({ path: path, title: title, layer: l - 1, j: j, i: i, name: name, source: source.name, target: target.name });
        });
      });
    }
    const canvases = [];
    columns.forEach((column, l) => {
      column.forEach((n) => {
        const g = el("g", { class: "neuron", "data-name": n.name }, svg);
        if (plane) {
          el("rect", { x: n.x - node / 2, y: n.y - node / 2, width: node, height: node, rx: 4, class: "neuron-box" }, g);
        } else {
          el("circle", { cx: n.x, cy: n.y, r: node / 2, class: "neuron-box" }, g);
        }
        const label = el("text", { x: n.x, y: n.y + node / 2 + 12, class: "neuron-label" }, g);
        label.textContent = n.name;
        let value = null;
        if (!plane) {
          value = el("text", { x: n.x, y: n.y + 4, class: "neuron-value" }, g);
        }
        nodes[n.name] = { group: g, value: value, layer: l, index: n.index };
        if (plane) {
          const canvas = document.createElement("canvas");
          canvas.className = "neuron-map";
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

    function update(frame) {
      let biggest = 0;
      for (const e of edges) biggest = Math.max(biggest, Math.abs(frame.weights[e.layer][e.j][e.i]));
      const scale = biggest > 3 ? 3 / biggest : 1;
      for (const e of edges) {
        const w = frame.weights[e.layer][e.j][e.i];
        e.path.setAttribute("stroke", w >= 0 ? "#0877bd" : "#f59322");
        e.path.setAttribute("stroke-width", (0.6 + 2.4 * Math.abs(w) * scale).toFixed(2));
        e.title.textContent = e.name + " (" + e.source + " → " + e.target + ") = " + w.toPrecision(6) + " · click for its chain rule";
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
          if (!n.value) continue;
          n.value.textContent = formatValue(frame.values[n.layer][n.index]);
        }
      }
    }

    function highlight(names) {
      const wanted = new Set(names || []);
      for (const e of edges) e.path.classList.toggle("hl", wanted.has(e.name));
      for (const name in nodes) nodes[name].group.classList.toggle("hl", wanted.has(name));
      svg.classList.toggle("dimmed", wanted.size > 0);
    }

    return { update: update, highlight: highlight };
  }

  /* The colour scale of the boundary and the heat-maps: the targets' range, low to high. */
  function drawLegend(box, ready) {
    box.textContent = "";
    if (!ready.plane) return;
    const low = document.createElement("span");
    const bar = document.createElement("span");
    const high = document.createElement("span");
    const fmt = (v) => (Math.abs(v) >= 100 || v === Math.round(v) ? String(Math.round(v * 100) / 100) : v.toFixed(2));
    low.textContent = fmt(ready.label_range[0]);
    high.textContent = fmt(ready.label_range[1]);
    bar.className = "legend-bar";
    box.append(low, bar, high);
  }

  window.StepgradDraw = {
    drawLegend: drawLegend,
    paintMap: paintMap,
    drawBoundary: drawBoundary,
    drawLossChart: drawLossChart,
    buildNetwork: buildNetwork,
    formatValue: formatValue,
  };
})();
