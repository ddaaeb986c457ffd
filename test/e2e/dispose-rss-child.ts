/**
 * Child process of test/e2e/lifecycle.test.ts, run with --expose-gc: loads three models, runs one
 * large batch on each (keeping the arena: retainArenaBytes Infinity, as before trim existed),
 * disposes them while still holding the Model objects, collects garbage and prints the resident
 * set size at each step as JSON.
 */
import { readFileSync } from 'node:fs';
import { loadModel } from '../../src/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const batch = Number(process.argv[2] ?? 20000);
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  return process.memoryUsage().rss;
};
const bytes = new Uint8Array(readFileSync(new URL('../../models/lenet5-mnist-400x.wpal', import.meta.url)));
const rss0 = await settle();
const models = [];
for (let k = 0; k < 3; k++) {
  const m = await loadModel(bytes, { retainArenaBytes: Infinity });
  m.run({ input: new Float32Array(batch * 784).fill(0.5) });
  models.push(m);
}
const held = models.reduce((a, m) => a + m.memoryReport().wasmMemoryBytes, 0);
const rssLoaded = await settle();
for (const m of models) m.dispose();
const rssDisposed = await settle();
// The Model objects are still referenced here.
console.log(JSON.stringify({ batch, held, rss0, rssLoaded, rssDisposed, disposed: models.every((m) => m.disposed) }));
