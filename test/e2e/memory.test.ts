/**
 * The on-device size claim: after loading, the model's WebAssembly memory is the file, plus the
 * activation arena, plus a small fixed overhead; never the dense float32 size.
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/index.js';
import { buildWide } from './models.js';

// Fixed overhead allowed: the kernel module's static data and page rounding (memory grows in
// 64 KiB pages), plus kernel params and any converted palettes.
const FIXED_OVERHEAD = 2 * 65536;

describe('memory', () => {
  it('wasm memory after load and a run stays near the file size, far below dense', async () => {
    const { bytes, denseBytes } = buildWide(3);
    expect(denseBytes / bytes.length).toBeGreaterThan(8);
    const model = await loadModel(bytes);
    model.run({ input: new Float32Array(1024).fill(0.5) });
    const r = model.memoryReport();
    expect(r.fileBytes).toBe(bytes.length);
    const bound = r.fileBytes + r.arenaBytes + r.scratchBytes + FIXED_OVERHEAD;
    expect(r.wasmMemoryBytes).toBeLessThanOrEqual(bound);
    expect(r.wasmMemoryBytes).toBeLessThan(denseBytes / 4);
    // The arena holds activations only: input, hidden, output of one example, reused.
    expect(r.arenaBytesPerExample).toBeLessThanOrEqual(3 * 1024 * 4);
  });

  it('the arena reuses buffers whose lifetimes do not overlap', async () => {
    const { bytes } = buildWide(4);
    const model = await loadModel(bytes);
    // input (4 KiB) and the FC1 output are both alive during FC1; the Relu output can take the
    // input's place; the final output reuses another: three slots at most, never four.
    expect(model.memoryReport().arenaBytesPerExample).toBe(2 * 1024 * 4);
  });

  it('a larger batch grows the arena, memory stays bounded by file + batch x arena', async () => {
    const { bytes } = buildWide(5);
    const model = await loadModel(bytes);
    const out = model.run({ input: new Float32Array(16 * 1024).fill(0.25) });
    expect(out.y.shape).toEqual([16, 1024]);
    const r = model.memoryReport();
    expect(r.arenaBytes).toBe(16 * r.arenaBytesPerExample);
    expect(r.wasmMemoryBytes).toBeLessThanOrEqual(r.fileBytes + r.arenaBytes + r.scratchBytes + FIXED_OVERHEAD);
  });
});
