import { describe, expect, it } from 'vitest';
import { KERNELS } from '../../src/runtime/kernels.js';
import { parseKernelName } from '../../src/runtime/kernel-name.js';
import { BUILDS, KernelHarness } from '../util/wasm.js';
import { LAYOUTS } from '../../src/format/layouts.js';

const NOT_KERNELS = new Set(['memory', 'heap_base', 'relaxed_simd_build']);

describe('kernel table', () => {
  for (const build of BUILDS) {
    it(`${build}: wasm exports and table rows are the same set`, () => {
      const h = new KernelHarness(build);
      const exported = Object.keys(h.exports).filter((k) => !NOT_KERNELS.has(k)).sort();
      const rows = KERNELS.map((r) => r.name).sort();
      expect(exported).toEqual(rows);
    });
  }

  it('every row name parses to the metadata it carries', () => {
    for (const row of KERNELS) {
      const parsed = parseKernelName(row.name);
      expect({ op: row.op, act: row.act, isa: row.isa, wenc: row.wenc }).toEqual({ op: parsed.op, act: parsed.act, isa: parsed.isa, wenc: parsed.wenc });
    }
    expect(new Set(KERNELS.map((r) => r.name)).size).toBe(KERNELS.length);
  });

  it('every weight encoding and op family has a reference kernel', () => {
    const families = new Set(KERNELS.map((r) => `${r.act}/${r.op}/${r.wenc ?? ''}/${r.sparse ? 'sparse' : ''}`));
    for (const f of families) {
      const [act, op, wenc, sparse] = f.split('/');
      const hasRef = KERNELS.some(
        (r) => r.isa === 'ref' && r.act === act && r.op === op && (!!r.sparse === (sparse === 'sparse')) &&
          ((r.wenc ?? '') === wenc || (r.maxBits !== undefined && wenc.startsWith('p') && r.maxBits === 8 && r.paletteEntry === wenc.slice(2))),
      );
      expect(hasRef, `no ref kernel for ${f}`).toBe(true);
    }
  });

  it('each weight token of a kernel name is read by exactly one weight layout row', () => {
    for (const row of KERNELS) {
      for (const token of row.name.split('__')[0].split('_').slice(2)) {
        if (/^\d+x\d+$/.test(token)) continue; // the tile
        expect(LAYOUTS.filter((l) => l.kernel.token(token)).map((l) => l.part), `${row.name} ${token}`).toHaveLength(1);
      }
    }
  });

  it('parseKernelName reads the documented example', () => {
    expect(parseKernelName('f32_gemm_p4f32_bs4x1_4x8__simd_swz')).toMatchObject({
      act: 'f32', op: 'gemm', wenc: 'p4f32', maxBits: 4, paletteEntry: 'f32', sparse: [4, 1], tile: [4, 8], isa: 'simd', variant: 'swz',
    });
    expect(() => parseKernelName('f32_gemm_dense')).toThrow(/__/);
  });
});
