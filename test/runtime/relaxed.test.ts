/**
 * The relaxed-SIMD build through the public API (LoadOptions.relaxedSimd, Model.relaxedSimd).
 *
 * 1. An engine without exact relaxed SIMD (plain Node 20, in a child process so this file's V8 flags
 *    do not reach it): `relaxedSimd: true` warns once, saying why, and runs the baseline build.
 * 2. With relaxed SIMD (this process turns on V8's flag, and off its baseline compiler, whose relaxed
 *    dot is wrong in Node 20): the default still runs the baseline build (the relaxed one is opt-in:
 *    not faster on x64, docs/relaxed-simd.md); with `relaxedSimd: true`, int8 models (int8 convs and
 *    FCs, batch 1 and 2) give the same bits on the relaxed build as on the baseline build, at 1 and
 *    2 threads.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/index.js';
import { hasRelaxedSimd } from '../../src/runtime/wasm.js';
import { buildLeNet300100, buildMobileNetV1, buildResNet } from '../../src/models/index.js';
import { Rng } from '../util/rng.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('relaxed SIMD absent (plain Node 20)', () => {
  it('relaxedSimd: true warns once and runs the baseline build; the default says nothing', () => {
    const script = `
      import { loadModel } from './src/index.ts';
      import { buildLeNet300100 } from './src/models/index.ts';
      const warnings = [];
      console.warn = (m) => warnings.push(String(m));
      const { bytes } = buildLeNet300100({ compression: { palette: { bits: 4, entryType: 'int8' }, int8: true } });
      const a = await loadModel(bytes);
      const b = await loadModel(bytes, { relaxedSimd: true });
      const c = await loadModel(bytes, { relaxedSimd: true });
      process.stdout.write(JSON.stringify({ a: a.relaxedSimd, b: b.relaxedSimd, c: c.relaxedSimd, warnings }));
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    const r = JSON.parse(out) as { a: boolean; b: boolean; c: boolean; warnings: string[] };
    if (Number(process.versions.node.split('.')[0]) === 20) {
      expect(r).toMatchObject({ a: false, b: false, c: false });
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]).toMatch(/relaxedSimd: true was asked for, but this engine has no relaxed SIMD/);
    } else {
      // newer engines may have it: then the asked-for runs use it and nothing is said
      expect(r.a).toBe(false);
      expect(r.b).toBe(r.c);
      expect(r.warnings).toHaveLength(r.b ? 0 : 1);
    }
  });
});

describe('relaxed SIMD present', () => {
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  v8.setFlagsFromString('--no-liftoff');

  const INT8 = { palette: { bits: 4, entryType: 'int8' as const }, int8: true };
  const INT8_2 = { palette: { bits: 2, entryType: 'int8' as const }, int8: true };
  const cases = [
    ['LeNet-300-100, 4-bit int8 FCs', () => buildLeNet300100({ compression: INT8 })],
    ['LeNet-300-100, 2-bit int8 FCs', () => buildLeNet300100({ compression: INT8_2 })],
    ['MobileNet-v1 a=0.5 64x64, int8 convs', () => buildMobileNetV1({ inputSize: 64, alpha: 0.5, blocks: 6, classes: 50, compression: INT8 })],
    ['ResNet-18 w=16 48x48, int8 convs', () => buildResNet({ depth: 18, width: 16, inputSize: 48, blocks: [1, 1, 1, 1], classes: 50, compression: INT8 })],
  ] as const;

  it('the probe accepts the engine once Liftoff is off', () => {
    expect(hasRelaxedSimd()).toBe(true);
  });

  for (const [label, build] of cases) {
    it(`${label}: same bits as the baseline build, batch 1 and 2, 1 and 2 threads`, async () => {
      const { bytes } = build();
      const base = await loadModel(bytes, { threads: 1 });
      expect(base.relaxedSimd).toBe(false); // opt-in
      for (const threads of [1, 2]) {
        const m = await loadModel(bytes, { threads, relaxedSimd: true });
        expect(m.relaxedSimd).toBe(true);
        expect(m.threads).toBe(threads);
        for (const batch of [1, 2]) {
          const shape = m.inputs[0].shape;
          const x = new Rng(7 + batch).floats(batch * shape.reduce((a, b) => a * b, 1));
          const feed = { [m.inputs[0].name]: { data: x, shape: [batch, ...shape] } };
          const out = m.outputs[0].name;
          const got = m.run(feed)[out].data as Float32Array;
          const want = base.run(feed)[out].data as Float32Array;
          expect(got.length).toBe(want.length);
          expect(Array.from(new Uint32Array(got.buffer, got.byteOffset, got.length)), `${threads} thread(s), batch ${batch}`)
            .toEqual(Array.from(new Uint32Array(want.buffer, want.byteOffset, want.length)));
        }
        m.dispose();
      }
      base.dispose();
    });
  }
});
