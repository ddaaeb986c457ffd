/**
 * The text classifier on SST-2 (src/trainer/engine/text.ts, src/models/text.ts): dense training on
 * the 67,349 training phrases (cached as build/experiments/sst2-<tag>-dense.wpal), then DKM at
 * uniform 4, 2, 1 bits, a mixed setting (word table at --mixed-emb-bits with a palette per
 * --mixed-group rows, every other weight at --mixed-bits) and an allocator target of dense / --ratio
 * bytes, all fine-tuned with distillation from the dense model (compressModel). Every file is
 * written under build/experiments/ and measured THROUGH THE RUNTIME (loadModel on the written
 * bytes) on the full 872-sentence dev set; one JSON line per result:
 * accuracy, whole-file bytes, ratio = dense float32 weight bytes / file bytes, wall seconds.
 *
 *   npx tsx scripts/experiments/sst2.ts --runs dense,4,2,1,mixed,target
 *
 * Options: --seq 32 --buckets 16384 --dim 64 --layers 2 --heads 4 --ffn 128 --epochs N (2) --lr X (5e-4)
 * --wd X (0.1, AdamW) --word-dropout P (0.3) --seed N --retrain --runs list (dense,4,2,1,mixed,target) --dkm-epochs N (1)
 * --dkm-lr X (3e-4, Adam) --batch N (128, DKM) --no-distill --mixed-emb-bits B (2) --mixed-group R (0 = per tensor)
 * --mixed-bits B (4) --ratio R (12) --alloc-bits 1,2,3,4 --calibration N (2000).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Engine, TrainModule, graphNet, trainTextClassifier, type Examples } from '../../src/trainer/engine/index.js';
import { freshModel } from '../../src/trainer/architectures.js';
import { buildDenseModel, compressModel, denseModelOf, readDenseModel, type CompressOptions, type DenseModel, type LayerSetting } from '../../src/trainer/compress.js';
import { denseF32Bytes, targetForRatio } from '../../src/trainer/allocate/index.js';
import { hashedExamples, loadSst2 } from '../../src/trainer/data/index.js';
import { loadModel } from '../../src/runtime/load.js';
import { OUT_DIR, argParser } from './common.js';

const a = argParser();
const cfg = { seq: a.num('seq', 32), buckets: a.num('buckets', 16384), dim: a.num('dim', 64), layers: a.num('layers', 2), heads: a.num('heads', 4), ffn: a.num('ffn', 128) };
const epochs = a.num('epochs', 2);
const seed = a.num('seed', 1);
const runs = a.str('runs', 'dense,4,2,1,mixed,target').split(',');
const distill = a.flag('no-distill') ? false : { temperature: 2, alpha: 0.5 };
const command = `npx tsx scripts/experiments/sst2.ts ${process.argv.slice(2).join(' ')}`.trim();
const log = (m: string) => console.error(m);

const tr = loadSst2('train'), dv = loadSst2('dev');
const train = hashedExamples(tr.sentences, tr.labels, cfg);
const dev = hashedExamples(dv.sentences, dv.labels, cfg);
const tag = `t${cfg.seq}-b${cfg.buckets}-d${cfg.dim}-l${cfg.layers}-h${cfg.heads}-f${cfg.ffn}-e${epochs}${seed !== 1 ? `-s${seed}` : ''}`;

/** Accuracy of a .wpal file through the runtime, on the dev set (one batch). */
async function runtimeDev(bytes: Uint8Array, data: Examples): Promise<{ accuracy: number; correct: number }> {
  const model = await loadModel(bytes);
  const ids = Int32Array.from(data.x);
  const logits = model.run({ input_ids: { data: ids, shape: [data.count, cfg.seq] } }).logits.data;
  let correct = 0;
  for (let i = 0; i < data.count; i++) if ((logits[2 * i + 1] > logits[2 * i] ? 1 : 0) === data.y[i]) correct++;
  model.dispose?.();
  return { accuracy: correct / data.count, correct };
}

async function measure(path: string, bytes: Uint8Array, row: Record<string, unknown>, denseBytes: number, t0: number) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  const acc = await runtimeDev(new Uint8Array(readFileSync(path)), dev);
  const out = {
    model: `text transformer (${cfg.layers} layers, d ${cfg.dim}, ${cfg.heads} heads, ffn ${cfg.ffn}, ${cfg.buckets} hash buckets, seq ${cfg.seq})`,
    ...row, command, file: path, accuracy: Number((acc.accuracy * 100).toFixed(2)), correct: acc.correct, examples: dev.count,
    bytes: bytes.length, denseBytes, ratio: Number((denseBytes / bytes.length).toFixed(2)), wallSeconds: Math.round((performance.now() - t0) / 1000),
  };
  console.log(JSON.stringify(out));
  return out;
}

const densePath = `${OUT_DIR}/sst2-${tag}-dense.wpal`;
let dense: DenseModel;
let t0 = performance.now();
if (existsSync(densePath) && !a.flag('retrain')) {
  dense = readDenseModel(new Uint8Array(readFileSync(densePath)));
  log(`dense read from ${densePath}`);
} else {
  const e = new Engine(new TrainModule());
  const fresh = freshModel('transformer', { seed, classes: 2, inputShape: [cfg.seq], text: cfg });
  const net = graphNet(e, fresh);
  trainTextClassifier(e, net, train, {
    epochs, lr: a.num('lr', 5e-4), wordDropout: a.num('word-dropout', 0.3), weightDecay: a.num('wd', 0.1), seed, test: dev,
    onEpoch: (r) => log(`dense epoch ${r.epoch}: loss ${r.loss.toFixed(4)} train ${(r.trainAccuracy * 100).toFixed(2)}% dev (engine) ${(r.testAccuracy! * 100).toFixed(2)}% ${r.examplesPerSecond.toFixed(0)} ex/s ${r.seconds.toFixed(0)} s`),
  });
  dense = denseModelOf(net, fresh);
}
const denseBytes = denseF32Bytes(dense);
const denseRow = runs.includes('dense') || !existsSync(densePath)
  ? await measure(densePath, buildDenseModel(dense).bytes, { setting: `dense float32, ${epochs} epochs, AdamW lr ${a.num('lr', 5e-4)} wd ${a.num('wd', 0.1)}, word dropout ${a.num('word-dropout', 0.3)}` }, denseBytes, t0)
  : null;
if (denseRow) log(`dense: ${denseRow.accuracy}% (${denseRow.bytes} B)`);

const TABLE = 'embeddings.word_embeddings';
async function compressRun(name: string, setting: string, o: Partial<CompressOptions>) {
  t0 = performance.now();
  const r = compressModel(dense, train, {
    epochs: a.num('dkm-epochs', 1), batchSize: a.num('batch', 128), optimizer: 'adam', lr: a.num('dkm-lr', 3e-4), seed, distill,
    onProgress: (p) => { if (p.step % 100 === 0) log(`${name}: step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} acc ${(p.accuracy * 100).toFixed(1)}% eta ${p.etaSeconds.toFixed(0)} s`); },
    progressEvery: 100,
    ...o,
  } as CompressOptions);
  const layers = r.layers.map((l) => `${l.name.replace('.weight', '')}:${l.bits}${l.groupRows ? `/g${l.groupRows}` : ''}`).join(' ');
  return measure(`${OUT_DIR}/sst2-${tag}-${name}.wpal`, r.build().bytes, {
    setting: `${setting}; DKM ${a.num('dkm-epochs', 1)} epoch(s), Adam ${a.num('dkm-lr', 3e-4)}${distill ? ', distilled from dense (T 2, alpha 0.5)' : ''}`,
    layers, ...(r.allocation ? { targetBytes: r.allocation.targetBytes } : {}), imagesPerSecond: Math.round(r.imagesPerSecond),
  }, denseBytes, t0);
}

for (const run of runs) {
  if (run === 'dense') continue;
  if (/^\d$/.test(run)) await compressRun(`dkm${run}`, `DKM ${run}-bit, every weight matrix and the word table, one palette per tensor`, { bits: Number(run) });
  else if (run === 'mixed') {
    const eb = a.num('mixed-emb-bits', 2), g = a.num('mixed-group', 0), b = a.num('mixed-bits', 4);
    const layers: Record<string, LayerSetting> = { [TABLE]: { bits: eb, groupRows: g } };
    await compressRun(`mixed-e${eb}g${g}-b${b}`, `mixed: word table ${eb}-bit${g ? ` (a palette per ${g} rows)` : ''}, other weights ${b}-bit`, { bits: b, layers });
  } else if (run === 'target') {
    const ratio = a.num('ratio', 12);
    const target = targetForRatio(dense, ratio);
    await compressRun(`target${ratio}x`, `allocator target dense / ${ratio} = ${target} B (bits ${a.str('alloc-bits', '1,2,3,4')}, no pruning)`, {
      targetBytes: target,
      allocation: { bits: a.str('alloc-bits', '1,2,3,4').split(',').map(Number), sparsities: [0], calibration: a.num('calibration', 2000) },
    });
  } else throw new Error(`unknown run ${run}`);
}
