/**
 * Size claims: a model file costs its payload (indices + palettes + masks + dense tensors + scales)
 * plus at most 1% + 4 KB of graph, metadata, FlatBuffers tables and alignment padding. Checked on
 * full-size ResNet-50, MobileNet-v1 and the DistilBERT-shaped encoder written with DKM-paper-like
 * settings (random weights, writer only), and printed next to the paper's figures.
 *
 * The DKM paper reaches ResNet-50 3.3 MB and MobileNet-v1 0.72 MB with multi-dimensional palettes
 * (a centroid is a short vector: about 1 bit per weight); format 1.0 has only scalar palettes, so the
 * bits-per-weight-equivalent row here is scalar 1-bit. "first conv 8-bit" follows the usual practice
 * of keeping the 3-channel input layer (9.4k / 0.9k weights) at higher precision; the fc layer is
 * palettized like the rest (it is 8% of ResNet-50 and 24% of MobileNet-v1).
 *
 * Every full-size case runs in the default suite (k-means on 25M weights takes ~2.5 s). WPAL_SLOW=1
 * adds more settings (ResNet-50 3-bit, MobileNet-v1 2-bit, DistilBERT 4-bit).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readModel } from '../../src/format/read.js';
import { sizeReport } from '../../src/format/size.js';
import { buildDistilBert, buildMobileNetV1, buildResNet, type BuiltModel, type CompressionConfig, type LayerDesc } from '../../src/models/index.js';

const SLOW = process.env.WPAL_SLOW === '1';

interface Row {
  model: string;
  setting: string;
  params: number;
  fileBytes: number;
  payload: number;
  overhead: number;
  ratio: number;
  paper: string;
}
const rows: Row[] = [];

/** Records the row; returns the overhead and the 1% + 4 KB allowance. */
function measure(model: string, setting: string, paper: string, built: BuiltModel): { overhead: number; allowed: number } {
  const rep = sizeReport(readModel(built.bytes));
  const payload = rep.fileBytes - rep.byKind.graphAndMetadata;
  const k = rep.byKind;
  expect(payload).toBe(k.palettes + k.indices + k.masks + k.dense + k.scales);
  rows.push({ model, setting, params: built.params, fileBytes: rep.fileBytes, payload, overhead: k.graphAndMetadata, ratio: rep.ratio, paper });
  return { overhead: k.graphAndMetadata, allowed: payload * 0.01 + 4096 };
}

function check(model: string, setting: string, paper: string, built: BuiltModel): void {
  const { overhead, allowed } = measure(model, setting, paper, built);
  expect(overhead, `${model} ${setting}: ${overhead} bytes of overhead, ${Math.floor(allowed)} allowed`).toBeLessThanOrEqual(allowed);
}

/** first conv 8-bit, every other conv / fc `bits` (one palette per tensor). */
const cnn = (bits: number, firstBits = 8): CompressionConfig => (l: LayerDesc) => ({ palette: { bits: l.index === 0 ? firstBits : bits } });

afterAll(() => {
  const mb = (b: number) => (b / 1e6).toFixed(3);
  const lines = [
    '| model | setting | params | file MB | payload MB | overhead B | ratio vs f32 | paper |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.model} | ${r.setting} | ${(r.params / 1e6).toFixed(2)}M | ${mb(r.fileBytes)} | ${mb(r.payload)} | ${r.overhead} | ${r.ratio.toFixed(1)}x | ${r.paper} |`),
  ];
  console.log(`\nSize claims (random weights, writer only):\n${lines.join('\n')}\n`);
});

describe('file size = payload + at most 1% + 4 KB', () => {
  it('ResNet-50 224, 1-bit (bits/weight of the paper) and 2-bit palettes', () => {
    check('ResNet-50', '1-bit, first conv 8-bit', '3.3 MB, 29.4x (74.5% top-1)', buildResNet({ depth: 50, compression: cnn(1) }));
    check('ResNet-50', '2-bit, first conv 8-bit', '', buildResNet({ depth: 50, compression: cnn(2) }));
    if (SLOW) check('ResNet-50', '3-bit, first conv 8-bit', '', buildResNet({ depth: 50, compression: cnn(3) }));
  });

  // MobileNet-v1 at 1 bit is a 0.64 MB file holding 114 tensors and 57 ops: the allowance is
  // ~10.4 KB. It fits because the writer stores only non-default attributes, shares op-type and
  // attribute-name strings, stores int attributes as int32, and leaves out what the reader can
  // rebuild: op outputs' shapes (inferred) and intermediate activation names.
  const mbCfg: CompressionConfig = (l) => ({ palette: { bits: l.kind === 'dwconv' || l.index === 0 ? 8 : 1 } });
  it('MobileNet-v1 1.0 224: 1-bit pointwise + fc, 8-bit depthwise and first conv', () => {
    check('MobileNet-v1', '1-bit pw + fc, 8-bit dw + first conv', '0.72 MB, 22.4x (63.9% top-1)', buildMobileNetV1({ compression: mbCfg }));
    if (SLOW) {
      const cfg2: CompressionConfig = (l) => ({ palette: { bits: l.kind === 'dwconv' || l.index === 0 ? 8 : 2 } });
      check('MobileNet-v1', '2-bit pw + fc, 8-bit dw + first conv', '', buildMobileNetV1({ compression: cfg2 }));
    }
  });

  it('DistilBERT-shaped encoder (66M): 3-bit linears, 2-bit word embeddings', () => {
    const cfg: CompressionConfig = (l) => ({ palette: { bits: l.name === 'embeddings.word_embeddings.weight' ? 2 : 3 } });
    check('DistilBERT-shaped', '3-bit linears + position table, 2-bit word embeddings', '11.8x (-1.1% GLUE)', buildDistilBert({ compression: cfg }));
    if (SLOW) check('DistilBERT-shaped', '4-bit everywhere', '', buildDistilBert({ compression: { palette: { bits: 4 } } }));
  });

  // Beyond the paper settings: pruning shrinks the payload to 2.1 MB while the graph of 322
  // tensors / 160 ops stays.
  it('ResNet-50 224, 2-bit palettes + 8x1 blocks 75% dropped (first conv dense): overhead < 1% + 4 KB', () => {
    const cfg: CompressionConfig = (l) => (l.index === 0 ? undefined : { palette: { bits: 2 }, sparse: { block: [8, 1], sparsity: 0.75 } });
    const m = measure('ResNet-50', '2-bit + 8x1 blocks 75%, first conv dense f32', 'ADMM prune+quant: 17x', buildResNet({ depth: 50, compression: cfg }));
    expect(m.overhead).toBeLessThanOrEqual(m.allowed);
  });
});
