// The digits demo: plain ES modules, no bundler. After `npm install` (which builds dist/ and the
// wasm), serve the repo root (`npx tsx test/browser/server.ts`) and open /examples/digits/.
// Both files are the trained LeNet-5s published in models/ (see models/README.md).
import { loadModel, hasSimd } from '../../dist/index.js';
import { grayOfRgba, mnistInput } from './preprocess.js';

/**
 * The two files, relative to this page. Each records its accuracy on the 10,000 MNIST test images
 * in its metadata (the claim `wpal verify` checks in CI; models/README.md), which the page shows.
 */
export const FILES = {
  compressed: { url: '../../models/lenet5-mnist-600x.wpal' },
  dense: { url: '../../models/lenet5-mnist-dense.wpal' },
};

/** The file's recorded test accuracy, as the page shows it. */
function accuracyText(model) {
  const p = model.metadata.properties;
  const acc = Number(p.accuracy);
  if (!Number.isFinite(acc)) return 'no accuracy recorded in the file';
  return `${p.accuracy_dataset === 'mnist' ? 'MNIST test' : p.accuracy_dataset ?? 'test'} accuracy ${(acc * 100).toFixed(2)}%`;
}

const $ = (sel) => document.querySelector(sel);
const status = $('#status');
const draw = $('#draw');
const ctx = draw.getContext('2d', { willReadFrequently: true });
const preview = $('#preview').getContext('2d');

const bytes = (n) => `${n.toLocaleString('en-US')} B`;
const human = (n) => (n < 1e6 ? `${(n / 1e3).toFixed(1)} KB` : `${(n / 1e6).toFixed(2)} MB`);

function clear() {
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, draw.width, draw.height);
  preview.fillStyle = '#000';
  preview.fillRect(0, 0, 28, 28);
}
clear();

// For tests and curious people: the models, the last input and results. `drawn` counts changes
// to the canvas, `predicted` is the value of `drawn` the shown predictions were made from.
window.wpalDemo = { ready: false, runs: 0, drawn: 0, predicted: 0, input: null };

// Pointer drawing: thick white strokes on black, like MNIST.
let drawing = false;
let last = null;
function point(e) {
  const r = draw.getBoundingClientRect();
  return [((e.clientX - r.left) * draw.width) / r.width, ((e.clientY - r.top) * draw.height) / r.height];
}
function stroke(a, b) {
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 20;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(a[0], a[1]);
  ctx.lineTo(b[0], b[1]);
  ctx.stroke();
  window.wpalDemo.drawn++;
}
draw.addEventListener('pointerdown', (e) => {
  drawing = true;
  last = point(e);
  draw.setPointerCapture(e.pointerId);
  stroke(last, last);
  schedule();
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
    $(`[data-testid=latency-${k}]`).textContent = '';
    $(`#card-${k} .bars`).textContent = '';
  }
  $('#agree').textContent = '';
  const d = window.wpalDemo;
  d.drawn++;
  Object.assign(d, { input: null, compressed: undefined, dense: undefined, predicted: d.drawn });
});

/** The canvas as the model's 28x28 input (examples/digits/preprocess.js), shown in the preview. */
function toInput() {
  const gray = grayOfRgba(ctx.getImageData(0, 0, draw.width, draw.height).data);
  const x = mnistInput(gray, draw.width, draw.height);
  if (!x) return null;
  const pv = preview.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(x[i] * 255);
    pv.data.set([v, v, v, 255], i * 4);
  }
  preview.putImageData(pv, 0, 0);
  return x;
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
/** Reads the canvas, runs both files and shows the results; returns them (null for an empty canvas). */
function predictNow() {
  const d = window.wpalDemo;
  const drawn = d.drawn;
  const x = toInput();
  if (!x) return null;
  const a = predict(models.compressed, x);
  const b = predict(models.dense, x);
  show('compressed', a);
  show('dense', b);
  $('#agree').textContent = a.label === b.label ? 'both files predict the same digit' : 'the two files disagree on this drawing';
  Object.assign(d, { input: Array.from(x), compressed: a, dense: b, runs: d.runs + 1, predicted: drawn });
  return { compressed: a.label, dense: b.label };
}

let pending = false;
function schedule() {
  if (pending || !models) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    predictNow();
  });
}

async function main() {
  if (!hasSimd()) throw new Error('this browser has no WebAssembly SIMD, which wasm-palette needs');
  const files = {};
  models = {};
  for (const [kind, { url }] of Object.entries(FILES)) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    const data = new Uint8Array(await res.arrayBuffer());
    files[kind] = { file: url.split('/').pop(), bytes: data.length };
    models[kind] = await loadModel(data);
    $(`[data-testid=file-${kind}]`).innerHTML = `${files[kind].file}<br><b>${bytes(data.length)}</b> (${human(data.length)})`;
    $(`[data-testid=acc-${kind}]`).textContent = accuracyText(models[kind]);
  }
  const ratio = files.dense.bytes / files.compressed.bytes;
  $('[data-testid=sizes]').innerHTML =
    `compressed file <b>${bytes(files.compressed.bytes)}</b> · dense file <b>${bytes(files.dense.bytes)}</b> · ` +
    `the compressed file is <b data-testid="ratio">${ratio.toFixed(0)}x</b> smaller`;
  status.textContent = `models loaded; timers ${crossOriginIsolated ? 'fine (cross-origin isolated page)' : 'rounded to 0.1 ms (page not cross-origin isolated)'}. Draw a digit below.`;
  Object.assign(window.wpalDemo, { ready: true, files, ratio, predictNow });
}

main().catch((e) => {
  status.textContent = `error: ${e.message}`;
  status.style.color = '#b00020';
  window.wpalDemo.error = e.message;
});
