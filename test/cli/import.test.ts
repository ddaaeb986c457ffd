/**
 * `wpal import` and `wpal compress --epochs 0` driven through main(argv, io): the file is written
 * (and loads), --report and --json print what the import found, bad input gives one line and
 * exit 1, the input is never overwritten, and post-training compression works on the import.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/util/io.js';
import { readModel } from '../../src/format/read.js';
import { loadModel } from '../../src/index.js';
import { buildOnnx } from '../util/onnx-build.js';
import { Rng } from '../util/rng.js';

const tmp = mkdtempSync(join(tmpdir(), 'wpal-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function wpal(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (s) => void out.push(s), err: (s) => void err.push(s), errIsTTY: false, columns: 120 };
  const code = await main(argv, io);
  return { code, out: out.join(''), err: err.join('') };
}

const rng = new Rng(5);
const palette = [-0.5, -0.1, 0.2, 0.7];
const onnxFile = join(tmp, 'mlp.onnx');
writeFileSync(
  onnxFile,
  buildOnnx({
    inputs: [{ name: 'features', dims: ['N', 'len'] }],
    outputs: [{ name: 'score' }],
    inits: {
      w: { dims: [32, 48], values: Array.from({ length: 32 * 48 }, () => palette[rng.int(0, 3)]) },
      w2: { dims: [3, 32], values: rng.floats(96) },
    },
    nodes: [
      { op: 'Gemm', inputs: ['features', 'w'], outputs: ['h'], attrs: { transB: 1 } },
      { op: 'Relu', inputs: ['h'], outputs: ['r'] },
      { op: 'Gemm', inputs: ['r', 'w2'], outputs: ['score'], attrs: { transB: 1 } },
    ],
  }),
);

describe('wpal import', () => {
  const out = join(tmp, 'mlp.wpal');

  it('needs --shape for a dynamic dimension, and says so in one line (exit 1)', async () => {
    const r = await wpal('import', onnxFile, '-o', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/input "features" dimension 1 \("len"\) is dynamic: give the shape with --shape features=1xD/);
    expect(existsSync(out)).toBe(false);
  });

  it('writes a loadable file; --report shows the 2-bit palette found', async () => {
    const r = await wpal('import', onnxFile, '--shape', 'features=1x48', '-o', out, '--report');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/w +\[32, 48\] +4 +palette +2 +32 +- +6144 +400/);
    expect(r.out).toMatch(/wrote .*mlp\.wpal/);
    const m = await loadModel(new Uint8Array(readFileSync(out)));
    expect(m.inputs[0]).toMatchObject({ name: 'features', shape: [48] });
    expect(m.run({ features: new Float32Array(2 * 48) }).score.shape).toEqual([2, 3]);
    m.dispose();
  });

  it('--json prints the whole report', async () => {
    const r = await wpal('import', onnxFile, '--shape', 'features=1x48', '-o', out, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.weights[0]).toMatchObject({ name: 'w', found: 'palette', bits: 2 });
    expect(j.wpalOps).toEqual({ FullyConnected: 2, Relu: 1 });
  });

  it('refuses to overwrite its input, bad --shape text, and corrupt files (exit 1 or 2, one line)', async () => {
    expect((await wpal('import', onnxFile, '-o', onnxFile)).code).toBe(2);
    expect((await wpal('import', onnxFile, '--shape', 'features=1xabc', '-o', out)).err).toMatch(/not NAME=DIMS/);
    const bad = join(tmp, 'bad.onnx');
    writeFileSync(bad, readFileSync(onnxFile).subarray(0, 200));
    const r = await wpal('import', bad, '-o', join(tmp, 'x.wpal'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not a valid ONNX file/);
    expect(r.err).not.toMatch(/at .*\.ts/);
  });
});

describe('wpal compress --epochs 0 (post-training, any model)', () => {
  it('clusters the imported model and prints the per-layer report', async () => {
    const dense = join(tmp, 'dense.wpal');
    expect((await wpal('import', onnxFile, '--shape', 'features=1x48', '--dense', '-o', dense)).code).toBe(0);
    const out = join(tmp, 'ptq.wpal');
    const r = await wpal('compress', dense, '--epochs', '0', '--bits', '3', '--group-rows', '8', '-o', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/w +FullyConnected +\[32, 48\] +3 +8/);
    expect(r.out).toMatch(/output score: relative RMS/);
    const info = readModel(new Uint8Array(readFileSync(out)));
    expect(info.tensors.find((t) => t.name === 'w')!.weight!.palettized).toMatchObject({ bits: 3, groupRows: 8 });
  });

  it('options that need training are usage errors with --epochs 0', async () => {
    for (const [flag, ...value] of [['--data', 'mnist'], ['--shift', '1'], ['--teacher', join(tmp, 'dense.wpal')]]) {
      const r = await wpal('compress', join(tmp, 'dense.wpal'), '--epochs', '0', flag!, ...value, '-o', join(tmp, 'y.wpal'));
      expect(r.code, flag).toBe(2);
      expect(r.err).toContain(`${flag} needs training`);
    }
  });

  it('--calibration FILE.npy: sensitivity-weighted, said in the report', async () => {
    const npy = join(tmp, 'calib.npy');
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (20, 48), }";
    const pad = 64 - ((10 + header.length + 1) % 64);
    const h = new TextEncoder().encode(header + ' '.repeat(pad) + '\n');
    const bytes = new Uint8Array(10 + h.length + 20 * 48 * 4);
    bytes.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, h.length & 0xff, h.length >> 8]);
    bytes.set(h, 10);
    bytes.set(new Uint8Array(rng.floats(20 * 48).buffer), 10 + h.length);
    writeFileSync(npy, bytes);
    const r = await wpal('compress', join(tmp, 'dense.wpal'), '--epochs', '0', '--bits', '2', '--calibration', npy, '-o', join(tmp, 'cal.wpal'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/weighted by calibration E\[x\^2\]/);
    expect(r.out).toMatch(/\(on calibration\)/);
  });
});
