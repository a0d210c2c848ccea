/* stepgrad: where the network diagram's pieces go. Columns of neurons, bias nodes, connections and
   weight labels that do not overlap: geometry only, no drawing and no values. Shared by the live
   page and the replay page (draw.js builds the SVG from it). */
"use strict";

(function () {
  // Where along a connection (from its source, 0 to 1) a weight label may sit.
  const LABEL_STOPS = Array.from({ length: 45 }, (_, k) => 0.06 + 0.02 * k);
  const LABEL_GAP = 1.5; // px kept free around a label
  const LABEL_HEIGHT = 16;
  // Small diagrams whose labels do not all fit are drawn this much taller, at most: more room
  // between the rows of neurons spreads the connections, and their labels, apart.
  const STRETCHES = [1, 1.2, 1.4];

  /* A point of the cubic Bézier p0 → p3 with control points p1, p2 at t. */
  function bezier(p0, p1, p2, p3, t) {
    const u = 1 - t;
    const a = u * u * u;
    const b = 3 * u * u * t;
    const c = 3 * u * t * t;
    const d = t * t * t;
    return [a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]];
  }

  /* Whether boxes [left, top, right, bottom] a and b overlap. */
  function overlaps(a, b) {
    return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  }

  function boundsOf(boxes) {
    return boxes.reduce((r, b) => [Math.min(r[0], b[0]), Math.min(r[1], b[1]), Math.max(r[2], b[2]), Math.max(r[3], b[3])],
      [Infinity, Infinity, -Infinity, -Infinity]);
  }

  /* Weight labels without overlaps: each label sits centred on its own connection, at a point free
     of the neurons, the biases and the labels placed before it. The label with the fewest free points
     is placed first, at the free point that takes the least room from the labels still to place and
     is nearest its preferred point along the connection. Labels with no free point left get a second
     chance in their short form (the value alone); a label with no room even then is not placed (null).
     items: {points: [[x, y], ...] at LABEL_STOPS, prefer: t, widths: [full, short]}; occupied: boxes
     (placed labels are added). Returns {x, y, short} or null per item. */
  function placeLabels(items, occupied) {
    const spots = items.map(() => null);
    for (const short of [false, true]) {
      const left = new Set();
      items.forEach((_, k) => { if (!spots[k]) left.add(k); });
      const free = items.map((item) => {
        const half = item.widths[short ? 1 : 0] / 2 + LABEL_GAP;
        const top = LABEL_HEIGHT / 2 + LABEL_GAP;
        return item.points.map((p, k) => ({
          x: p[0], y: p[1], prefer: Math.abs(LABEL_STOPS[k] - item.prefer),
          box: [p[0] - half, p[1] - top, p[0] + half, p[1] + top],
        })).filter((c) => !occupied.some((other) => overlaps(c.box, other)));
      });
      const reaches = free.map((list) => boundsOf(list.map((c) => c.box)));
      /* What a label at box costs the labels still to place: the share of each one's free points
         it takes, and much more for taking a label's last ones. */
      const loss = (box) => {
        let total = 0;
        for (const k of left) {
          if (!overlaps(box, reaches[k])) continue;
          const taken = free[k].filter((c) => overlaps(c.box, box)).length;
          total += taken === free[k].length ? 10 : taken / free[k].length;
        }
        return total;
      };
      while (left.size) {
        let pick = -1;
        for (const k of left) if (pick < 0 || free[k].length < free[pick].length) pick = k;
        left.delete(pick);
        if (!free[pick].length) continue;
        let best = null;
        let bestCost = Infinity;
        for (const c of free[pick]) {
          const cost = c.prefer + loss(c.box);
          if (cost < bestCost) {
            best = c;
            bestCost = cost;
          }
        }
        spots[pick] = { x: best.x, y: best.y, short: short };
        occupied.push(best.box);
        for (const k of left) {
          if (!overlaps(best.box, reaches[k])) continue;
          free[k] = free[k].filter((c) => !overlaps(c.box, best.box));
          reaches[k] = boundsOf(free[k].map((c) => c.box));
        }
      }
    }
    return spots;
  }

  /* The diagram's geometry at one row spacing (stretch × the usual one).
     labelWidths(name) gives a weight label's [full, short] widths in px (small networks only). */
  function geometryAt(ready, width, stretch, labelWidths) {
    const net = ready.network;
    const sizes = net.sizes;
    const plane = ready.plane;
    const detailed = !!ready.step_through;
    const node = plane ? 42 : 46;
    const usualGapY = detailed ? (plane ? 100 : 104) : plane ? 66 : 78;
    const gapY = Math.round(stretch * usualGapY); // between the centres of two neurons of a layer
    const rows = Math.max(...sizes);
    const hasShared = detailed && net.bias_modes.some((mode) => mode === "shared");
    const hasPerNeuron = detailed && net.bias_modes.some((mode) => mode === "per_neuron");
    const bottomRow = hasShared ? 64 : 0;
    const topRoom = hasPerNeuron ? 22 : 0;
    // The room above the first row and below the last stays the usual one when the rows move apart.
    const height = topRoom + 36 + usualGapY + (rows - 1) * gapY + bottomRow;
    const padLeft = 46;
    const padRight = hasPerNeuron ? 100 : 46; // room for the output neurons' bias values
    const columnX = sizes.map((_, l) =>
      sizes.length === 1 ? width / 2 : padLeft + (l * (width - padLeft - padRight)) / (sizes.length - 1));
    const columns = sizes.map((count, l) => {
      const top = topRoom + 18 + usualGapY / 2 + ((rows - count) * gapY) / 2;
      const names = l === 0 ? net.inputs : net.neurons[l - 1];
      return names.map((name, j) => ({ name: name, x: columnX[l], y: top + j * gapY, layer: l, index: j }));
    });
    const occupied = [];
    for (const column of columns) {
      for (const n of column) {
        occupied.push([n.x - node / 2 - 2, n.y - node / 2 - 2, n.x + node / 2 + 2, n.y + node / 2 + 2]);
        // Its name (and, on the plane, the chosen sample's value) is written under it.
        occupied.push([n.x - 34, n.y + node / 2, n.x + 34, n.y + node / 2 + 18]);
      }
    }
    // Biases first (small networks): their nodes and values claim their place before the weight labels.
    const biases = [];
    if (detailed) {
      net.bias_modes.forEach((mode, l) => {
        const targets = columns[l + 1];
        if (mode === "shared") {
          const bx = columnX[l] + (columnX[l + 1] - columnX[l]) * 0.32;
          const by = height - 34;
          biases.push({ name: net.biases[l][0], index: 0, layer: l, x: bx, y: by, side: "below",
            ends: targets.map((t) => [t.x - node / 2, t.y]) });
          occupied.push([bx - 40, by - 12, bx + 40, by + 26]);
        } else if (mode === "per_neuron") {
          targets.forEach((t, j) => {
            const by = t.y - node / 2 - 15;
            biases.push({ name: net.biases[l][j], index: j, layer: l, x: t.x, y: by, side: "right",
              ends: [[t.x, t.y - node / 2]] });
            occupied.push([t.x - 12, by - 11, t.x + 62, by + 11]);
          });
        }
      });
    }
    const edges = [];
    const items = [];
    for (let l = 1; l < columns.length; l++) {
      columns[l].forEach((target, j) => {
        columns[l - 1].forEach((source, i) => {
          const p0 = [source.x + node / 2, source.y];
          const p3 = [target.x - node / 2, target.y];
          const mid = (p0[0] + p3[0]) / 2;
          const edge = { name: net.weights[l - 1][j][i], layer: l - 1, j: j, i: i, source: source.name, target: target.name,
            d: "M" + p0 + " C" + mid + "," + p0[1] + " " + mid + "," + p3[1] + " " + p3, label: null };
          if (detailed) {
            const points = LABEL_STOPS.map((t) => bezier(p0, [mid, p0[1]], [mid, p3[1]], p3, t));
            // Labels into one neuron would meet where their connections meet it; preferring a point
            // that moves with the target neuron staggers a layer's labels along the connections.
            const prefer = 0.5 + 0.3 * ((j + 0.5) / columns[l].length - 0.5);
            const widths = labelWidths(edge.name);
            items.push({ edge: edge, points: points, prefer: prefer, widths: widths });
            const middle = points[Math.floor(points.length / 2)];
            // Where it goes: a free spot, or (shown only on demand) its connection's middle.
            edge.label = { x: middle[0], y: middle[1], width: widths[0], height: LABEL_HEIGHT, short: false, placed: false };
          }
          edges.push(edge);
        });
      });
    }
    const spots = placeLabels(items, occupied);
    let placed = 0;
    let full = 0;
    items.forEach((item, k) => {
      const spot = spots[k];
      if (!spot) return;
      Object.assign(item.edge.label, { x: spot.x, y: spot.y, short: spot.short, placed: true,
        width: item.widths[spot.short ? 1 : 0] });
      placed += 1;
      if (!spot.short) full += 1;
    });
    return { node: node, height: height, columnX: columnX, columns: columns, biases: biases, edges: edges,
      labels: { count: items.length, placed: placed, full: full } };
  }

  const MIN_COLUMN_GAP = 88; // px between two columns of neurons: a layer's +/− group (76 px) and a gap

  /* The narrowest the diagram is drawn: its columns far enough apart for their names and their
     +/− groups never to touch. A narrower panel scrolls the diagram sideways. */
  function minimumWidth(ready) {
    const hasPerNeuron = !!ready.step_through && ready.network.bias_modes.some((mode) => mode === "per_neuron");
    return 46 + (hasPerNeuron ? 100 : 46) + (ready.network.sizes.length - 1) * MIN_COLUMN_GAP;
  }

  /* The diagram's geometry for a container `width` px wide: the usual row spacing, or the least
     taller one that finds every weight label a place (else the one that places the most). */
  function diagramGeometry(ready, width, labelWidths) {
    let chosen = null;
    for (const stretch of ready.step_through ? STRETCHES : [1]) {
      const geometry = geometryAt(ready, width, stretch, labelWidths);
      const better = !chosen || geometry.labels.placed > chosen.labels.placed
        || (geometry.labels.placed === chosen.labels.placed && geometry.labels.full > chosen.labels.full);
      if (better) chosen = geometry;
      if (chosen.labels.placed === chosen.labels.count) break;
    }
    return chosen;
  }

  window.StepgradLayout = { diagramGeometry: diagramGeometry, placeLabels: placeLabels, minimumWidth: minimumWidth };
})();
