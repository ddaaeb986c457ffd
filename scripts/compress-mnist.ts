/**
 * Measures DKM compression of LeNet-5 on full MNIST (npx tsx scripts/compress-mnist.ts):
 * dense training, then DKM 4 / 2 / 1-bit fine-tuning of every layer and one pruned + 2-bit
 * setting; prints test accuracy on the full 10k test set, .wpal bytes, ratio vs 1,724,320 dense
 * bytes, wall time and the training speed with DKM on every layer (images/s).
 *
 * Options: --dense-epochs N (10) --dkm-epochs N (2) --batch N (128) --dense-cache path
 * (build/lenet5-dense.wpal: reused when present) --only 4,2,1,p2 --distill --train N (60000) --lr X (0.005).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Engine, SGD, TrainModule, evaluate, graphNet, trainEpoch } from '../src/trainer/engine/index.js';
import { freshModel } from '../src/trainer/architectures.js';
import { loadImageDataset } from '../src/trainer/data/index.js';
import { buildDenseModel, compressModel, denseModelOf, netOf, readDenseModel, type CompressOptions, type DenseModel } from '../src/trainer/compress.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const denseEpochs = Number(opt('dense-epochs', '10'));
const dkmEpochs = Number(opt('dkm-epochs', '2'));
const batch = Number(opt('batch', '128'));
const cache = opt('dense-cache', 'build/lenet5-dense.wpal');
const only = opt('only', '4,2,1,p2').split(',');
const distill = args.includes('--distill');
const nTrain = Number(opt('train', '60000'));
const lr = args.includes('--lr') ? { lr: Number(opt('lr', '0.005')) } : {};
const DENSE_BYTES = 1_724_320;

const trainFull = loadImageDataset('mnist', 'train');
const train = { x: trainFull.x.subarray(0, nTrain * 784), y: trainFull.y.subarray(0, nTrain), count: nTrain };
const test = loadImageDataset('mnist', 'test');

let dense: DenseModel;
const t0 = performance.now();
if (existsSync(cache)) {
  dense = readDenseModel(new Uint8Array(readFileSync(cache)));
  console.log(`dense LeNet-5 read from ${cache}`);
} else {
  const e = new Engine(new TrainModule());
  const fresh = freshModel('lenet5', { seed: 1, classes: 10, inputShape: [28, 28, 1] });
  const net = graphNet(e, fresh);
  const sgd = new SGD(e, net.params, { lr: 0.02, momentum: 0.9, weightDecay: 5e-4 });
  const steps = denseEpochs * Math.floor(train.count / 64);
  let step = 0;
  for (let ep = 0; ep < denseEpochs; ep++) {
    const r = trainEpoch(e, net, sgd, train, {
      batchSize: 64, seed: ep + 1,
      onStep: () => { sgd.lr = 0.02 * 0.5 * (1 + Math.cos((Math.PI * ++step) / steps)); },
    });
    console.log(`dense epoch ${ep + 1}/${denseEpochs}: loss ${r.loss.toFixed(4)}, train acc ${(r.accuracy * 100).toFixed(2)}%, ${(r.examples / r.seconds).toFixed(0)} images/s`);
  }
  dense = denseModelOf(net, fresh);
  writeFileSync(cache, buildDenseModel(dense).bytes);
}
{
  const e = new Engine(new TrainModule());
  const acc = evaluate(e, netOf(e, dense), test).accuracy;
  const bytes = buildDenseModel(dense).bytes.length;
  console.log(`| setting | accuracy | bytes | ratio | images/s | wall s |`);
  console.log(`|---|---|---|---|---|---|`);
  console.log(`| dense float32 | ${(acc * 100).toFixed(2)}% | ${bytes.toLocaleString('en')} | ${(DENSE_BYTES / bytes).toFixed(1)}x | | ${((performance.now() - t0) / 1000).toFixed(0)} |`);
}

const settings: Array<[string, string, Partial<CompressOptions>]> = [
  ['4', 'DKM 4-bit', { bits: 4 }],
  ['2', 'DKM 2-bit', { bits: 2 }],
  ['1', 'DKM 1-bit', { bits: 1 }],
  ['p2', 'DKM 2-bit, conv2 80% + fc1 95% pruned (1x4)', { bits: 2, block: '1x4', layers: { conv2: { sparsity: 0.8 }, fc1: { sparsity: 0.95 } } }],
];
for (const [key, label, s] of settings) {
  if (!only.includes(key)) continue;
  const t1 = performance.now();
  const r = compressModel(dense, train, { bits: 2, epochs: dkmEpochs, batchSize: batch, test, distill, ...lr, ...s } as CompressOptions);
  const bytes = r.build().bytes.length;
  console.log(`| ${label}${distill ? ' + distill' : ''} | ${(r.accuracy! * 100).toFixed(2)}% | ${bytes.toLocaleString('en')} | ${(DENSE_BYTES / bytes).toFixed(1)}x | ${r.imagesPerSecond.toFixed(0)} | ${((performance.now() - t1) / 1000).toFixed(0)} |`);
}
