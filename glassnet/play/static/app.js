// The playground page: controls, the network, the output, and the views of the mathematics.
//
// The server owns the data and the network (one session per tab); this page sends the
// setup (the same settings it keeps in the URL after '#') and draws what comes back.

import {ApiError, claimSession, downloadUrl, get, newSession, post, stream} from "./api.js";
import {CLASS_COLORS, css, diverging, fmt, paintGrid} from "./colors.js";
import {DescentView, Explainer} from "./mathtabs.js";
import {NetworkView} from "./network.js";
import {OutputPlot, drawCurve, showNeuron, showTrace} from "./views.js";

const $ = id => document.getElementById(id);

const ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear", "leaky_relu", "elu", "softplus", "gelu"];
const CHOICES = {
  lr: [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  reg_rate: [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  dropout: [0, 0.1, 0.2, 0.3, 0.5],
  momentum: [0, 0.5, 0.9, 0.95, 0.99],
  beta1: [0, 0.5, 0.9, 0.95, 0.99],
  beta2: [0.9, 0.99, 0.999, 0.9999],
};
const DATASETS = {
  classification: ["circle", "xor", "gauss", "spiral", "moons"],
  multiclass: ["gauss", "spiral", "circle", "xor", "moons"],
  regression: ["plane", "multigauss"],
};
const TITLES = {circle: "Circle", xor: "XOR", gauss: "Gaussian", spiral: "Spiral", moons: "Moons",
                plane: "Plane", multigauss: "Multi-Gaussian", csv: "Your CSV"};
// The type of each setting in the URL: string, number, list of names, list of numbers, boolean.
const TYPES = {dataset: "s", noise: "n", train_ratio: "n", n_samples: "n", n_classes: "n", batch_size: "n",
               seed: "n", features: "l", hidden: "nl", activations: "l", problem: "s", lr: "n",
               optimizer: "s", momentum: "n", beta1: "n", beta2: "n", regularization: "s",
               reg_rate: "n", dropout: "n", big: "b"};

let state = null;
let running = false;
let runController = null;
let runDone = Promise.resolve();
let lastTrace = null;
let hovered = null;
let mousePoint = null;
let tab = "network";
let descentFormula = null;

// ------------------------------------------------------------------ talking to the server

/** Call the server; a forgotten session (server restarted) is made anew with our setup. */
async function call(request) {
  try {
    return await request();
  } catch (e) {
    if (e instanceof ApiError && e.status === 404 && /session/.test(e.message) && state) {
      applyState(await newSession(state.config));
      return await request();
    }
    throw e;
  }
}

function toast(message, kind = "error") {
  const t = $("toast");
  t.textContent = message;
  t.className = `toast ${kind}`;
  t.hidden = !message;
  clearTimeout(toast.timer);
  if (message && kind !== "warning") toast.timer = setTimeout(() => (t.hidden = true), 6000);
}

async function safely(action) {
  try {
    return await action();
  } catch (e) {
    toast(e.message);
    if (state) renderAll();
  }
}

async function setup(changes) {
  await safely(async () => applyState(await call(() => post("/api/setup", {config: changes}))));
}

// ------------------------------------------------------------------ state and the URL

function applyState(s) {
  state = {...state, ...s};
  if (lastTrace && s.steps === 0) lastTrace = null;
  renderAll();
  writeHash();
}

function applyFrame(f) {
  if (f.version !== state.version) return;     // a frame of the network before a change of setup
  Object.assign(state, f);
  renderDynamic();
}

function writeHash() {
  const params = new URLSearchParams();
  for (const [key, type] of Object.entries(TYPES)) {
    const v = state.config[key];
    params.set(key, type === "b" ? (v ? "1" : "0") : Array.isArray(v) ? v.join(",") : String(v));
  }
  params.set("tab", tab);
  if (descentFormula) params.set("formula", descentFormula);
  history.replaceState(null, "", `#${params.toString()}`);
}

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const config = {};
  for (const [key, type] of Object.entries(TYPES)) {
    if (!params.has(key)) continue;
    const raw = params.get(key);
    if (type === "n") config[key] = Number(raw);
    else if (type === "b") config[key] = raw === "1";
    else if (type === "l") config[key] = raw ? raw.split(",") : [];
    else if (type === "nl") config[key] = raw ? raw.split(",").map(Number) : [];
    else config[key] = raw;
  }
  return {config, tab: params.get("tab"), formula: params.get("formula")};
}

// ------------------------------------------------------------------ drawing

const network = new NetworkView($("net"), {
  hoverNeuron: (layer, unit) => showNeuronView({layer, unit}),
  hoverFeature: name => showNeuronView({feature: name}),
  leave: () => {},
  toggleFeature: name => {
    const chosen = state.config.features;
    setup({features: chosen.includes(name) ? chosen.filter(f => f !== name) : [...chosen, name]});
  },
  editWeight: openEditor,
  addNeuron: (layer, delta) => {
    const hidden = [...state.config.hidden];
    hidden[layer] += delta;
    if (hidden[layer] < 1) return;
    setup({hidden});
  },
  setActivation: (layer, name) => {
    const activations = [...state.config.activations];
    activations[layer] = name;
    setup({activations});
  },
  hoverEdge: showTip,
}, ACTIVATIONS);

const plot = new OutputPlot($("plot"), selectPoint, p => (mousePoint = p));

function renderControls() {
  const c = state.config;
  for (const key of ["lr", "optimizer", "momentum", "beta1", "beta2", "regularization", "reg_rate", "dropout", "problem"]) {
    $(key).value = String(c[key]);
  }
  const same = c.activations.every(a => a === c.activations[0]);
  $("activation").value = same && c.activations.length ? c.activations[0] : "";
  document.querySelectorAll(".opt-momentum").forEach(e => (e.hidden = c.optimizer !== "momentum"));
  document.querySelectorAll(".opt-adam").forEach(e => (e.hidden = c.optimizer !== "adam"));
  document.querySelectorAll(".multiclass-only").forEach(e => (e.hidden = c.problem !== "multiclass"));
  const sliders = {train_ratio: 100 * c.train_ratio, noise: 100 * c.noise, n_samples: c.n_samples,
                   batch_size: c.batch_size, n_classes: c.n_classes};
  for (const [key, value] of Object.entries(sliders)) {
    $(key).value = value;
    $(`${key}-value`).textContent = key === "train_ratio" ? `${Math.round(value)}%` : String(Math.round(value));
  }
  $("n_samples").disabled = c.dataset === "csv";
  $("big").checked = c.big;
  const n = c.hidden.length;
  $("n-layers").textContent = `${n} hidden layer${n === 1 ? "" : "s"}`;
  renderDatasets();
  $("csv-info").textContent = state.csv ? `Your CSV: ${state.csv.rows} rows, columns ${state.csv.columns.join(", ")}` +
    (state.csv.classes ? `; classes ${state.csv.classes.join(", ")}` : "; a number to predict") : "";
}

function renderDatasets() {
  const c = state.config;
  const names = [...DATASETS[c.problem]];
  if (state.csv) names.push("csv");
  const root = $("datasets");
  if (root.dataset.names !== names.join()) {
    root.replaceChildren();
    for (const name of names) {
      const b = document.createElement("button");
      b.className = "dataset";
      b.dataset.name = name;
      b.title = TITLES[name];
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 44;
      drawDatasetIcon(canvas, name);
      const label = document.createElement("span");
      label.textContent = TITLES[name];
      b.append(canvas, label);
      b.addEventListener("click", () => setup({dataset: name}));
      root.appendChild(b);
    }
    root.dataset.names = names.join();
  }
  for (const b of root.children) b.classList.toggle("selected", b.dataset.name === c.dataset);
}

/** A small picture of each problem: points drawn the way its generator places them. */
function drawDatasetIcon(canvas, name) {
  let seed = 11;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const normal = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const points = [];   // [x, y, value in [-1, 1]] on [-1, 1]²
  for (let k = 0; k < 80; k++) {
    const s = k / 80, c = k % 2;
    if (name === "circle") {
      const a = 2 * Math.PI * random(), r = c ? 0.75 + 0.08 * normal() : 0.35 * Math.sqrt(random());
      points.push([r * Math.cos(a), r * Math.sin(a), c ? 1 : -1]);
    } else if (name === "xor") {
      const x = 2 * random() - 1, y = 2 * random() - 1;
      points.push([x, y, x * y > 0 ? 1 : -1]);
    } else if (name === "gauss") {
      points.push([0.45 * (c ? 1 : -1) + 0.2 * normal(), 0.45 * (c ? 1 : -1) + 0.2 * normal(), c ? 1 : -1]);
    } else if (name === "spiral") {
      const r = 0.9 * s, t = 1.75 * 2 * Math.PI * s + c * Math.PI;
      points.push([r * Math.sin(t), r * Math.cos(t), c ? 1 : -1]);
    } else if (name === "moons") {
      const t = Math.PI * random();
      points.push(c ? [0.55 * Math.cos(t) - 0.25, 0.55 * Math.sin(t) - 0.1, -1]
                    : [0.25 - 0.55 * Math.cos(t), 0.1 - 0.55 * Math.sin(t), 1]);
    } else {
      const x = 2 * random() - 1, y = 2 * random() - 1;
      const v = name === "plane" ? (x + y) / 2 : name === "multigauss" ? Math.sin(3 * x) * Math.cos(3 * y) : (random() > 0.5 ? 0.7 : -0.7);
      points.push([x, y, v]);
    }
  }
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fafafa";
  ctx.fillRect(0, 0, 44, 44);
  for (const [x, y, v] of points) {
    ctx.fillStyle = css(diverging(v));
    ctx.beginPath();
    ctx.arc(22 + 19 * x, 22 - 19 * y, 2, 0, 2 * Math.PI);
    ctx.fill();
  }
}

function renderDynamic() {
  $("epoch").textContent = state.epoch.toLocaleString("en-US", {minimumIntegerDigits: 3});
  $("test-loss").textContent = fmt(state.test_loss, 4);
  $("train-loss").textContent = fmt(state.train_loss, 4);
  drawCurve($("curve"), state.curve);
  plot.draw(state);
  network.render(state);
  $("run").textContent = running ? "❚❚" : "▶";
  $("run").title = running ? "Pause training" : "Run: train until paused";
  $("run").classList.toggle("running", running);
  if (state.message) toast(state.message, "warning");
  else if ($("toast").classList.contains("warning")) $("toast").hidden = true;
  if (hovered) showNeuronView(hovered, false);
}

function renderLegend() {
  const c = state.config, legend = $("plot-legend");
  legend.replaceChildren();
  const item = (color, text) => {
    const span = document.createElement("span");
    const dot = document.createElement("i");
    dot.style.background = color;
    span.append(dot, text);
    legend.appendChild(span);
  };
  if (c.problem === "regression") {
    item(css(diverging(-1)), "−1");
    item(css(diverging(1)), "+1 (the target)");
  } else if (c.problem === "multiclass") {
    for (let k = 0; k < state.n_classes; k++) item(CLASS_COLORS[k], state.csv?.classes?.[k] ?? `class ${k}`);
  } else {
    item(css(diverging(-1)), state.csv?.classes?.[0] ?? "class 0");
    item(css(diverging(1)), state.csv?.classes?.[1] ?? "class 1");
  }
  const note = document.createElement("span");
  note.className = "hint";
  note.textContent = plot.showTest ? "· test points: black ring" : "· training points";
  legend.appendChild(note);
}

function renderAll() {
  renderControls();
  renderLegend();
  renderDynamic();
  renderStepView();
  $("export-npz").href = downloadUrl("/api/export/npz");
  $("export-onnx").href = downloadUrl("/api/export/onnx");
  $("export-py").href = downloadUrl("/api/export/python");
}

// ------------------------------------------------------------------ the views of the mathematics

async function showNeuronView(target, fetchAgain = true) {
  hovered = target;
  const root = $("neuron-view");
  if (target.feature) {
    const f = state.features.find(g => g.name === target.feature);
    const canvas = bigPicture(k => diverging(state.feature_pictures[target.feature][k]), state.thumb);
    showNeuron(root, {title: `input feature ${f.label}`, feature: target.feature}, canvas);
    return;
  }
  if (!fetchAgain && running) return;
  const point = plot.selected !== null ? state.points.train[plot.selected].slice(0, 2) : mousePoint ?? [1, 1];
  try {
    const view = await post("/api/neuron", {...target, point});
    if (hovered !== target) return;
    const last = target.layer === state.layer_sizes.length - 2;
    const canvas = last ? null : state.neurons ? bigPicture(k => diverging(state.neurons[target.layer][target.unit][k]), state.thumb) : null;
    showNeuron(root, view, canvas);
  } catch (e) {
    root.textContent = e.message;
  }
}

function bigPicture(colorOf, n) {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 120;
  canvas.className = "neuron-picture";
  paintGrid(canvas, n, colorOf);
  return canvas;
}

function renderStepView() {
  const root = $("step-view");
  if (!lastTrace) {
    $("step-hint").hidden = false;
    for (const child of [...root.children]) if (child.id !== "step-hint") child.remove();
    if (plot.selected !== null && state.points.train[plot.selected]) {
      const [x1, x2, y] = state.points.train[plot.selected];
      $("step-hint").textContent = `Training point #${plot.selected} chosen: (x₁, x₂) = (${fmt(x1)}, ${fmt(x2)}), target ${y}. ` +
        "Press Step to take one traced step of gradient descent on it.";
    }
    return;
  }
  $("step-hint").hidden = true;
  const hint = $("step-hint");
  showTrace(root, lastTrace, $("detailed").checked, downloadUrl("/api/export/npz?which=before_step"));
  root.prepend(hint);
}

function selectPoint(index) {
  plot.selected = index;
  lastTrace = null;
  $("step-hint").textContent = index === null ? "Click a training point in the output, then press Step." : "";
  plot.draw(state);
  renderStepView();
}

function showTip(text, x, y) {
  const tip = $("tip");
  tip.hidden = !text;
  if (!text) return;
  tip.textContent = text;
  tip.style.left = `${Math.min(x + 14, innerWidth - 320)}px`;
  tip.style.top = `${y + 14}px`;
}

async function openEditor({layer, unit, source, value, x, y, what}) {
  showTip(null);
  if (running) await pause();
  const form = $("weight-editor");
  form.dataset.layer = layer;
  form.dataset.unit = unit;
  form.dataset.source = source === null ? "" : source;
  $("weight-what").textContent = `Set ${what}:`;
  $("weight-value").value = String(Number(value.toPrecision(4)));
  form.style.left = `${Math.min(x, innerWidth - 260)}px`;
  form.style.top = `${Math.min(y + 10, innerHeight - 110)}px`;
  form.hidden = false;
  $("weight-value").focus();
  $("weight-value").select();
}

// ------------------------------------------------------------------ run, pause, step

async function run() {
  if (running) return pause();
  running = true;
  lastTrace = null;
  renderDynamic();
  runController = new AbortController();
  runDone = (async () => {
    try {
      await call(() => stream("/api/run", {}, (event, frame) => applyFrame(frame), runController.signal));
    } catch (e) {
      if (e.name !== "AbortError") toast(e.message);
    } finally {
      running = false;
      renderDynamic();
    }
  })();
}

async function pause() {
  await safely(async () => applyFrame(await post("/api/pause")));
  await runDone;
}

async function step() {
  if (running) await pause();
  await safely(async () => {
    const result = await call(() => post("/api/step", {point: plot.selected}));
    applyState(result);
    if (result.trace) {
      lastTrace = result.trace;
      renderStepView();
      const panel = $("step-view").closest(".panel");
      panel.scrollTop = 0;
      panel.scrollIntoView({block: "nearest"});
    }
  });
}

async function reset(name) {
  if (running) await pause();
  lastTrace = null;
  plot.selected = null;
  await safely(async () => applyState(await call(() => post(`/api/${name}`))));
}

// ------------------------------------------------------------------ controls

function fillSelect(id, values, label = String) {
  const select = $(id);
  for (const v of values) {
    const option = document.createElement("option");
    option.value = String(v);
    option.textContent = label(v);
    select.appendChild(option);
  }
}

function bindControls() {
  for (const [id, values] of Object.entries(CHOICES)) fillSelect(id, values);
  fillSelect("activation", ACTIVATIONS);
  for (const key of ["lr", "reg_rate", "dropout", "momentum", "beta1", "beta2"]) {
    $(key).addEventListener("change", () => setup({[key]: Number($(key).value)}));
  }
  for (const key of ["optimizer", "regularization"]) {
    $(key).addEventListener("change", () => setup({[key]: $(key).value}));
  }
  $("activation").addEventListener("change", () =>
    setup({activations: state.config.hidden.map(() => $("activation").value)}));
  $("problem").addEventListener("change", () => {
    const problem = $("problem").value;
    const dataset = DATASETS[problem].includes(state.config.dataset) ? state.config.dataset : DATASETS[problem][0];
    setup({problem, dataset});
  });
  const scale = {train_ratio: 0.01, noise: 0.01, n_samples: 1, batch_size: 1, n_classes: 1};
  for (const [key, factor] of Object.entries(scale)) {
    $(key).addEventListener("input", () => {
      $(`${key}-value`).textContent = key === "train_ratio" ? `${$(key).value}%` : $(key).value;
    });
    $(key).addEventListener("change", () => setup({[key]: Math.round(Number($(key).value) * factor * 100) / 100}));
  }
  $("add-layer").addEventListener("click", () => {
    const c = state.config;
    setup({hidden: [...c.hidden, 2], activations: [...c.activations, c.activations[c.activations.length - 1] ?? "tanh"]});
  });
  $("remove-layer").addEventListener("click", () => {
    const c = state.config;
    if (c.hidden.length) setup({hidden: c.hidden.slice(0, -1), activations: c.activations.slice(0, -1)});
  });
  $("big").addEventListener("change", () => setup({big: $("big").checked}));
  $("show-numbers").addEventListener("change", () => { network.showNumbers = $("show-numbers").checked; renderDynamic(); });
  $("show-test").addEventListener("change", () => { plot.showTest = $("show-test").checked; renderLegend(); plot.draw(state); });
  $("discretize").addEventListener("change", () => { plot.discretize = $("discretize").checked; plot.draw(state); });
  $("detailed").addEventListener("change", renderStepView);
  $("run").addEventListener("click", run);
  $("step").addEventListener("click", step);
  $("reset").addEventListener("click", () => reset("reset"));
  $("regenerate").addEventListener("click", () => reset("regenerate"));
  $("csv").addEventListener("change", uploadCsv);
  for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  let resizeTimer;
  addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(() => state && renderDynamic(), 100); });
}

/** The export links' copy button, the toast, and the weight editor. */
function bindExtras() {
  $("copy-py").addEventListener("click", () => safely(async () => {
    const text = await (await fetch(downloadUrl("/api/export/python"))).text();
    await navigator.clipboard.writeText(text);
    toast("The Python code is on the clipboard.", "info");
  }));
  $("toast").addEventListener("click", () => ($("toast").hidden = true));
  $("weight-editor").addEventListener("submit", async e => {
    e.preventDefault();
    const form = e.target;
    const body = {layer: Number(form.dataset.layer), unit: Number(form.dataset.unit),
                  source: form.dataset.source === "" ? null : Number(form.dataset.source),
                  value: Number($("weight-value").value)};
    form.hidden = true;
    await safely(async () => applyState(await call(() => post("/api/weight", body))));
  });
  $("weight-value").addEventListener("keydown", e => { if (e.key === "Escape") $("weight-editor").hidden = true; });
}

async function uploadCsv(e) {
  const file = e.target.files[0];
  if (!file) return;
  if (running) await pause();
  e.target.value = "";
  if (file.size > 1_000_000) return toast("The CSV is larger than 1 MB; the playground takes up to 5,000 rows.");
  const text = await file.text();
  await safely(async () => applyState(await call(() => post("/api/csv", {text}))));
}

const descent = new DescentView(formula => { descentFormula = formula; if (state) writeHash(); });
const explainer = new Explainer();

function showTab(name) {
  tab = ["network", "descent", "optimizers"].includes(name) ? name : "network";
  for (const b of document.querySelectorAll(".tabs button")) b.classList.toggle("active", b.dataset.tab === tab);
  for (const section of document.querySelectorAll(".tab")) section.hidden = section.id !== `tab-${tab}`;
  document.querySelector(".transport").classList.toggle("faded", tab !== "network");
  if (tab === "descent" && !showTab.descended) { showTab.descended = true; descent.run(); }
  if (tab === "optimizers" && !showTab.explained) { showTab.explained = true; explainer.run(); }
  if (state) writeHash();
}

// ------------------------------------------------------------------ start

async function start() {
  bindControls();
  bindExtras();
  const link = readHash();
  if (link.formula) $("descent-formula").value = link.formula;
  descentFormula = link.formula;
  const sid = await claimSession();
  let s = null;
  if (sid) {
    try {
      s = await get("/api/state");
      const differs = Object.entries(link.config).some(([k, v]) => JSON.stringify(v) !== JSON.stringify(s.config[k]));
      if (differs) s = await post("/api/setup", {config: link.config});
    } catch {
      s = null;
    }
  }
  if (!s) s = await newSession(link.config);
  applyState(s);
  if (s.message) toast(s.message);
  showTab(link.tab);
  document.body.dataset.ready = "1";
}

start().catch(e => toast(`The playground could not start: ${e.message}`));
