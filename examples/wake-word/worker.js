// The wake-word chain in a module worker: loads the six .wpal files, then runs WakeWordStream on
// every 80 ms chunk that arrives from the audio thread (a MessagePort from capture.js) and posts
// each classifier's score, the time the chunk took and the chunk's level to the page.
import { hasSimd, loadModel } from '../../dist/index.js';
import { wpalRunners } from '../../dist/examples/wake-word/runners.js';
import { WakeWordStream } from '../../dist/examples/wake-word/stream.js';

let stream = null;
let port = null;
let queue = Promise.resolve();
let backlog = 0;
// With { record: true } the chunks are kept (up to ~4 minutes) so a test can replay them elsewhere.
let recording = null;
const MAX_RECORDED = 3000;

function level(chunk) {
  let ss = 0;
  for (let i = 0; i < chunk.length; i++) ss += chunk[i] * chunk[i];
  const rms = Math.sqrt(ss / chunk.length);
  return rms > 0 ? 20 * Math.log10(rms / 32768) : -120;
}

async function step(chunk) {
  backlog--;
  if (recording && recording.length < MAX_RECORDED) recording.push(chunk.slice());
  const r = await stream.push(chunk);
  postMessage({ type: 'step', ...r, level: level(chunk), backlog });
}

async function load({ models }) {
  if (!hasSimd()) throw new Error('this browser has no WebAssembly SIMD, which wasm-palette needs');
  const t0 = performance.now();
  const loaded = {};
  await Promise.all(models.map(async (m) => (loaded[m.onnx] = await loadModel(m.url))));
  const classifiers = models.filter((m) => m.role !== 'mel' && m.role !== 'embedding').map((m) => m.role);
  stream = new WakeWordStream(wpalRunners(loaded, classifiers));
  return { loadMs: performance.now() - t0, classifiers, warmup: stream.warmup };
}

self.onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.type === 'load') {
      postMessage({ type: 'ready', ...(await load(m)) });
    } else if (m.type === 'start') {
      // A new microphone stream: forget the old audio, then take chunks in arrival order.
      port?.close();
      port = m.port;
      recording = m.record ? [] : null;
      queue = queue.then(() => stream.reset());
      port.onmessage = (ev) => {
        backlog++;
        queue = queue.then(() => step(ev.data)).catch((err) => postMessage({ type: 'error', message: String(err?.message ?? err) }));
      };
    } else if (m.type === 'stop') {
      port?.close();
      port = null;
    } else if (m.type === 'recording') {
      await queue;
      const all = new Float32Array((recording?.length ?? 0) * 1280);
      recording?.forEach((c, i) => all.set(c, i * 1280));
      postMessage({ type: 'recording', samples: all }, [all.buffer]);
    }
  } catch (err) {
    postMessage({ type: 'error', message: String(err?.message ?? err) });
  }
};
