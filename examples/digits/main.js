// The digits demo: plain ES modules, no bundler. Serve the repo root (e.g. `npx tsx test/browser/server.ts`)
// and open /examples/digits/ after `npm run build` and `npx tsx examples/digits/make-models.ts`.
import { loadModel, hasSimd } from '../../dist/index.js';

const $ = (sel) => document.querySelector(sel);
const status = $('#status');
const draw = $('#draw');
const ctx = draw.getContext('2d', { willReadFrequently: true });
const preview = $('#preview').getContext('2d');

const kb = (n) => (n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(2)} MB`);

function clear() {
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, draw.width, draw.height);
  preview.fillStyle = '#000';
  preview.fillRect(0, 0, 28, 28);
}
clear();

// Pointer drawing: thick white strokes on black, like MNIST.
let drawing = false;
let last = null;
function point(e) {
  const r = draw.getBoundingClientRect();
  return [((e.clientX - r.left) * draw.width) / r.width, ((e.clientY - r.top) * draw.height) / r.height];
}
draw.addEventListener('pointerdown', (e) => {
  drawing = true;
  last = point(e);
  draw.setPointerCapture(e.pointerId);
  stroke(last, last);
});
draw.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  const p = point(e);
  stroke(last, p);
  last = p;
  schedule();
});
const end = () => {
  if (!drawing) return;
  drawing = false;
  schedule();
};
draw.addEventListener('pointerup', end);
draw.addEventListener('pointercancel', end);
$('#clear').addEventListener('click', () => {
  clear();
  for (const k of ['compressed', 'dense']) {
    $(`[data-testid=pred-${k}]`).textContent = '–';
    $(`#card-${k} .bars`).textContent = '';
  }
  $('#agree').textContent = '';
  window.wpalDemo.input = null;
});
function stroke(a, b) {
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 20;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(a[0], a[1]);
  ctx.lineTo(b[0], b[1]);
  ctx.stroke();
}

/**
 * MNIST-like preprocessing: crop to the ink's bounding box, scale it into 20x20 keeping the aspect,
 * and centre it by its centre of mass in 28x28. Returns [28, 28, 1] floats in 0..1, or null if empty.
 */
function toInput() {
  const { width: W, height: H } = draw;
  const px = ctx.getImageData(0, 0, W, H).data;
  let x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    if (px[(y * W + x) * 4] > 20) {
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const s = 20 / Math.max(bw, bh);
  const tmp = new OffscreenCanvas(28, 28);
  const t = tmp.getContext('2d', { willReadFrequently: true });
  t.fillStyle = '#000';
  t.fillRect(0, 0, 28, 28);
  t.imageSmoothingQuality = 'high';
  t.drawImage(draw, x0, y0, bw, bh, (28 - bw * s) / 2, (28 - bh * s) / 2, bw * s, bh * s);
  const g = t.getImageData(0, 0, 28, 28).data;
  const img = new Float32Array(28 * 28);
  let m = 0, cx = 0, cy = 0;
  for (let i = 0; i < 784; i++) {
    const v = g[i * 4] / 255;
    img[i] = v;
    m += v;
    cx += v * (i % 28);
    cy += v * Math.floor(i / 28);
  }
  const dx = Math.round(13.5 - cx / m), dy = Math.round(13.5 - cy / m);
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
    const sx = x - dx, sy = y - dy;
    if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = img[sy * 28 + sx];
  }
  const pv = preview.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(out[i] * 255);
    pv.data.set([v, v, v, 255], i * 4);
  }
  preview.putImageData(pv, 0, 0);
  return out;
}

function softmax(z) {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Runs a model on x: the prediction, the probabilities and the median of a few timed runs. */
function predict(model, x) {
  const times = [];
  let logits;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    logits = model.run({ input: x }).logits.data;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const probs = softmax(Array.from(logits));
  const label = probs.indexOf(Math.max(...probs));
  return { label, probs, logits: Array.from(logits), ms: times[times.length >> 1] };
}

function show(kind, r) {
  $(`[data-testid=pred-${kind}]`).textContent = String(r.label);
  $(`[data-testid=latency-${kind}]`).textContent = `latency ${r.ms < 1 ? (r.ms * 1000).toFixed(0) + ' µs' : r.ms.toFixed(2) + ' ms'} (median of 7 runs)`;
  const bars = $(`#card-${kind} .bars`);
  bars.textContent = '';
  r.probs.forEach((p, i) => {
    const row = document.createElement('div');
    row.innerHTML = `<span class="l">${i}</span><span class="b" style="width:${Math.max(1, p * 180)}px"></span><span>${(p * 100).toFixed(1)}%</span>`;
    bars.append(row);
  });
}

let models;
let pending = false;
function schedule() {
  if (pending || !models) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    const x = toInput();
    if (!x) return;
    const a = predict(models.compressed, x);
    const b = predict(models.dense, x);
    show('compressed', a);
    show('dense', b);
    $('#agree').textContent = a.label === b.label ? 'both files predict the same digit' : 'the two files disagree on this drawing';
    Object.assign(window.wpalDemo, { input: Array.from(x), compressed: a, dense: b, runs: window.wpalDemo.runs + 1 });
  });
}

// For tests and curious people: the last input and results.
window.wpalDemo = { ready: false, runs: 0, input: null };

async function main() {
  if (!hasSimd()) throw new Error('this browser has no WebAssembly SIMD, which wasm-palette needs');
  const info = await (await fetch('./models/models.json')).json();
  const [compressed, dense] = await Promise.all([loadModel(`./models/${info.compressed.file}`), loadModel(`./models/${info.dense.file}`)]);
  models = { compressed, dense };
  $('[data-testid=file-compressed]').textContent = `· ${kb(info.compressed.bytes)} file`;
  $('[data-testid=file-dense]').textContent = `· ${kb(info.dense.bytes)} file`;
  const untrained = [compressed, dense].some((m) => m.metadata.properties.weights === 'untrained');
  $('#untrained').hidden = !untrained;
  const ratio = (info.dense.bytes / info.compressed.bytes).toFixed(0);
  status.textContent = `models loaded: compressed file ${ratio}x smaller than dense; runs in ${crossOriginIsolated ? 'a cross-origin isolated page (fine timers)' : 'a page without cross-origin isolation (timers rounded to 0.1 ms)'}. Draw below.`;
  Object.assign(window.wpalDemo, { ready: true, untrained, files: info });
}

main().catch((e) => {
  status.textContent = `error: ${e.message}` + (String(e.message).includes('models') || String(e.message).includes('404') ? ' (run `npx tsx examples/digits/make-models.ts`)' : '');
  status.style.color = '#b00020';
  window.wpalDemo.error = e.message;
});
