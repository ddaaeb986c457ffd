/**
 * Child process of test/runtime/threads.test.ts: loads a model on 3 threads, runs it, then either
 * disposes it ("dispose") or drops it ("forget"). Either way the process must exit on its own:
 * kernel threads never keep it alive.
 */
import { loadModel } from '../../src/index.js';
import { buildMobileNetV1 } from '../../src/models/index.js';

const mode = process.argv[2] ?? 'dispose';
const b = buildMobileNetV1({ inputSize: 64, alpha: 0.5, blocks: 4, classes: 5 });
const m = await loadModel(b.bytes, { threads: 3 });
m.run({ [b.inputs[0].name]: new Float32Array(64 * 64 * 3).fill(0.5) });
if (mode === 'dispose') m.dispose();
console.log(`ran on ${m.threads} threads (${mode})`);
