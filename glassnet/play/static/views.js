// The output heatmap with its points, the loss curve, and the two views of the
// mathematics: the neuron view (a neuron's formula with its numbers) and the step view
// (one traced step of gradient descent, as `glassnet trace` prints it).

import {CLASS_COLORS, classColor, css, diverging, fmt, paintGrid} from "./colors.js";

// ------------------------------------------------------------------ the output plot

export class OutputPlot {
  constructor(canvas, onSelect, onHover) {
    this.canvas = canvas;
    this.state = null;
    this.selected = null;
    this.showTest = false;
    this.discretize = false;
    canvas.addEventListener("click", e => onSelect(this.pointAt(e)));
    canvas.addEventListener("mousemove", e => onHover(this.planeAt(e)));
  }

  toPixel([x1, x2]) {
    const d = this.state.domain, W = this.canvas.width, H = this.canvas.height;
    return [(x1 + d) / (2 * d) * W, (d - x2) / (2 * d) * H];
  }

  planeAt(e) {
    const r = this.canvas.getBoundingClientRect();
    const d = this.state.domain;
    return [((e.clientX - r.left) / r.width) * 2 * d - d, d - ((e.clientY - r.top) / r.height) * 2 * d];
  }

  /** The index of the training point under the mouse (within 8 pixels), or null. */
  pointAt(e) {
    const r = this.canvas.getBoundingClientRect();
    const scale = this.canvas.width / r.width;
    const px = (e.clientX - r.left) * scale, py = (e.clientY - r.top) * scale;
    let best = null, bestDistance = 8 * scale;
    this.state.points.train.forEach((p, k) => {
      const [x, y] = this.toPixel(p);
      const distance = Math.hypot(x - px, y - py);
      if (distance < bestDistance) [best, bestDistance] = [k, distance];
    });
    return best;
  }

  pointColor(label) {
    const s = this.state;
    if (s.config.problem === "regression") return css(diverging(label));
    if (s.config.problem === "multiclass") return CLASS_COLORS[label % CLASS_COLORS.length];
    return css(diverging(label === 1 ? 1 : -1));
  }

  draw(state) {
    this.state = state;
    const out = state.output;
    const snap = v => (this.discretize ? (v > 0 ? 1 : v < 0 ? -1 : 0) : v);
    // The background is a lighter version of the scale, so the points stand out on it.
    const light = c => c.map(v => Math.round(255 + 0.62 * (v - 255)));
    if (out.value) paintGrid(this.canvas, state.grid, k => light(diverging(snap(out.value[k]))));
    else paintGrid(this.canvas, state.grid, k => light(classColor(out.class[k], this.discretize ? 1 : out.p[k], state.n_classes)));
    const ctx = this.canvas.getContext("2d");
    const dot = (p, test) => {
      const [x, y] = this.toPixel(p);
      ctx.beginPath();
      ctx.arc(x, y, 4.2, 0, 2 * Math.PI);
      ctx.fillStyle = this.pointColor(p[2]);
      ctx.fill();
      ctx.lineWidth = test ? 1.6 : 1;
      ctx.strokeStyle = test ? "#111" : "#fff";
      ctx.stroke();
    };
    state.points.train.forEach(p => dot(p, false));
    if (this.showTest) state.points.test.forEach(p => dot(p, true));
    if (this.selected !== null && state.points.train[this.selected]) {
      const [x, y] = this.toPixel(state.points.train[this.selected]);
      ctx.lineWidth = 3;
      ctx.strokeStyle = "#111";
      ctx.beginPath();
      ctx.arc(x, y, 9, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }
}

// ------------------------------------------------------------------ the loss curve

export function drawCurve(canvas, curve) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  ctx.font = "11px system-ui, sans-serif";
  const values = [...curve.train, ...curve.test].filter(v => v !== null && v > 0);
  if (curve.epoch.length < 2 || !values.length) {
    ctx.fillStyle = "#8a94a3";
    ctx.fillText("the loss curve appears as the network trains", 6, H / 2 + 4);
    return;
  }
  // A loss that falls over several decades is drawn on a log scale, as learning curves are.
  const hi = Math.max(...values), lo = Math.min(...values);
  const log = hi / lo > 100;
  const y = v => {
    const t = log ? (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : v / (hi * 1.05);
    return H - 3 - t * (H - 8);
  };
  const last = curve.epoch[curve.epoch.length - 1] || 1;
  const line = (series, color, width) => {
    ctx.beginPath();
    let started = false;
    series.forEach((v, k) => {
      if (v === null || v <= 0) return;
      const x = (curve.epoch[k] / last) * (W - 4) + 2;
      started ? ctx.lineTo(x, y(v)) : ctx.moveTo(x, y(v));
      started = true;
    });
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.stroke();
  };
  line(curve.train, "#9aa3ae", 1.5);
  line(curve.test, "#1f2933", 2);
  ctx.textAlign = "right";
  ctx.fillStyle = "#9aa3ae";
  ctx.fillText("train", W - 2, 10);
  ctx.fillStyle = "#1f2933";
  ctx.fillText(`${log ? "log scale · " : ""}test ·`, W - 32, 10);
  ctx.textAlign = "left";
}

// ------------------------------------------------------------------ the neuron view

const FEATURE_FORMULAS = {
  x1: "X₁ = x₁, the first coordinate of the point", x2: "X₂ = x₂, the second coordinate",
  x1sq: "X₁² = x₁·x₁", x2sq: "X₂² = x₂·x₂", x1x2: "X₁X₂ = x₁·x₂",
  sinx1: "sin(X₁) = sin(x₁)", sinx2: "sin(X₂) = sin(x₂)",
};

export function showNeuron(root, view, picture) {
  root.replaceChildren();
  const title = document.createElement("div");
  title.className = "neuron-title";
  title.textContent = view.title;
  const formula = document.createElement("div");
  formula.className = "formula";
  formula.id = "neuron-formula";
  const lines = view.feature ? [FEATURE_FORMULAS[view.feature]] :
    [view.formula, view.filled, view.activation];
  for (const text of lines) {
    const line = document.createElement("div");
    line.textContent = text;
    formula.appendChild(line);
  }
  const where = document.createElement("div");
  where.className = "hint";
  where.textContent = view.feature ? "Click the feature to use it as an input, or to stop using it." :
    `Inputs: ${view.inputs}. Numbers at the point (x₁, x₂) = (${fmt(view.point[0])}, ${fmt(view.point[1])}): ` +
    "click a training point or move over the output to choose another.";
  root.append(title, formula, where);
  if (picture) root.appendChild(picture);
}

// ------------------------------------------------------------------ the step view

const EQUATION = /^(\s*)(.*= )([^=]+)$/;

/** One line of the trace, its final "= value" in bold. */
function traceLine(text) {
  const line = document.createElement("div");
  if (text.startsWith("──")) {
    line.className = "trace-section";
    line.textContent = text;
    return line;
  }
  line.className = /^Layer \d/.test(text) ? "trace-layer" : "trace-line";
  const m = EQUATION.exec(text);
  if (m && !text.startsWith("Notation")) {
    line.append(m[1] + m[2]);
    const b = document.createElement("b");
    b.textContent = m[3];
    line.appendChild(b);
  } else {
    line.textContent = text;
  }
  return line;
}

export function showTrace(root, trace, detailed, downloadHref) {
  root.replaceChildren();
  const text = detailed && trace.detailed ? trace.detailed : trace.text;
  const head = document.createElement("p");
  head.className = "trace-head";
  head.textContent = `Training point #${trace.point} at (x₁, x₂) = (${fmt(trace.plane[0])}, ${fmt(trace.plane[1])}). ` +
    `One step of plain gradient descent on this one point with η = ${trace.lr}, without regularization or ` +
    "dropout — exactly the step `glassnet trace` computes, with the engine's own numbers. The network took this step.";
  const body = document.createElement("div");
  body.id = "trace-text";
  body.className = "trace";
  for (const line of text.split("\n")) if (line.trim()) body.appendChild(traceLine(line));
  const command = document.createElement("div");
  command.className = "trace-command";
  const link = document.createElement("a");
  link.href = downloadHref;
  link.textContent = "playground-step.npz";
  link.download = "playground-step.npz";
  const code = document.createElement("code");
  code.textContent = trace.command;
  command.append("The same in a terminal, with the weights before this step (", link, "):", code);
  root.append(head, body, command);
}
