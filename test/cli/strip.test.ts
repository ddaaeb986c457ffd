/**
 * `wpal strip` and `wpal inspect --bytes`, driven in-process through main(argv, io).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/util/io.js';
import { readModel } from '../../src/format/read.js';
import { rewriteModel } from '../../src/format/rewrite.js';
import { sizeReport } from '../../src/format/size.js';
import { buildLeNet5 } from '../../src/models/lenet.js';
import { decodeTensor } from '../../src/encode/decode.js';

async function wpal(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (s) => void out.push(s), err: (s) => void err.push(s), errIsTTY: false, columns: 120 };
  const code = await main(argv, io);
  return { code, out: out.join(''), err: err.join('') };
}

const tmp = mkdtempSync(join(tmpdir(), 'wpal-strip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('wpal strip', () => {
  const built = buildLeNet5({ widths: [5, 10, 32], compression: { palette: { bits: 4 } }, properties: { accuracy: '0.99', accuracy_dataset: 'mnist', dataset: 'mnist', trainer: 'wpal train', epochs: '20' } });
  const file = join(tmp, 'lenet.wpal');
  writeFileSync(file, built.bytes);

  it('writes the same weights with only the essential metadata, and says what it dropped', async () => {
    const out = join(tmp, 'lenet.min.wpal');
    const r = await wpal('strip', file, '-o', out, '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { bytesBefore: number; bytesAfter: number; kept: string[]; dropped: string[] };
    const before = readModel(built.bytes);
    const after = readModel(new Uint8Array(readFileSync(out)));
    expect(j.bytesAfter).toBe(after.bytes.length);
    expect(j.bytesAfter).toBeLessThan(j.bytesBefore);
    expect(j.kept.sort()).toEqual(['accuracy', 'accuracy_dataset', 'dataset']);
    expect(j.dropped).toEqual(['name', 'task', 'trainer', 'epochs']);
    expect(after.metadata).toEqual({ preprocessing: before.metadata.preprocessing, outputLabels: [], properties: { accuracy: '0.99', accuracy_dataset: 'mnist', dataset: 'mnist' } });
    for (const t of before.tensors) if (t.weight) expect(decodeTensor(after, t.index)).toEqual(decodeTensor(before, t.index));
    const keep = await wpal('strip', file, '-o', join(tmp, 'keep.wpal'), '--keep', 'epochs');
    expect(keep.code).toBe(0);
    expect(keep.out).toMatch(/kept {4}preprocessing, output labels, .*epochs/);
    expect(readModel(new Uint8Array(readFileSync(join(tmp, 'keep.wpal')))).metadata.properties['epochs']).toBe('20');
  });

  it('usage errors: no -o, or -o the input', async () => {
    expect((await wpal('strip', file)).err).toMatch(/-o FILE is required/);
    expect((await wpal('strip', file, '-o', file)).err).toMatch(/the input would be overwritten/);
  });
});

describe('wpal inspect --bytes', () => {
  it('prints every part, the fixed cost and the file size; --json has the same parts', async () => {
    const bytes = rewriteModel(readModel(buildLeNet5({ widths: [5, 10, 32], compression: { palette: { bits: 4 } } }).bytes), { layout: 'tables' });
    const file = join(tmp, 'tables.wpal');
    writeFileSync(file, bytes);
    const r = await wpal('inspect', file, '--bytes');
    expect(r.code, r.err).toBe(0);
    const size = sizeReport(readModel(bytes));
    for (const [part, n] of Object.entries(size.parts)) expect(r.out).toMatch(new RegExp(`\\n${part}\\s+${n.toLocaleString('en-US')}\\s`));
    expect(r.out).toMatch(new RegExp(`fixed cost\\s+${size.fixedBytes.toLocaleString('en-US')}\\s+all but the weights`));
    const j = JSON.parse((await wpal('inspect', file, '--json')).out) as { parts: Record<string, number>; fixedBytes: number; fileBytes: number };
    expect(j.parts).toEqual(size.parts);
    expect(Object.values(j.parts).reduce((a, b) => a + b, 0)).toBe(j.fileBytes);
    expect(j.fixedBytes).toBe(j.fileBytes - j.parts['weights']!);
  });
});
