// The two tabs beside the network: gradient descent on a formula typed by the user,
// and the optimizer explainer (EWMA, momentum, Adam). Every number comes from the
// server, which computes it with glassnet (glassnet.descend, glassnet.ewma, the optimizers).

import {post} from "./api.js";
import {CLASS_COLORS, fmt, paintContours} from "./colors.js";

const $ = id => document.getElementById(id);

function toPixel(canvas, halfWidth, [x, y]) {
  return [(x + halfWidth) / (2 * halfWidth) * canvas.width, (halfWidth - y) / (2 * halfWidth) * canvas.height];
}

function drawPath(canvas, halfWidth, path, color, dashed = false) {
  const ctx = canvas.getContext("2d");
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, 0, canvas.width, canvas.height);
  ctx.clip();
  ctx.setLineDash(dashed ? [6, 4] : []);
  ctx.strokeStyle = color;
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  path.forEach((p, k) => {
    const [x, y] = toPixel(canvas, halfWidth, p);
    k ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
  });
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = color;
  for (const p of path) {
    const [x, y] = toPixel(canvas, halfWidth, p);
    ctx.beginPath();
    ctx.arc(x, y, 2.6, 0, 2 * Math.PI);
    ctx.fill();
  }
  const [x0, y0] = toPixel(canvas, halfWidth, path[0]);
  ctx.strokeStyle = "#111";
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.arc(x0, y0, 6, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.restore();
}

function axes(canvas, halfWidth) {
  const ctx = canvas.getContext("2d");
  ctx.strokeStyle = "rgba(0,0,0,0.35)";
  ctx.lineWidth = 1;
  const [cx, cy] = toPixel(canvas, halfWidth, [0, 0]);
  ctx.beginPath();
  ctx.moveTo(0, cy); ctx.lineTo(canvas.width, cy);
  ctx.moveTo(cx, 0); ctx.lineTo(cx, canvas.height);
  ctx.stroke();
  const text = `x, y ∈ [−${fmt(halfWidth)}, ${fmt(halfWidth)}]`;
  ctx.font = "13px system-ui, sans-serif";
  ctx.fillStyle = "rgba(255,255,255,0.85)";
  ctx.fillRect(4, canvas.height - 24, ctx.measureText(text).width + 10, 20);
  ctx.fillStyle = "#222";
  ctx.fillText(text, 9, canvas.height - 9);
}

// ------------------------------------------------------------------ the descent view

export class DescentView {
  constructor(onChange) {
    this.onChange = onChange;
    this.start = [2, 1.5];
    $("descent-run").addEventListener("click", () => this.run());
    $("descent-formula").addEventListener("keydown", e => { if (e.key === "Enter") this.run(); });
    for (const b of document.querySelectorAll("[data-formula]")) {
      b.addEventListener("click", () => {
        $("descent-formula").value = b.dataset.formula;
        if (b.dataset.lr) $("descent-lr").value = b.dataset.lr;
        this.run();
      });
    }
    $("descent-plot").addEventListener("click", e => {
      const c = e.target, r = c.getBoundingClientRect(), w = this.halfWidth();
      this.start = [((e.clientX - r.left) / r.width) * 2 * w - w, w - ((e.clientY - r.top) / r.height) * 2 * w];
      this.run();
    });
  }

  halfWidth() {
    return Number($("descent-range").value) || 3;
  }

  async run() {
    const error = $("descent-error");
    const body = {formula: $("descent-formula").value, start: this.start, lr: Number($("descent-lr").value),
                  steps: Number($("descent-steps").value), range: this.halfWidth()};
    this.onChange(body.formula);
    $("descent-message").textContent = "computing…";
    try {
      const result = await post("/api/descent", body);
      error.hidden = true;
      this.draw(result);
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      for (const id of ["descent-f", "descent-grad", "descent-message"]) $(id).textContent = "";
      $("descent-table").replaceChildren();
      $("descent-plot").classList.add("stale");
    }
  }

  draw(r) {
    const canvas = $("descent-plot");
    canvas.classList.remove("stale");
    paintContours(canvas, r.grid);
    axes(canvas, r.half_width);
    drawPath(canvas, r.half_width, r.path, "#D55E00");
    const names = r.variables;
    $("descent-f").textContent = `f(x, y) = ${r.text}`;
    $("descent-grad").textContent = `∇f = (${["x", "y"].map(v => r.gradient[v] ?? "0").join(", ")})`;
    $("descent-message").textContent = r.message;
    const rows = r.path.map((p, k) => [k, p[0], p[1], r.values[k], r.grad_norms[k]]);
    const shown = rows.length > 12 ? [...rows.slice(0, 8), null, ...rows.slice(-3)] : rows;
    const table = $("descent-table");
    table.replaceChildren();
    const head = table.insertRow();
    for (const h of ["step", "x", "y", "f(x, y)", "|∇f|"]) head.insertCell().textContent = h;
    for (const row of shown) {
      const tr = table.insertRow();
      const cells = row ? [String(row[0]), ...row.slice(1).map(v => fmt(v, 4))] : ["…", "", "", "", ""];
      for (const text of cells) tr.insertCell().textContent = text;
    }
    this.lastVariables = names;
  }
}

// ------------------------------------------------------------------ the optimizer explainer

const SLIDERS = ["beta", "noise", "lr", "momentum", "adam_lr", "beta1", "beta2", "steps"];
export const PATH_COLORS = {sgd: CLASS_COLORS[4], momentum: CLASS_COLORS[1], adam: CLASS_COLORS[2]};

export class Explainer {
  constructor() {
    this.pending = null;
    for (const name of SLIDERS) {
      const input = $(`ex-${name}`);
      input.addEventListener("input", () => {
        $(`ex-${name}-value`).textContent = input.value;
        this.schedule();
      });
      $(`ex-${name}-value`).textContent = input.value;
    }
  }

  schedule() {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => this.run(), 60);
  }

  async run() {
    const body = {};
    for (const name of SLIDERS) body[name] = Number($(`ex-${name}`).value);
    body.n = 120;
    try {
      this.draw(await post("/api/explain", body), body);
    } catch (e) {
      $("ex-error").textContent = e.message;
    }
  }

  draw(r, body) {
    const canvas = $("ewma-plot");
    const ctx = canvas.getContext("2d");
    const W = canvas.width, H = canvas.height;
    ctx.clearRect(0, 0, W, H);
    const all = [...r.signal, ...r.ewma, ...r.ewma_raw];
    const lo = Math.min(...all), hi = Math.max(...all);
    const X = k => 30 + (k / (r.signal.length - 1)) * (W - 40), Y = v => H - 20 - ((v - lo) / (hi - lo || 1)) * (H - 34);
    ctx.strokeStyle = "#c9ced6";
    ctx.beginPath();
    ctx.moveTo(30, Y(0)); ctx.lineTo(W - 10, Y(0));
    ctx.stroke();
    ctx.fillStyle = "#8a94a3";
    r.signal.forEach((v, k) => { ctx.beginPath(); ctx.arc(X(k), Y(v), 2.4, 0, 2 * Math.PI); ctx.fill(); });
    const line = (series, color, dash) => {
      ctx.setLineDash(dash);
      ctx.strokeStyle = color;
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      series.forEach((v, k) => (k ? ctx.lineTo(X(k), Y(v)) : ctx.moveTo(X(k), Y(v))));
      ctx.stroke();
      ctx.setLineDash([]);
    };
    line(r.ewma_raw, CLASS_COLORS[0], [7, 4]);
    line(r.ewma, CLASS_COLORS[1], []);
    ctx.fillStyle = "#222";
    ctx.font = "12px system-ui, sans-serif";
    ctx.fillText("t →", W - 32, H - 4);
    ctx.fillText("0", 16, Y(0) + 4);
    $("ex-ewma-note").textContent = `β = ${body.beta}: an average over about ${fmt(1 / (1 - body.beta || 1), 3)} values. ` +
      `At t = 1, v₁ = ${fmt(r.ewma_raw[0])} but v̂₁ = ${fmt(r.ewma[0])} = x₁: the correction divides by 1 − β¹ = ${fmt(1 - body.beta)}.`;

    const plot = $("ravine-plot");
    paintContours(plot, r.grid, 16);
    axes(plot, r.half_width);
    for (const [name, path] of Object.entries(r.paths)) drawPath(plot, r.half_width, path, PATH_COLORS[name], name === "sgd");
    const f = ([x, y]) => x * x / 10 + 2 * y * y;
    for (const name of Object.keys(r.paths)) {
      const path = r.paths[name], end = path[path.length - 1];
      $(`ex-end-${name}`).textContent = `after ${path.length - 1} steps: (${fmt(end[0])}, ${fmt(end[1])}), f = ${fmt(f(end))}`;
    }
  }
}
