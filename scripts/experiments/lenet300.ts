/**
 * LeNet-300-100 on MNIST: dense training (distilled from the full dense LeNet-5's cached
 * training-set logits unless --no-distill; cached as build/experiments/lenet300-<hidden>-dense.wpal),
 * then DKM + block pruning with self-distillation (compressModel); each file is written under
 * build/experiments/ and measured through the runtime on the full 10k test set; one JSON line per result.
 *
 *   npx tsx scripts/experiments/lenet300.ts --epochs 20 --bits 2 --fc1 0.9 --fc2 0.8 --block 1x4 --dkm-epochs 6
 *
 * Options: --hidden 300,100 --epochs N (20) --lr X (0.01) --wd X (1e-4) --alpha A (0.7) --T T (4)
 * --no-distill --teacher path (build/lenet5-dense.wpal) --retrain --bits B (2) --fc1 S --fc2 S --fc3 S
 * (sparsities, default 0.9, 0.8, 0) --block RxC | row | col (1x4) --fc1-bits B --fc3-bits B
 * --fc1-block / --fc2-block (per-layer block) --prune-epochs N (0: prune during DKM; N: prune first, float32,
 * N epochs at 2x the DKM lr, then DKM keeps those blocks) --dkm-epochs N (6) --dkm-lr X (0.005) --seed N.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Engine, TrainModule, graphNet } from '../../src/trainer/engine/index.js';
import { freshModel } from '../../src/trainer/architectures.js';
import { buildDenseModel, compressModel, denseModelOf, readDenseModel, type CompressOptions, type DenseModel, type LayerSetting } from '../../src/trainer/compress.js';
import { LENET300_DENSE_BYTES, OUT_DIR, argParser, measure, mnist, teacherLogits, trainNet } from './common.js';

const a = argParser();
const hidden = a.str('hidden', '300,100').split(',').map(Number);
const epochs = a.num('epochs', 20);
const lr = a.num('lr', 0.01);
const wd = a.num('wd', 1e-4);
const alpha = a.num('alpha', 0.7);
const T = a.num('T', 4);
const distill = !a.flag('no-distill');
const teacherPath = a.str('teacher', 'build/lenet5-dense.wpal');
const bits = a.num('bits', 2);
const sp = [a.num('fc1', 0.9), a.num('fc2', 0.8), a.num('fc3', 0)];
const block = a.str('block', '1x4');
const dkmEpochs = a.num('dkm-epochs', 6);
const dkmLr = a.num('dkm-lr', 0.005);
const seed = a.num('seed', 1);
const log = (m: string) => console.error(m);

const { train, test } = mnist();
const tag = `${hidden.join('-')}${distill ? '' : '-nodistill'}`;
const densePath = `${OUT_DIR}/lenet300-${tag}-dense.wpal`;
const argv = process.argv.slice(2).join(' ');
const command = `npx tsx scripts/experiments/lenet300.ts ${argv}`.trim();
let dense: DenseModel;
const t0 = performance.now();
if (existsSync(densePath) && !a.flag('retrain')) {
  dense = readDenseModel(new Uint8Array(readFileSync(densePath)));
  log(`dense read from ${densePath}`);
} else {
  const teacher = distill ? teacherLogits(readDenseModel(new Uint8Array(readFileSync(teacherPath))), train, `${OUT_DIR}/lenet5-teacher-logits.f32`) : undefined;
  const e = new Engine(new TrainModule());
  const fresh = freshModel('lenet300-100', { seed, classes: 10, inputShape: [784], widths: hidden });
  const net = graphNet(e, fresh);
  trainNet(e, net, train, { epochs, lr, weightDecay: wd, seed, teacher, alpha, temperature: T, log: (m) => log(`dense ${tag} ${m}`) });
  dense = denseModelOf(net, fresh);
}
await measure(densePath, buildDenseModel(dense).bytes, test, {
  model: `LeNet-300-100${hidden.join(',') === '300,100' ? '' : ` (${hidden.join(',')})`}`,
  setting: `dense float32, ${epochs} epochs${distill ? ` distilled from dense LeNet-5 (T ${T}, alpha ${alpha})` : ''}`, command,
}, LENET300_DENSE_BYTES, t0);

if (bits > 0) {
  const layers: Record<string, LayerSetting> = {};
  sp.forEach((s, i) => { if (s > 0) layers[`fc${i + 1}`] = { sparsity: s, block: a.str(`fc${i + 1}-block`, block) }; });
  for (const l of [1, 2, 3]) {
    const b = a.str(`fc${l}-bits`, '');
    if (b) layers[`fc${l}`] = { ...(layers[`fc${l}`] ?? {}), bits: Number(b) };
  }
  const t1 = performance.now();
  const pruneEpochs = a.num('prune-epochs', 0);
  if (pruneEpochs > 0) {
    // Stage 1: block pruning alone (float32 weights, self-distillation); stage 2 keeps these zeros.
    const pl = Object.fromEntries(Object.entries(layers).map(([k, v]) => [k, { ...v, bits: 0 }]));
    const pr = compressModel(dense, train, { bits: 0, epochs: pruneEpochs, batchSize: 128, lr: dkmLr * 2, distill: { temperature: T, alpha: 0.5 }, seed, layers: pl, test } as CompressOptions);
    log(`pruned (float32): test ${(pr.accuracy! * 100).toFixed(2)}%`);
    dense = { ...dense, weights: pr.weights };
  }
  const r = compressModel(dense, train, {
    bits, epochs: dkmEpochs, batchSize: 128, lr: dkmLr, distill: { temperature: T, alpha: 0.5 }, seed, layers, test,
    onProgress: (p) => { if (p.testAccuracy !== undefined) log(`dkm epoch ${p.epoch}: test ${(p.testAccuracy * 100).toFixed(2)}%`); },
  } as CompressOptions);
  const desc = sp.map((s, i) => (s > 0 ? `fc${i + 1} ${Math.round(s * 100)}% (${a.str(`fc${i + 1}-block`, block)})` : '')).filter(Boolean).join(' + ');
  const key = `b${bits}-${sp.join('-')}-${block}-${a.str('fc1-block', block)}-${a.str('fc2-block', block)}-pe${pruneEpochs}${a.str('fc1-bits', '') ? `-fc1b${a.str('fc1-bits', '')}` : ''}${a.str('fc3-bits', '') ? `-fc3b${a.str('fc3-bits', '')}` : ''}`;
  await measure(`${OUT_DIR}/lenet300-${tag}-${key}.wpal`, r.build().bytes, test, {
    model: `LeNet-300-100${hidden.join(',') === '300,100' ? '' : ` (${hidden.join(',')})`}`,
    setting: `DKM ${bits}-bit${desc ? `, ${desc} pruned${pruneEpochs > 0 ? ` (first alone, float32, ${pruneEpochs} epochs)` : ''}` : ''} + self-distillation, ${dkmEpochs} epochs`, command,
  }, LENET300_DENSE_BYTES, t1);
}
