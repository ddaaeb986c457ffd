/**
 * The resizenearest / resizebilinear rows of SPATIAL_KERNELS on both builds: random valid tables
 * (any in-range source rows / columns, weights in [0, 1] with exact 0 and 1 among them) over NHWC
 * images, against the ABI oracle of test/oracle/resize.ts (nearest exact; bilinear within the
 * tolerance stated there) and SIMD against ref bit for bit. Channels 1..33 (around the 4 lanes and
 * the 64-byte memory.copy threshold), odd sizes, up- and downsampling shapes, batch 1 / 3 with padded
 * image strides (NaN between images must stay), guard bytes. The coordinate transforms that fill
 * the tables are tested at the op level (test/e2e/onnx-spatial.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { SPATIAL_KERNELS } from '../../src/runtime/kernels/spatial.js';
import { BUILDS, KernelHarness, type Build } from '../util/wasm.js';
import { Rng, withSeed } from '../util/rng.js';
import { seedOf } from '../util/sweep.js';
import { BILINEAR_TOL, resizeFromTables, type LerpEntry, type ResizeGeom } from '../oracle/resize.js';

const SENTINEL = 0x7fc0dead;
const ROWS = SPATIAL_KERNELS.filter((r) => r.op === 'resizenearest' || r.op === 'resizebilinear');
const CHANNELS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33];

interface Case { nb: number; g: ResizeGeom; x: Float32Array; rows: Int32Array | LerpEntry[]; cols: Int32Array | LerpEntry[]; xPad: number; yPad: number }

function makeCase(kind: 'nearest' | 'bilinear', rng: Rng, t: number): Case {
  const C = CHANNELS[t % CHANNELS.length];
  const H = rng.int(1, 7), W = rng.int(1, 9);
  const OH = t % 4 === 0 ? rng.int(1, 3) : rng.int(1, 2 * H + 3), OW = t % 4 === 1 ? rng.int(1, 3) : rng.int(1, 2 * W + 3);
  const nb = t % 3 === 0 ? 3 : 1;
  const table = (n: number, len: number) => {
    if (kind === 'nearest') return Int32Array.from({ length: n }, (_, i) => (i % 5 === 1 ? Math.max(0, rng.int(0, len - 1) - 1) : rng.int(0, len - 1)));
    return Array.from({ length: n }, (_, i) => {
      const i0 = rng.int(0, len - 1);
      const i1 = rng.next() < 0.7 ? Math.min(i0 + 1, len - 1) : rng.int(0, len - 1);
      const tt = i % 4 === 0 ? 0 : i % 4 === 1 ? 1 : Math.fround(rng.next());
      return { i0, i1, t: tt };
    });
  };
  return {
    nb, g: { H, W, C, OH, OW }, x: rng.floats(nb * H * W * C, -4, 4), rows: table(OH, H), cols: table(OW, W),
    xPad: t % 2 ? rng.int(1, 5) : 0, yPad: t % 5 === 2 ? rng.int(1, 5) : 0,
  };
}

function packTable(t: Int32Array | LerpEntry[]): ArrayBufferView {
  if (t instanceof Int32Array) return t;
  const buf = new ArrayBuffer(12 * t.length);
  const dv = new DataView(buf);
  t.forEach((e, i) => {
    dv.setInt32(12 * i, e.i0, true);
    dv.setInt32(12 * i + 4, e.i1, true);
    dv.setFloat32(12 * i + 8, e.t, true);
  });
  return new Uint8Array(buf);
}

function run(h: KernelHarness, name: string, c: Case): Float32Array {
  h.reset();
  const { H, W, C, OH, OW } = c.g;
  const imgX = H * W * C, imgY = OH * OW * C;
  const xs = imgX + c.xPad, ys = imgY + c.yPad;
  const xb = new Float32Array(c.nb * xs).fill(NaN);
  for (let b = 0; b < c.nb; b++) xb.set(c.x.subarray(b * imgX, (b + 1) * imgX), b * xs);
  const x = h.put(xb);
  const y = h.alloc(4 * c.nb * ys);
  new Uint32Array(h.memory.buffer, y, c.nb * ys).fill(SENTINEL);
  const params = h.put(Int32Array.from([H, W, C, OH, OW, h.put(packTable(c.rows)), h.put(packTable(c.cols)), 0]));
  h.exports[name](c.nb, x, y, 4 * xs, 4 * ys, params);
  h.checkGuards();
  const raw = new Uint32Array(h.memory.buffer, y, c.nb * ys);
  const out = new Float32Array(c.nb * imgY);
  const rawF = new Float32Array(h.memory.buffer, y, c.nb * ys);
  for (let b = 0; b < c.nb; b++) for (let i = 0; i < ys; i++) {
    if (i < imgY) out[b * imgY + i] = rawF[b * ys + i];
    else if (raw[b * ys + i] !== SENTINEL) throw new Error(`${name} wrote y padding of image ${b} at ${i}`);
  }
  return out;
}

describe.each(BUILDS)('resize kernels, %s build', (build: Build) => {
  const h = new KernelHarness(build);
  for (const row of ROWS) {
    const kind = row.op === 'resizenearest' ? 'nearest' : 'bilinear';
    const ref = ROWS.find((r) => r.op === row.op && r.isa === 'ref')!.name;
    it(`${row.name}: 120 random tables, channels 1..33, batch 1 / 3`, () => {
      const seed = seedOf(row.name, build, 'resize');
      const rng = new Rng(seed);
      for (let t = 0; t < 120; t++) {
        const c = makeCase(kind, rng, t);
        const what = `${row.name} case ${t}: n=${c.nb} ${c.g.H}x${c.g.W}x${c.g.C} -> ${c.g.OH}x${c.g.OW} xpad=${c.xPad} ypad=${c.yPad}`;
        withSeed(seed, () => {
          const got = run(h, row.name, c);
          const { y, mag } = resizeFromTables(kind, c.nb, c.g, c.x, c.rows, c.cols);
          for (let i = 0; i < got.length; i++) {
            const tol = kind === 'nearest' ? 0 : BILINEAR_TOL * mag[i];
            if (!(Math.abs(got[i] - y[i]) <= tol)) throw new Error(`${what}: y[${i}] = ${got[i]}, expected ${y[i]} (tol ${tol})`);
          }
          if (row.isa !== 'ref') {
            const r = run(h, ref, c);
            const ua = new Uint32Array(got.buffer), ub = new Uint32Array(r.buffer);
            for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) throw new Error(`${what}: y[${i}] = ${got[i]}, ${ref} gives ${r[i]}`);
          }
        });
      }
    });
  }
  if (build === 'debug') {
    it('the debug build rejects a table index outside the image', () => {
      h.reset();
      const x = h.alloc(4096), y = h.alloc(4096);
      const params = h.put(Int32Array.from([2, 2, 1, 2, 2, h.put(Int32Array.from([0, 2])), h.put(Int32Array.from([0, 1])), 0]));
      expect(() => h.exports.f32_resizenearest__simd(1, x, y, 0, 0, params)).toThrow(/assert/);
    });
  }
});
