/**
 * `--int8` on the trainer side: int8Compression turns any compression config into int8 palette
 * entries with int8 compute, and buildDenseModel marks FullyConnected and non-depthwise Conv2D ops
 * (int8 = 1), depthwise convs staying exact; layers without a palette are left as they were.
 */
import { describe, expect, it } from 'vitest';
import { buildMobileNetV1 } from '../../src/models/index.js';
import { buildDenseModel, int8Compression, readDenseModel } from '../../src/trainer/dense-model.js';
import { readModel } from '../../src/format/read.js';
import { loadModel } from '../../src/index.js';

describe('int8Compression + buildDenseModel', () => {
  it('int8 entries on palettized layers; FC and non-depthwise convs on int8 kernels, depthwise exact', async () => {
    const dense = readDenseModel(buildMobileNetV1({ inputSize: 32, alpha: 0.25, blocks: 3, classes: 10 }).bytes);
    // the classifier stays dense: int8 only where there is a palette
    const bytes = buildDenseModel(dense, int8Compression((l) => (l.kind === 'fc' ? undefined : { palette: { bits: 4 } }))).bytes;
    const info = readModel(bytes);
    for (const op of info.ops.filter((o) => o.type === 'Conv2D' || o.type === 'FullyConnected')) {
      const w = info.tensors[op.inputs[1]];
      const depthwise = op.type === 'Conv2D' && (op.attrs.groups as number) > 1;
      if (op.type === 'FullyConnected') {
        expect(w.weight!.dense, w.name).toBeDefined();
        expect(op.attrs.int8, w.name).toBe(0);
      } else {
        expect(w.weight!.palettized?.entryType, w.name).toBe('int8');
        expect(op.attrs.int8, w.name).toBe(depthwise ? 0 : 1);
      }
    }
    const m = await loadModel(bytes);
    const convs = m.kernelPlan().filter((p) => p.type === 'Conv2D').map((p) => p.kernel);
    expect(convs.filter((k) => k.startsWith('i8_conv2d')).length).toBeGreaterThan(0);
    expect(convs.filter((k) => !k.startsWith('i8_')).every((k) => k.startsWith('f32_dwconv2d'))).toBe(true);
    m.dispose();
  });
});
