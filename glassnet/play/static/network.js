// The network drawing: input features, hidden layers and outputs as small heatmaps,
// weights as edges whose colour is the sign and whose thickness is the size.

import {css, diverging, classColor, fmt, paintGrid} from "./colors.js";

let NODE = 34;            // a neuron's picture, in pixels (smaller for tall layers)
let GAP = 8;              // vertical space between two neurons
const MAX_EDGES = 1500;   // more weights than this are not drawn one by one
const TOP = 62;           // room for the layer headers
const SVG_NS = "http://www.w3.org/2000/svg";

function el(tag, cls, parent, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function svg(tag, attrs, parent) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  parent.appendChild(e);
  return e;
}

export function edgeWidth(w) {
  return 0.6 + 4.4 * Math.min(1, Math.abs(w) / 2);
}

export class NetworkView {
  /**
   * @param {HTMLElement} root  the container (position: relative)
   * @param {object} on  callbacks: hoverNeuron(layer, unit), hoverFeature(name), leave(),
   *   toggleFeature(name), editWeight({layer, unit, source, value, x, y}),
   *   addNeuron(layer, delta), setActivation(layer, name), hoverEdge(text, x, y)
   */
  constructor(root, on, activations) {
    this.root = root;
    this.on = on;
    this.activations = activations;
    this.key = null;
    this.showNumbers = false;
  }

  /** Draw the network for a state; rebuilds the elements only when the shape changed. */
  render(state) {
    const key = JSON.stringify([state.layer_sizes, state.config.features, state.activations,
                                this.root.clientWidth, this.showNumbers, state.config.big]);
    if (key !== this.key) {
      this.key = key;
      this.build(state);
    }
    this.update(state);
  }

  columnX(c, nColumns) {
    const width = this.root.clientWidth;
    const left = 58, right = width - NODE - 12;
    return left + (right - left) * c / (nColumns - 1);
  }

  nodeY(k, n, height) {
    const total = n * NODE + (n - 1) * GAP;
    return TOP + Math.max(0, (height - TOP - total) / 2) + k * (NODE + GAP);
  }

  build(state) {
    const root = this.root;
    root.replaceChildren();
    const sizes = state.layer_sizes;
    const nColumns = sizes.length + 0;       // features, hidden layers, output
    const allFeatures = state.features;
    const chosen = state.config.features;
    const tallest = Math.max(allFeatures.length, ...sizes.slice(1));
    const step = tallest <= 10 ? 42 : 420 / tallest;    // lifted limits: up to 64 neurons in a column
    NODE = tallest <= 10 ? 34 : Math.max(4, Math.round(step * 0.8));
    GAP = step - NODE;
    root.style.setProperty("--node", `${NODE}px`);
    root.classList.toggle("tiny", NODE < 14);
    const height = Math.max(TOP + tallest * (NODE + GAP) + 4, 300);
    root.style.height = `${height}px`;
    this.svg = svg("svg", {class: "edges", width: root.clientWidth, height}, root);
    // Positions of every node: column 0 holds all features (the chosen ones are inputs).
    const columns = [allFeatures.map((f, k) => ({x: this.columnX(0, nColumns), y: this.nodeY(k, allFeatures.length, height), feature: f.name}))];
    for (let c = 1; c < sizes.length; c++) {
      const col = [];
      for (let k = 0; k < sizes[c]; k++) col.push({x: this.columnX(c, nColumns), y: this.nodeY(k, sizes[c], height)});
      columns.push(col);
    }
    this.columns = columns;
    const inputs = chosen.map(name => columns[0].find(n => n.feature === name));
    this.edges = [];
    const lines = [];
    for (let l = 0; l < sizes.length - 1; l++) {
      const from = l === 0 ? inputs : columns[l];
      for (let i = 0; i < from.length; i++) {
        for (let j = 0; j < sizes[l + 1]; j++) lines.push([l, i, j, from[i], columns[l + 1][j]]);
      }
    }
    const labels = this.showNumbers && lines.length <= 60;
    if (lines.length > MAX_EDGES) {
      el("div", "net-note top-note", root, `${lines.length.toLocaleString("en-US")} weights: too many to draw one by one.`);
      lines.length = 0;
    } else if (this.showNumbers && !labels) {
      el("div", "net-note top-note", root, "Too many weights to print them all: hover an edge for its value.");
    }
    for (const [l, i, j, a, b] of lines) {
      const x1 = a.x + NODE, y1 = a.y + NODE / 2, x2 = b.x, y2 = b.y + NODE / 2;
      const mx = (x1 + x2) / 2;
      const d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
      const path = svg("path", {d, class: "edge", fill: "none"}, this.svg);
      const hit = svg("path", {d, class: "edge-hit", fill: "none", "data-layer": l, "data-source": i, "data-unit": j}, this.svg);
      const label = labels ? svg("text", {x: mx, y: (y1 + y2) / 2 - 2, class: "edge-label"}, this.svg) : null;
      this.edges.push({l, i, j, path, hit, label});
      hit.addEventListener("mousemove", e => this.on.hoverEdge(this.edgeText(l, i, j), e.clientX, e.clientY));
      hit.addEventListener("mouseleave", () => this.on.hoverEdge(null));
      hit.addEventListener("click", e => this.on.editWeight({layer: l, unit: j, source: i,
        value: this.weights[l].W[i][j], x: e.clientX, y: e.clientY, what: this.edgeName(l, i, j)}));
    }
    this.nodes = [];
    this.buildFeatures(columns[0], chosen, state);
    for (let c = 1; c < sizes.length; c++) this.buildLayer(c, columns[c], state);
    if (state.config.big && sizes.slice(1, -1).reduce((a, b) => a + b, 0) > 64) {
      el("div", "net-note", root, "Large network: neuron pictures are left out.");
    }
  }

  buildFeatures(column, chosen, state) {
    const head = el("div", "layer-head", this.root);
    head.style.left = `${column[0].x - 30}px`;
    head.style.width = `${NODE + 60}px`;
    el("div", "layer-title", head, "Features");
    el("div", "layer-sub", head, "click to use");
    for (const node of column) {
      const f = state.features.find(g => g.name === node.feature);
      const box = el("div", "node feature" + (chosen.includes(f.name) ? " on" : ""), this.root);
      box.dataset.feature = f.name;
      box.style.left = `${node.x}px`;
      box.style.top = `${node.y}px`;
      const canvas = el("canvas", "", box);
      canvas.width = canvas.height = NODE - 2;
      const pic = state.feature_pictures[f.name];
      paintGrid(canvas, state.thumb, k => diverging(pic[k]));
      const label = el("div", "feature-label", this.root, f.label);
      label.style.left = `${node.x - 52}px`;
      label.style.top = `${node.y + NODE / 2 - 9}px`;
      box.addEventListener("click", () => this.on.toggleFeature(f.name));
      box.addEventListener("mouseenter", () => this.on.hoverFeature(f.name));
      box.addEventListener("mouseleave", () => this.on.leave());
    }
  }

  buildLayer(c, column, state) {
    const sizes = state.layer_sizes;
    const output = c === sizes.length - 1;
    const head = el("div", "layer-head", this.root);
    head.style.left = `${column[0].x - 34}px`;
    head.style.width = `${NODE + 68}px`;
    if (output) {
      el("div", "layer-title", head, "Output");
      el("div", "layer-sub", head, state.activations[c - 1]);
    } else {
      const buttons = el("div", "plusminus", head);
      const plus = el("button", "round", buttons, "+");
      const minus = el("button", "round", buttons, "−");
      plus.title = "Add a neuron";
      minus.title = "Remove a neuron";
      plus.dataset.layer = minus.dataset.layer = c - 1;
      plus.classList.add("add-neuron");
      minus.classList.add("remove-neuron");
      plus.addEventListener("click", () => this.on.addNeuron(c - 1, +1));
      minus.addEventListener("click", () => this.on.addNeuron(c - 1, -1));
      el("div", "layer-sub", head, `${sizes[c]} neuron${sizes[c] > 1 ? "s" : ""}`);
      const select = el("select", "layer-activation", head);
      select.title = "Activation of this layer";
      for (const name of this.activations) {
        const option = el("option", "", select, name);
        option.value = name;
      }
      select.value = state.config.activations[c - 1];
      select.addEventListener("change", () => this.on.setActivation(c - 1, select.value));
    }
    column.forEach((node, k) => {
      const box = el("div", "node" + (output ? " output-node" : ""), this.root);
      box.dataset.layer = c - 1;
      box.dataset.unit = k;
      box.style.left = `${node.x}px`;
      box.style.top = `${node.y}px`;
      const canvas = el("canvas", "", box);
      canvas.width = canvas.height = NODE - 2;
      const bias = el("div", "bias", box);
      bias.title = "bias";
      bias.addEventListener("click", e => {
        e.stopPropagation();
        this.on.editWeight({layer: c - 1, unit: k, source: null, value: this.weights[c - 1].b[k],
          x: e.clientX, y: e.clientY, what: `the bias of ${this.unitName(c - 1, k)}`});
      });
      bias.addEventListener("mousemove", e => this.on.hoverEdge(
        `b = ${fmt(this.weights[c - 1].b[k], 4)}: the bias of ${this.unitName(c - 1, k)} (click to edit)`, e.clientX, e.clientY));
      bias.addEventListener("mouseleave", () => this.on.hoverEdge(null));
      box.addEventListener("mouseenter", () => this.on.hoverNeuron(c - 1, k));
      box.addEventListener("mouseleave", () => this.on.leave());
      this.nodes.push({layer: c - 1, unit: k, canvas, bias});
    });
  }

  unitName(l, j) {
    return l === this.weights.length - 1 ? `output neuron ${j + 1}` : `neuron ${j + 1} of hidden layer ${l + 1}`;
  }

  edgeName(l, i, j) {
    const from = l === 0 ? this.inputLabels[i] : `neuron ${i + 1} of hidden layer ${l}`;
    return `the weight from ${from} to ${this.unitName(l, j)}`;
  }

  edgeText(l, i, j) {
    return `w = ${fmt(this.weights[l].W[i][j], 4)}: ${this.edgeName(l, i, j)} (click to edit)`;
  }

  /** New weights and pictures, on the elements already there. */
  update(state) {
    this.weights = state.weights;
    this.inputLabels = state.config.features.map(n => state.features.find(f => f.name === n).label);
    for (const e of this.edges) {
      const w = state.weights[e.l].W[e.i][e.j];
      e.path.setAttribute("stroke", css(diverging(w)));
      e.path.setAttribute("stroke-width", edgeWidth(w).toFixed(2));
      e.hit.dataset.value = w;
      if (e.label) e.label.textContent = fmt(w, 2);
    }
    const last = state.layer_sizes.length - 2;
    for (const node of this.nodes) {
      node.bias.style.background = css(diverging(state.weights[node.layer].b[node.unit]));
      if (node.layer === last) {
        paintOutputThumb(node.canvas, state, node.unit);
      } else if (state.neurons) {
        const pic = state.neurons[node.layer][node.unit];
        paintGrid(node.canvas, state.thumb, k => diverging(pic[k]));
      } else {
        const ctx = node.canvas.getContext("2d");
        ctx.fillStyle = "#eceff3";
        ctx.fillRect(0, 0, NODE - 2, NODE - 2);
      }
    }
  }
}

/** The output neuron's picture: its share of the output heatmap. */
function paintOutputThumb(canvas, state, unit) {
  const out = state.output;
  if (out.value) paintGrid(canvas, state.grid, k => diverging(out.value[k]));
  else paintGrid(canvas, state.grid, k => (out.class[k] === unit ? classColor(unit, out.p[k], state.n_classes) : [250, 250, 250]));
}
