// The sentiment demo: plain ES modules, no bundler. After `npm install` (which builds dist/ and the
// wasm), serve the repo root with `npx tsx test/browser/server.ts` (it resolves the worker's
// `flatbuffers` import, which an import map cannot) and open /examples/sentiment/.
// The file is the compressed SST-2 transformer published in models/ (see models/README.md).
import { loadModelInWorker, textClassifierIds, textClassifierWords, hasSimd } from '../../dist/index.js';

/** The model file, relative to this page. */
export const FILE = '../../models/sst2-transformer-1bit.wpal';
/** Runs per sentence; the latency shown is their median. */
const RUNS = 5;

const $ = (sel) => document.querySelector(sel);
const status = $('#status');
const text = $('#text');

// For tests and curious people: the last sentence scored and its result.
window.wpalSentiment = { ready: false, scored: 0, last: null };

let model;
let busy = false;
let queued = null;

/** Tokenizes as the CLI does (the file's metadata names the tokenizer), runs the worker, shows the result. */
async function score(sentence) {
  if (busy) {
    queued = sentence;
    return;
  }
  busy = true;
  try {
    const props = model.metadata.properties;
    const words = textClassifierWords(sentence, props);
    const ids = textClassifierIds(sentence, props);
    // Latency: the median of RUNS round trips to the worker (the ids are copied, not moved, so they can be sent again).
    const times = [];
    let logits;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      logits = (await model.run({ input_ids: ids }, { transfer: false })).logits;
      times.push(performance.now() - t0);
    }
    const ms = times.sort((a, b) => a - b)[RUNS >> 1];
    const labels = model.metadata.outputLabels;
    const pos = logits.data[labels.indexOf('positive')], neg = logits.data[labels.indexOf('negative')];
    const margin = pos - neg; // > 0: positive
    const pPos = 1 / (1 + Math.exp(-margin));
    show(sentence, words, Array.from(ids), margin, pPos, ms);
    const d = window.wpalSentiment;
    Object.assign(d, { last: { sentence, words, ids: Array.from(ids), logits: Array.from(logits.data), margin, pPositive: pPos, ms }, scored: d.scored + 1 });
  } finally {
    busy = false;
  }
  if (queued !== null) {
    const next = queued;
    queued = null;
    await score(next);
  }
}

function show(sentence, words, ids, margin, pPos, ms) {
  const verdict = $('[data-testid=verdict]');
  if (words.length === 0) {
    verdict.textContent = '–';
    verdict.className = 'verdict';
    $('#mark').hidden = true;
  } else {
    const positive = margin > 0;
    verdict.textContent = positive ? 'positive' : 'negative';
    verdict.className = `verdict ${positive ? 'positive' : 'negative'}`;
    $('#mark').hidden = false;
    $('#mark').style.left = `${(pPos * 100).toFixed(1)}%`;
  }
  $('[data-testid=score]').textContent = `P(positive) ${(pPos * 100).toFixed(1)}% · logit margin ${margin >= 0 ? '+' : ''}${margin.toFixed(3)}`;
  $('[data-testid=latency]').textContent = `latency ${ms.toFixed(2)} ms (median of ${RUNS} runs in the worker, message round trip included)`;
  const seq = ids.length;
  const box = $('[data-testid=tokens]');
  box.textContent = '';
  words.forEach((w, i) => {
    const s = document.createElement('span');
    s.textContent = w;
    const id = document.createElement('i');
    id.textContent = ` ${ids[i]}`;
    s.append(id);
    box.append(s);
  });
  const note = document.createElement('span');
  note.className = 'meta';
  note.style.background = 'none';
  note.textContent = `${words.length} of ${seq} ids used, the rest [PAD] = 0`;
  box.append(note);
}

let timer = 0;
text.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => score(text.value), 120);
});
for (const b of document.querySelectorAll('[data-example]')) {
  b.addEventListener('click', () => {
    text.value = b.dataset.example;
    score(text.value);
  });
}

const human = (n) => (n < 1e6 ? `${(n / 1e3).toFixed(1)} KB` : `${(n / 1e6).toFixed(2)} MB`);

async function main() {
  if (!hasSimd()) throw new Error('this browser has no WebAssembly SIMD, which wasm-palette needs');
  const t0 = performance.now();
  model = await loadModelInWorker(new URL(FILE, location.href).href);
  const loadMs = performance.now() - t0;
  const size = await model.sizeReport();
  const p = model.metadata.properties;
  const labels = model.metadata.outputLabels;
  if (!labels.includes('positive') || !labels.includes('negative')) throw new Error(`${FILE} is not a sentiment model (its outputs are ${labels.join(', ')})`);
  const acc = Number(p.accuracy);
  $('[data-testid=model]').innerHTML =
    `file <b data-testid="file-size">${size.fileBytes.toLocaleString('en-US')} B (${human(size.fileBytes)})</b>, ` +
    `${size.ratio.toFixed(1)}x smaller than its weights as float32 (${human(size.denseF32Bytes)})` +
    (acc > 0 ? ` · <b>${(acc * 100).toFixed(2)}%</b> right on the 872 SST-2 dev sentences (recorded in the file)` : '') +
    `<br>${p.layers} attention blocks, width ${p.dim} · tokenizer ${p.tokenizer}: words hashed into ` +
    `${Number(p.buckets).toLocaleString('en-US')} buckets, the first ${p.seq} words read`;
  // One run before the first sentence, so the first shown latency is not the engine's warm-up.
  await model.run({ input_ids: new Int32Array(Number(p.seq)) });
  status.textContent = `model loaded into a Web Worker in ${loadMs.toFixed(0)} ms. Type below.`;
  text.disabled = false;
  text.focus();
  Object.assign(window.wpalSentiment, { ready: true, fileBytes: size.fileBytes, properties: { ...p } });
}

main().catch((e) => {
  // A module worker cannot use the page's import map: a plain static server leaves its 'flatbuffers' import unresolved.
  status.textContent = `error: ${e.message} (serve the repo with \`npx tsx test/browser/server.ts\`, which resolves the worker's imports; see docs/browser.md)`;
  status.style.color = '#b00020';
  window.wpalSentiment.error = e.message;
});
