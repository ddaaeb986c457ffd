/**
 * Every frozen fixture under test/fixtures/format/v<major>.<minor>/ (never regenerated) still reads
 * with this reader, as its own version, with every op known to the current registry; where this
 * build has kernels for all its layers it also runs (SIMD and reference kernels) and matches the
 * float64 graph oracle. A newer minor version of the format must keep every older file's meaning.
 * (compat.test.ts checks the 1.0 fixture's contents in detail. The 1.0 fixture itself does not run:
 * its fc2 is block-sparse float16, which no gemm kernel of this build takes; loadModel says so.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/runtime/load.js';
import { WpalEngineError } from '../../src/runtime/errors.js';
import { readModel } from '../../src/format/read.js';
import { opSchema } from '../../src/format/ops.js';
import { FORMAT_MAJOR, FORMAT_MINOR } from '../../src/format/version.js';
import { runModelOracle } from '../oracle/model-ops.js';
import { expectClose } from '../util/compare.js';
import { Rng } from '../util/rng.js';

const root = new URL('../fixtures/format/', import.meta.url);
const fixtures = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && /^v\d+\.\d+$/.test(d.name))
  .flatMap((d) => readdirSync(new URL(`${d.name}/`, root)).filter((f) => f.endsWith('.wpal')).map((f) => `${d.name}/${f}`));

describe('compat: every frozen fixture', () => {
  it('there is at least the 1.0 fixture', () => expect(fixtures).toContain('v1.0/mlp.wpal'));

  for (const path of fixtures) {
    it(`${path}: reads as its own version (<= ${FORMAT_MAJOR}.${FORMAT_MINOR}) and runs like the oracle`, async () => {
      const bytes = new Uint8Array(readFileSync(new URL(path, root)));
      const info = readModel(bytes);
      const [major, minor] = path.split('/')[0].slice(1).split('.').map(Number);
      expect([info.formatMajor, info.formatMinor]).toEqual([major, minor]);
      expect(major === FORMAT_MAJOR && minor <= FORMAT_MINOR).toBe(true);
      for (const op of info.ops) expect(opSchema(op.type), op.type).toBeDefined();
      for (const kernels of ['simd', 'ref'] as const) {
        let model;
        try {
          model = await loadModel(bytes, { kernels });
        } catch (e) {
          // A layer this build has no kernel for: a runtime gap, named in the error, not a format one.
          expect(e).toBeInstanceOf(WpalEngineError);
          expect(String(e)).toMatch(/this build has no \w+ kernel for/);
          continue;
        }
        const rng = new Rng(3);
        const batch = 2;
        const inputs = Object.fromEntries(
          model.inputs.map((s) => [s.name, rng.floats(batch * s.shape.reduce((a, b) => a * b, 1))]),
        );
        const got = model.run(inputs);
        const want = runModelOracle(info, inputs, batch);
        for (const s of model.outputs) expectClose(got[s.name].data, want[s.name], { abs: 1e-5, rel: 1e-4 }, `${path} ${s.name} (${kernels})`);
        model.dispose();
      }
    });
  }
});
