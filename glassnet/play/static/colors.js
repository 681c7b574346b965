// Colour scales and heatmaps, readable for colour-blind viewers.
//
// Values in [-1, 1] (weights, neuron outputs, the output of a binary classifier or a
// regression) use a diverging orange–white–blue scale: orange and blue stay apart for
// every common kind of colour blindness, and white marks zero. Classes use the
// Okabe–Ito palette.

const STOPS = [
  [-1.0, [179, 88, 6]],     // dark orange
  [-0.5, [241, 163, 64]],   // orange
  [0.0, [247, 247, 247]],   // white
  [0.5, [103, 169, 207]],   // light blue
  [1.0, [33, 102, 172]],    // dark blue
];

export const CLASS_COLORS = ["#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9"];
const CLASS_RGB = CLASS_COLORS.map(hex => [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16)));

/** The [r, g, b] of a value on the diverging scale (clipped to [-1, 1]). */
export function diverging(v) {
  if (!Number.isFinite(v)) return [200, 200, 200];
  v = Math.max(-1, Math.min(1, v));
  for (let k = 1; k < STOPS.length; k++) {
    const [v1, c1] = STOPS[k];
    if (v <= v1) {
      const [v0, c0] = STOPS[k - 1];
      const t = (v - v0) / (v1 - v0);
      return c0.map((c, i) => Math.round(c + t * (c1[i] - c)));
    }
  }
  return STOPS[STOPS.length - 1][1];
}

export function css([r, g, b], alpha = 1) {
  return alpha === 1 ? `rgb(${r},${g},${b})` : `rgba(${r},${g},${b},${alpha})`;
}

/** The colour of a class, faded towards white when the network is unsure (p near 1/k). */
export function classColor(k, p = 1, nClasses = 2) {
  const base = CLASS_RGB[k % CLASS_RGB.length];
  const sure = Math.max(0, Math.min(1, (p - 1 / nClasses) / (1 - 1 / nClasses)));
  const t = 0.15 + 0.65 * sure;
  return base.map(c => Math.round(255 + t * (c - 255)));
}

/** A sequential scale (light yellow → green → dark blue) for the values of a function. */
const SEQ = [[255, 255, 217], [199, 233, 180], [65, 182, 196], [34, 94, 168], [8, 29, 88]];
export function sequential(t) {
  if (!Number.isFinite(t)) return [235, 235, 235];
  t = Math.max(0, Math.min(1, t)) * (SEQ.length - 1);
  const k = Math.min(SEQ.length - 2, Math.floor(t));
  const f = t - k;
  return SEQ[k].map((c, i) => Math.round(c + f * (SEQ[k + 1][i] - c)));
}

/**
 * Paint an n × n grid of colours (row by row, top row first) onto a canvas,
 * stretched smoothly to the canvas size.
 */
export function paintGrid(canvas, n, colorOf, smooth = true) {
  const small = document.createElement("canvas");
  small.width = small.height = n;
  const sctx = small.getContext("2d");
  const image = sctx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const [r, g, b] = colorOf(i);
    image.data.set([r, g, b, 255], 4 * i);
  }
  sctx.putImageData(image, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = smooth;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
}

/**
 * Filled contour bands of a grid of numbers (null where undefined), with darker lines
 * where the band changes: each band holds the same share of the values, so a steep
 * function and a flat one both show their shape. Values between grid points are
 * interpolated (bilinear), so the lines are smooth.
 */
export function paintContours(canvas, rows, bands = 14) {
  const n = rows.length;
  const finite = rows.flat().filter(v => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (!finite.length) return null;
  const cuts = [];
  for (let k = 1; k < bands; k++) cuts.push(finite[Math.floor(k * (finite.length - 1) / bands)]);
  const band = v => {
    let lo = 0, hi = cuts.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (v > cuts[mid]) lo = mid + 1; else hi = mid; }
    return lo;
  };
  const W = canvas.width, H = canvas.height;
  const value = (x, y) => {
    const gx = x * (n - 1) / (W - 1), gy = y * (n - 1) / (H - 1);
    const i = Math.min(n - 2, Math.floor(gy)), j = Math.min(n - 2, Math.floor(gx));
    const a = rows[i][j], b = rows[i][j + 1], c = rows[i + 1][j], d = rows[i + 1][j + 1];
    if (a === null || b === null || c === null || d === null) return null;
    const fy = gy - i, fx = gx - j;
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
  };
  const index = new Int16Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const v = value(x, y);
    index[y * W + x] = v === null ? -1 : band(v);
  }
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const b = index[y * W + x];
      let c = b < 0 ? [235, 235, 235] : sequential(b / (bands - 1));
      const right = x + 1 < W ? index[y * W + x + 1] : b, below = y + 1 < H ? index[(y + 1) * W + x] : b;
      if (b >= 0 && (right !== b || below !== b)) c = c.map(v => Math.round(v * 0.55));
      image.data.set([c[0], c[1], c[2], 255], 4 * (y * W + x));
    }
  }
  ctx.putImageData(image, 0, 0);
  return {min: finite[0], max: finite[finite.length - 1]};
}

/** A short number: 3 significant digits, "−" for minus. */
export function fmt(v, digits = 3) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  let s = Number(v).toPrecision(digits);
  if (s.includes("e")) s = Number(s).toExponential(1);
  else if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s.replace(/^-/, "−");
}
