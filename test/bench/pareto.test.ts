/**
 * The speed-against-file-size chart (bench/pareto.ts): its line joins exactly the points no other
 * point beats on both axes, and every runtime and file of a report becomes a point.
 */
import { describe, expect, it } from 'vitest';
import { front, paretoSvg, type Point } from '../../bench/pareto.js';
import type { ModelRow, ModelsReport } from '../../bench/models.bench.js';

const pt = (label: string, bytes: number, speed: number, hollow = false): Point => ({ label, runtime: 'wasm-palette', bytes, speed, ms: 1 / speed, hollow });

describe('Pareto front', () => {
  it('keeps the points no other point beats on both size and speed, smallest first', () => {
    const pts = [pt('a', 1e6, 1.0), pt('b', 2e6, 1.5), pt('c', 3e6, 1.2), pt('d', 4e6, 2.0), pt('e', 1e6, 0.8), pt('f', 5e6, 2.0)];
    // c is beaten by b (smaller and faster); e by a (same size, faster); f by d (smaller, as fast).
    expect(front(pts).map((p) => p.label)).toEqual(['a', 'b', 'd']);
  });

  it('ignores hollow points (a runtime measured at another thread count)', () => {
    expect(front([pt('a', 2e6, 1), pt('t', 1e6, 3, true)]).map((p) => p.label)).toEqual(['a']);
  });
});

describe('paretoSvg', () => {
  it('draws one point per runtime and file at the chosen thread count', () => {
    const row = (runtime: ModelRow['runtime'], config: string, threads: number, fileBytes: number | undefined, vsOrt: number): ModelRow =>
      ({ runtime, config, threads, medianMs: 10 / vsOrt, minMs: 1, q1Ms: 1, q3Ms: 1, samples: 5, callsPerSample: 1, vsOrt, fileBytes });
    const rows = [
      row('onnxruntime-web', 'dense f32', 1, 4e6, 1), row('onnxruntime-web', 'dense f32', 2, 4e6, 1),
      row('onnxruntime-web', 'int8 dynamic', 1, 1e6, 1.4), row('onnxruntime-web', 'int8 dynamic', 2, 1e6, 1.2),
      row('tfjs-wasm', 'dense f32', 1, undefined, 0.9),
      row('wasm-palette', 'dense f32', 1, 4e6, 1.2), row('wasm-palette', 'dense f32', 2, 4e6, 1.3),
      row('wasm-palette', 'pal 4-bit', 1, 5e5, 1.1), row('wasm-palette', 'pal 4-bit', 2, 5e5, 1.25),
    ];
    const report = {
      when: '2026-12-06T00:00:00Z', node: 'v20', cpu: 'cpu', cpus: 2, quick: false, versions: { onnxruntimeWeb: '1.30', tfjs: '4.22' }, threads: [1, 2], method: '',
      archs: [{ id: 'x', label: 'Net', params: 1, rows, skipped: [], buildSeconds: 0 }], targets: [],
    } as ModelsReport;
    for (const t of [1, 2]) {
      const svg = paretoSvg(report, t);
      expect(svg.match(/<circle /g)!.length - 3).toBe(5); // 3 legend markers; 4 files at this thread count + tfjs
      expect(svg).toContain(`${t} thread`);
      expect(svg).toContain('ORT int8 dynamic');
      expect(svg).toContain('<polyline'); // the front has two points at either thread count
    }
  });
});
