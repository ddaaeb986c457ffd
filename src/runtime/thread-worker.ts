/**
 * The code of one kernel thread, as source text: it runs in a Web Worker (a blob: URL) or a
 * worker_threads Worker (eval), so it needs no file of its own next to the bundle and bundlers have
 * nothing to find. It is plain JavaScript in a string on purpose: a function's toString() would
 * carry whatever a bundler, minifier or coverage tool injected into it.
 *
 * A kernel thread never plans or allocates. It instantiates the kernel module on the model's shared
 * memory, then waits on the control words (layout: CTL in threads.ts) for a job, claims slices of
 * it, calls the kernel export on each slice's arguments, and counts the slice done. Messages:
 *   in:  { type: 'init', module, names, ctl, thread, spinMs }  then  { type: 'attach', memory, gen }
 *   out: { type: 'ready' }, { type: 'attached', gen }, { type: 'error', message, during?: 'attach', gen? }
 * While it is attached it sits in the job loop, not in the event loop; the main thread makes it
 * come back (to read the next 'attach', or to exit) through the GEN and EXIT words.
 */
export const THREAD_WORKER_SOURCE = String.raw`'use strict';
const CLAIM = 0, SEQ = 1, DONE = 2, FN = 3, NSLICES = 4, PARG = 5, PSTRIDE = 6, GEN = 7, EXIT = 8, ERR = 9, WORKED = 10, PAGES = 11, ARGS = 16, ARG_SLOTS = 12;
const node = typeof process === 'object' && process.versions != null && typeof process.versions.node === 'string' && typeof self === 'undefined';
const port = node ? require('node:worker_threads').parentPort : self;
let names = null, module = null, ctl = null, thread = 0, spinMs = 0, fns = null, gen = -1, seen = 0, memory = null, pages = 0;

function post(m) { port.postMessage(m); }

function quit() {
  if (node) process.exit(0);
  else self.close();
}

function runSlices() {
  const c = ctl;
  for (;;) {
    const cl = Atomics.load(c, CLAIM);
    if ((cl >>> 8) !== seen) return;
    const s = cl & 0xff;
    if (s >= c[NSLICES]) return;
    if (Atomics.compareExchange(c, CLAIM, cl, cl + 1) !== cl) continue;
    // Slice s of job 'seen' is ours: the job cannot end before we count it done, so its words are stable.
    const at = ARGS + s * ARG_SLOTS;
    const a = [c[at], c[at + 1], c[at + 2], c[at + 3], c[at + 4], c[at + 5], c[at + 6], c[at + 7], c[at + 8], c[at + 9], c[at + 10], c[at + 11]];
    const p = c[PARG];
    if (p >= 0) a[p] += thread * c[PSTRIDE];
    // The main thread grew the memory since this instance last looked: take the new bounds (threads.ts, PAGES).
    if (c[PAGES] !== pages) pages = memory.grow(0);
    try {
      fns[c[FN]](a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
    } catch (e) {
      Atomics.store(c, ERR, 1);
      post({ type: 'error', message: String(e && e.message || e) });
    }
    Atomics.add(c, WORKED, 1);
    if (Atomics.add(c, DONE, 1) + 1 === c[NSLICES]) Atomics.notify(c, DONE);
  }
}

// The next job's seq: poll for spinMs (the next kernel call of a run usually comes sooner than a
// sleeping thread would wake), then sleep in Atomics.wait.
function nextJob(c) {
  let t0 = performance.now();
  for (;;) {
    for (let i = 0; i < 512; i++) {
      const s = Atomics.load(c, SEQ);
      if (s !== seen) return s;
    }
    if (performance.now() - t0 > spinMs) {
      Atomics.wait(c, SEQ, seen);
      t0 = performance.now();
    }
  }
}

function loop() {
  const c = ctl;
  for (;;) {
    seen = nextJob(c);
    if (Atomics.load(c, EXIT)) return quit();
    // A new memory is on its way as a message: go back to the event loop to receive it.
    if (Atomics.load(c, GEN) !== gen) return;
    runSlices();
  }
}

function onMessage(m) {
  if (m.type === 'init') {
    names = m.names; module = m.module; ctl = new Int32Array(m.ctl); thread = m.thread; spinMs = m.spinMs;
    return post({ type: 'ready' });
  }
  if (m.type === 'attach') {
    if (Atomics.load(ctl, EXIT)) return quit();
    if (Atomics.load(ctl, GEN) !== m.gen) return; // replaced already; a newer attach follows
    try {
      const inst = new WebAssembly.Instance(module, {
        env: { memory: m.memory, abort() { throw new Error('internal kernel assertion failed'); } },
      });
      fns = names.map((n) => inst.exports[n]);
      memory = m.memory;
      pages = memory.grow(0);
    } catch (e) {
      return post({ type: 'error', during: 'attach', gen: m.gen, message: 'cannot instantiate the kernel module: ' + String(e && e.message || e) });
    }
    gen = m.gen;
    seen = Atomics.load(ctl, SEQ);
    post({ type: 'attached', gen: m.gen });
    return loop();
  }
}

if (node) port.on('message', onMessage);
else self.onmessage = (e) => onMessage(e.data);
`;
