/**
 * Training speed of the engine (src/trainer/engine) on MNIST: images/s for LeNet-300-100 and
 * LeNet-5 (SGD + momentum), and the time per kernel call kind. Run: npx tsx scripts/train-speed.ts
 * [--batch 64] [--images 6400]. Needs build/wpal.train.wasm (see assembly/kernels/train/standalone.ts).
 */
import { Engine, SGD, TrainModule, graphNet, trainEpoch, type TrainKernels, type TrainableNet } from '../src/trainer/engine/index.js';
import { freshModel } from '../src/trainer/architectures.js';
import { loadImageDataset } from '../src/trainer/data/index.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const batch = arg('batch', 64);
const images = arg('images', 6400);

const train = loadImageDataset('mnist', 'train');
const data = { x: train.x.subarray(0, images * 784), y: train.y.subarray(0, images), count: images };

/** Wraps every kernel with a timer; tgemm is split by its flags (fwd x W^T, dW = dY^T X, dX = dY W). */
function profile(mod: TrainModule): Map<string, { ms: number; calls: number }> {
  const times = new Map<string, { ms: number; calls: number }>();
  const k = mod.k as unknown as Record<string, (...a: number[]) => void>;
  for (const name of Object.keys(k)) {
    const fn = k[name];
    k[name] = (...a: number[]) => {
      let label = name;
      if (name === 'tgemm') {
        const flags = mod.i32[a[10] >> 2];
        label = flags === 2 ? 'tgemm NT (fwd x W^T)' : flags === 1 ? 'tgemm TN (dW = dY^T X)' : 'tgemm NN (dX = dY W; conv1 fwd on W^T)';
      }
      const t0 = performance.now();
      fn(...a);
      const t = performance.now() - t0;
      const e = times.get(label) ?? { ms: 0, calls: 0 };
      e.ms += t;
      e.calls++;
      times.set(label, e);
    };
  }
  return times;
}

function run(name: string, make: (e: Engine) => TrainableNet, lr: number): void {
  // timing run: plain kernels (one warm-up epoch over 10 batches first)
  const e = new Engine(new TrainModule());
  const net = make(e);
  const opt = new SGD(e, net.params, { lr, momentum: 0.9 });
  trainEpoch(e, net, opt, data, { batchSize: batch, limit: batch * 10 });
  const r = trainEpoch(e, net, opt, data, { batchSize: batch, seed: 2 });
  console.log(`${name}: ${(r.examples / r.seconds).toFixed(0)} images/s (batch ${batch}, ${r.examples} images in ${r.seconds.toFixed(2)} s, train acc ${(r.accuracy * 100).toFixed(1)}%), arena ${(e.mod.stats().arena / 2 ** 20).toFixed(1)} MiB`);
  // per-kernel run: the same, with a timer around every call
  const e2 = new Engine(new TrainModule());
  const net2 = make(e2);
  const opt2 = new SGD(e2, net2.params, { lr, momentum: 0.9 });
  trainEpoch(e2, net2, opt2, data, { batchSize: batch, limit: batch * 10 });
  const times = profile(e2.mod);
  const r2 = trainEpoch(e2, net2, opt2, data, { batchSize: batch, seed: 2 });
  let total = 0;
  for (const v of times.values()) total += v.ms;
  const rows = [...times.entries()].sort((a, b) => b[1].ms - a[1].ms);
  for (const [label, v] of rows) {
    console.log(`  ${label.padEnd(40)} ${(v.ms / r2.examples * 1000).toFixed(1).padStart(7)} us/image  ${(v.ms / total * 100).toFixed(1).padStart(5)}%  (${v.calls} calls)`);
  }
  console.log(`  ${'kernels total'.padEnd(40)} ${(total / r2.examples * 1000).toFixed(1).padStart(7)} us/image; host side ${((r2.seconds * 1000 - total) / r2.examples * 1000).toFixed(1)} us/image`);
}

run('LeNet-300-100', (e) => graphNet(e, freshModel('lenet300-100', { seed: 1, classes: 10, inputShape: [784] })), 0.05);
run('LeNet-5', (e) => graphNet(e, freshModel('lenet5', { seed: 1, classes: 10, inputShape: [28, 28, 1] })), 0.01);
