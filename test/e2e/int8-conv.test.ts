/**
 * Convs with int8 = 1 through the public API: which kernels run (every non-depthwise conv, pointwise
 * included, on the i8 conv2d kernel; depthwise convs on the exact path), the accuracy cost against
 * the exact path on the same weights (relative RMS of the outputs), and the typed error for an int8
 * conv whose weights have no int8 palette entries.
 */
import { describe, expect, it } from 'vitest';
import { ModelWriter, loadModel } from '../../src/index.js';
import { WpalFormatError } from '../../src/format/errors.js';
import { buildMobileNetV1, buildResNet } from '../../src/models/index.js';
import { encodePalettized } from '../../src/encode/palette.js';
import { Rng } from '../util/rng.js';

function relRms(got: Float32Array, want: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < want.length; i++) {
    num += (got[i] - want[i]) ** 2;
    den += want[i] ** 2;
  }
  return Math.sqrt(num / den);
}

const INT8 = { palette: { bits: 4, entryType: 'int8' as const }, int8: true };
const EXACT = { palette: { bits: 4, entryType: 'int8' as const } };

describe('int8 convs', () => {
  const cases = [
    ['MobileNet-v1 a=0.5 64x64', (c: typeof INT8 | typeof EXACT) => buildMobileNetV1({ inputSize: 64, alpha: 0.5, blocks: 6, classes: 50, compression: c })],
    ['ResNet-18 w=16 48x48', (c: typeof INT8 | typeof EXACT) => buildResNet({ depth: 18, width: 16, inputSize: 48, blocks: [1, 1, 1, 1], classes: 50, compression: c })],
  ] as const;
  for (const [label, build] of cases) it(`${label}: non-depthwise convs on i8 kernels, outputs within 3% relative RMS of the exact path`, async () => {
    const fast = build(INT8);
    const exact = build(EXACT);
    for (const kernels of ['simd', 'ref'] as const) {
      const m = await loadModel(fast.bytes, { kernels });
      const e = await loadModel(exact.bytes, { kernels });
      const plan = m.kernelPlan().filter((p) => p.type === 'Conv2D');
      for (const p of plan) expect(p.kernel, p.kernel).toMatch(p.kernel.includes('dwconv2d') ? /^f32_dwconv2d_p8f32/ : /^i8_conv2d_p8i8/);
      expect(plan.some((p) => p.kernel.startsWith('i8_conv2d'))).toBe(true);
      const name = m.inputs[0].name;
      const x = new Rng(5).floats(2 * m.inputs[0].shape.reduce((a, b) => a * b, 1));
      const out = m.outputs[0].name;
      const got = m.run({ [name]: x })[out].data as Float32Array;
      const want = e.run({ [name]: x })[out].data as Float32Array;
      const err = relRms(got, want);
      console.log(`${label} (${kernels} kernels): int8 convs vs exact path, relative RMS of the logits ${(100 * err).toFixed(2)}%`);
      expect(err).toBeGreaterThan(0);
      expect(err, kernels).toBeLessThan(0.03);
      m.dispose();
      e.dispose();
    }
  });

  it('int8 = 1 on a conv without int8 palette entries is a WpalFormatError', () => {
    const rng = new Rng(1);
    const w = new ModelWriter({ name: 'bad-int8-conv' });
    const x = w.input('input', [6, 6, 3]);
    const W = w.weight('w', [4, 3, 3, 3], encodePalettized(rng.floats(4 * 27), 4, 27, { bits: 4, seed: 1 }));
    expect(() => w.op('Conv2D', [x, W], { attrs: { int8: 1 } })).toThrow(/int8 = 1 needs a palettized weight with int8 palette entries/);
    expect(() => w.op('Conv2D', [x, W], { attrs: { int8: 1 } })).toThrow(WpalFormatError);
  });
});
