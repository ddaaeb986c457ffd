/**
 * Narrow LeNet-5 (structured widths: conv1 k1 filters, conv2 k2 filters, fc1 n units) on MNIST:
 * trained from scratch with distillation from the full dense LeNet-5 (its training-set logits are
 * computed once and cached), then DKM at every layer (self-distillation from the narrow dense net,
 * compressModel's `distill`); every file is written under build/experiments/ and measured through
 * the runtime on the full 10k test set; one JSON line per result.
 *
 *   npx tsx scripts/experiments/lenet5-narrow.ts --widths 8,16,32 --epochs 20 --dkm-epochs 4 --settings 4,3,2
 *
 * Options: --widths k1,k2,n (several: 8,16,32/6,12,32) --epochs N (20) --lr X (0.01) --wd X (5e-4)
 * --alpha A (0.7) --T T (4) --no-distill --teacher path (build/lenet5-dense.wpal) --dkm-epochs N (4)
 * --dkm-lr X (0.005) --settings list of 4 | 3 | 2 | 1 | m<conv bits><fc1 bits> (e.g. m43) |
 * p<bits>[<fc1 bits>]-<fc1 sparsity %> (fc1 pruned in 1x16 blocks during DKM, e.g. p43-50) (default 4,2) --retrain (ignore a cached dense student) --seed N.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { Engine, TrainModule, graphNet } from '../../src/trainer/engine/index.js';
import { freshModel } from '../../src/trainer/architectures.js';
import { buildDenseModel, compressModel, denseModelOf, readDenseModel, type CompressOptions, type DenseModel } from '../../src/trainer/compress.js';
import { LENET5_DENSE_BYTES, OUT_DIR, argParser, measure, mnist, teacherLogits, trainNet } from './common.js';

const a = argParser();
const widthsList = a.str('widths', '8,16,32').split('/').map((w) => w.split(',').map(Number) as [number, number, number]);
const epochs = a.num('epochs', 20);
const lr = a.num('lr', 0.01);
const wd = a.num('wd', 5e-4);
const alpha = a.num('alpha', 0.7);
const T = a.num('T', 4);
const distill = !a.flag('no-distill');
const teacherPath = a.str('teacher', 'build/lenet5-dense.wpal');
const dkmEpochs = a.num('dkm-epochs', 4);
const dkmLr = a.num('dkm-lr', 0.005);
const settings = a.str('settings', '4,2').split(',').filter(Boolean);
const seed = a.num('seed', 1);
const log = (m: string) => console.error(m);

const { train, test } = mnist();
const teacher = distill ? teacherLogits(readDenseModel(new Uint8Array(readFileSync(teacherPath))), train, `${OUT_DIR}/lenet5-teacher-logits.f32`) : undefined;
mkdirSync(OUT_DIR, { recursive: true });

function setting(key: string): [string, Partial<CompressOptions>] {
  if (/^\d$/.test(key)) return [`DKM ${key}-bit`, { bits: Number(key) }];
  let m = /^m(\d)(\d)$/.exec(key);
  if (m) return [`DKM ${m[1]}-bit convs + fc2, ${m[2]}-bit fc1`, { bits: Number(m[1]), layers: { fc1: { bits: Number(m[2]) } } }];
  m = /^p(\d)(\d)?-(\d+)$/.exec(key);
  if (m) {
    const fc1 = { sparsity: Number(m[3]) / 100, block: '1x16', ...(m[2] ? { bits: Number(m[2]) } : {}) };
    return [`DKM ${m[1]}-bit${m[2] ? `, ${m[2]}-bit fc1` : ''}, fc1 ${m[3]}% pruned (1x16)`, { bits: Number(m[1]), layers: { fc1 } }];
  }
  throw new Error(`unknown setting ${key}`);
}

for (const widths of widthsList) {
  const tag = `w${widths.join('-')}${distill ? '' : '-nodistill'}`;
  const densePath = `${OUT_DIR}/lenet5-${tag}-dense.wpal`;
  let dense: DenseModel;
  const t0 = performance.now();
  if (existsSync(densePath) && !a.flag('retrain')) {
    dense = readDenseModel(new Uint8Array(readFileSync(densePath)));
    log(`dense ${tag} read from ${densePath}`);
  } else {
    const e = new Engine(new TrainModule());
    const fresh = freshModel('lenet5', { seed, classes: 10, inputShape: [28, 28, 1], widths });
    const net = graphNet(e, fresh);
    trainNet(e, net, train, { epochs, lr, weightDecay: wd, seed, teacher, alpha, temperature: T, log: (m) => log(`${tag} ${m}`) });
    dense = denseModelOf(net, fresh);
  }
  const command = `npx tsx scripts/experiments/lenet5-narrow.ts --widths ${widths.join(',')} --epochs ${epochs} --lr ${lr}${distill ? '' : ' --no-distill'} --dkm-epochs ${dkmEpochs} --settings ${settings.join(',')}`;
  await measure(densePath, buildDenseModel(dense).bytes, test, {
    model: `LeNet-5 ${widths.join(',')}`, setting: `dense float32, ${epochs} epochs from scratch${distill ? ` + distillation (T ${T}, alpha ${alpha})` : ''}`, command,
  }, LENET5_DENSE_BYTES, t0);
  for (const key of settings) {
    const [label, s] = setting(key);
    const t1 = performance.now();
    const r = compressModel(dense, train, {
      bits: 4, epochs: dkmEpochs, batchSize: 128, lr: dkmLr, distill: { temperature: T, alpha: 0.5 }, seed, ...s,
      onProgress: (p) => { if (p.testAccuracy !== undefined) log(`${tag} ${key} epoch ${p.epoch}: test ${(p.testAccuracy * 100).toFixed(2)}%`); },
      test,
    } as CompressOptions);
    log(`${tag} ${key}: engine test accuracy ${(r.accuracy! * 100).toFixed(2)}%`);
    await measure(`${OUT_DIR}/lenet5-${tag}-${key}-e${dkmEpochs}.wpal`, r.build().bytes, test, {
      model: `LeNet-5 ${widths.join(',')}`, setting: `${label} + self-distillation, ${dkmEpochs} epochs`, command,
    }, LENET5_DENSE_BYTES, t1);
  }
}
