/**
 * Format 1.2 checksums: our XXH64 against hash-wasm's (an independent implementation), the
 * embedded module against the build, what the writer stores, and what the reader says about a
 * damaged file (which tensor, or the header/graph/metadata).
 */
import { existsSync, readFileSync } from 'node:fs';
import { ByteBuffer } from 'flatbuffers';
import { xxhash64 } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { xxh64, xxh64Low32 } from '../../src/format/checksum.js';
import { WpalError, WpalFormatError, WpalVersionError } from '../../src/format/errors.js';
import { XXH64_WASM_BASE64 } from '../../src/format/generated/xxh64_wasm.js';
import { Model } from '../../src/format/generated/wpal_generated.js';
import { compactGraphOf, fileChecksum, printable, weightChecksum, weightChecksumOffset, weightDataParts } from '../../src/format/integrity.js';
import { rewriteModel } from '../../src/format/rewrite.js';
import { ModelWriter } from '../../src/format/write.js';
import { encodeDense } from '../../src/encode/palette.js';
import { readModel } from '../../src/format/read.js';
import { FORMAT_MINOR } from '../../src/format/version.js';
import { peekHeader } from '../../src/format/verify-structure.js';
import { Rng } from '../util/rng.js';
import { blobRanges, patchVersion, readError, rootFieldOffset, smallModel } from './helpers.js';

const hex = (h: bigint) => h.toString(16).padStart(16, '0');

describe('XXH64', () => {
  it('matches hash-wasm on every length 0..300, around the 32 KiB buffer, and split into pieces', async () => {
    const rng = new Rng(11);
    const lengths = [...Array.from({ length: 301 }, (_, i) => i), 32767, 32768, 32769, 65536 + 31, 100_003];
    for (const n of lengths) {
      const a = rng.bytes(n);
      const want = await xxhash64(a);
      expect(hex(xxh64([a])), `length ${n}`).toBe(want);
      const cut = rng.int(0, n);
      const cut2 = rng.int(cut, n);
      expect(hex(xxh64([a.subarray(0, cut), a.subarray(cut, cut2), new Uint8Array(0), a.subarray(cut2)])), `length ${n} in pieces`).toBe(want);
    }
    const seeded = rng.bytes(1000);
    expect(hex(xxh64([seeded], 12345n))).toBe(await xxhash64(seeded, 12345));
  });

  it('known values of the algorithm', () => {
    expect(hex(xxh64([]))).toBe('ef46db3751d8e999');
    expect(xxh64Low32([])).toBe(0x51d8e999);
  });

  it('the embedded module is the one the build makes (else: npm run gen:hash)', () => {
    const built = new URL('../../build/wpal.hash.wasm', import.meta.url);
    expect(existsSync(built), 'build/wpal.hash.wasm is built by npm run build:wasm').toBe(true);
    expect(Buffer.from(XXH64_WASM_BASE64, 'base64').equals(readFileSync(built))).toBe(true);
  });
});

for (const layout of ['compact', 'tables'] as const) describe(`checksums in the file (${layout} layout)`, () => {
  const good = smallModel(3, layout);

  it('the writer stores the file checksum (this field read as zeros) and one per weight', () => {
    const h = peekHeader(good);
    expect(h.checksum!.offset).toBe(rootFieldOffset(good, 7));
    const zeroed = good.slice();
    zeroed.fill(0, h.checksum!.offset, h.checksum!.offset + 8);
    expect(h.checksum!.stored).toBe(xxh64([zeroed]));
    expect(fileChecksum(good, h.checksum!.offset)).toBe(h.checksum!.stored);
    const info = readModel(good);
    expect(info.checksum).toBe('verified');
    const ranges = blobRanges(info);
    const dv = new DataView(good.buffer);
    let weights = 0;
    for (const t of info.tensors.filter((t) => t.weight)) {
      weights++;
      // The parts are exactly the tensor's blobs (this model has no scale vectors), in the order of
      // the 1.2 definition: dense data, entries, entry scales, channel scales, indices, mask.
      const r = (what: string) => ranges.find((b) => b.what === `${t.name}.${what}`);
      const ordered = [r('data'), r('entries'), r('indices'), r('mask')].filter((x) => x !== undefined).map((x) => good.subarray(x.offset, x.offset + x.length));
      let stored: number;
      if (layout === 'tables') {
        const model = Model.getRootAsModel(new ByteBuffer(good));
        const w = model.tensors(t.index)!.weight()!;
        const wparts = weightDataParts(w);
        for (const p of ordered) expect(wparts.some((q) => q.byteOffset === p.byteOffset && q.length === p.length)).toBe(true);
        stored = dv.getUint32(weightChecksumOffset(w), true);
      } else {
        const cw = compactGraphOf(good)!.weights.find((w) => w.tensor === t.index)!;
        stored = dv.getUint32(cw.checksumAt, true);
      }
      expect(stored).toBe(xxh64Low32(ordered));
    }
    expect(weights).toBe(3);
  });

  it('a changed weight byte names the tensor', () => {
    const info = readModel(good);
    for (const t of info.tensors.filter((t) => t.weight)) {
      const r = blobRanges(info).find((b) => b.what.startsWith(`${t.name}.`))!;
      const bad = good.slice();
      bad[r.offset + (r.length >> 1)] ^= 0x10;
      const e = readError(bad);
      expect(e).toBeInstanceOf(WpalFormatError);
      expect(e.message).toBe(`tensor ${t.name} is damaged (checksum mismatch)`);
      expect((e as WpalFormatError).damagedTensors).toEqual([t.name]);
      expect(String(e)).toBe(`WpalFormatError: tensor ${t.name} is damaged (checksum mismatch)`);
    }
  });

  it('a changed name, metadata byte or checksum byte: the file is damaged, no tensor named', () => {
    const named = new ModelWriter({ name: 'small', layout });
    const x = named.input('a-stored-input-name', [4]);
    named.output(named.op('FullyConnected', [x, named.weight('fc1.weight', [2, 4], encodeDense(new Float32Array(8).fill(0.5)))]));
    for (const bytes of [good, named.finish()]) {
      const at = (s: string) => Buffer.from(bytes).indexOf(Buffer.from(s));
      const spots = bytes === good ? [at('small'), peekHeader(good).checksum!.offset + 3] : [at('a-stored-input-name') + 5];
      for (const pos of spots) {
        expect(pos).toBeGreaterThanOrEqual(0);
        const bad = bytes.slice();
        bad[pos] ^= 1;
        const e = readError(bad) as WpalFormatError;
        expect(e.message).toMatch(/^the file is damaged \(checksum mismatch\): its header, graph or metadata/);
        expect(e.damagedTensors).toEqual([]);
      }
    }
  });

  it('a flipped version field reads as damage, not as a version to upgrade to', () => {
    for (const [slot, bit] of [[0, 1], [0, 3], [1, 1], [1, 0]] as const) {
      const bad = good.slice();
      bad[rootFieldOffset(good, slot)] ^= 1 << bit;
      const e = readError(bad);
      expect(e).not.toBeInstanceOf(WpalVersionError);
      expect(e.message).toMatch(/checksum mismatch/);
    }
    // A real newer major (its writer's checksum matches) still asks for an upgrade.
    expect(readError(patchVersion(good, 2, 0))).toBeInstanceOf(WpalVersionError);
  });

  it(`a ${layout === 'tables' ? '1.2' : `1.${FORMAT_MINOR}`} file whose checksum field is gone is damaged, even with a valid structure`, () => {
    const bad = good.slice();
    const dv = new DataView(bad.buffer);
    const root = dv.getUint32(0, true);
    const vt = root - dv.getInt32(root, true);
    dv.setUint16(vt + 4 + 2 * 7, 0, true); // Model.file_checksum: absent
    expect(readError(bad).message).toMatch(new RegExp(`says format 1\\.${layout === 'tables' ? 2 : FORMAT_MINOR} but has no file checksum.*damaged`));
  });

  it('verifyChecksums: false skips the check (for bytes verified another way)', () => {
    const info = readModel(good);
    const r = blobRanges(info).find((b) => b.what === 'fc1.weight.indices')!;
    const bad = good.slice();
    bad[r.offset] ^= 1;
    expect(() => readModel(bad)).toThrow(/fc1\.weight is damaged/);
    expect(readModel(bad, { verifyChecksums: false }).checksum).toBe('unverified');
    expect(readModel(good, { verifyChecksums: false }).checksum).toBe('unverified');
  });

  it('the per-weight checksum is the same in both layouts (one definition) and after a rewrite', () => {
    const other = smallModel(3, layout === 'tables' ? 'compact' : 'tables');
    const sums = (bytes: Uint8Array) => {
      const compact = compactGraphOf(bytes);
      if (compact) return compact.weights.map((w) => new DataView(bytes.buffer).getUint32(w.checksumAt, true));
      const model = Model.getRootAsModel(new ByteBuffer(bytes));
      return [1, 2, 5].map((i) => {
        const w = model.tensors(i)!.weight()!;
        expect(weightChecksum(w)).toBe(new DataView(bytes.buffer).getUint32(weightChecksumOffset(w), true));
        return weightChecksum(w);
      });
    };
    expect(sums(good)).toEqual(sums(other));
    expect(sums(rewriteModel(readModel(good)))).toEqual(sums(good));
  });

  it('printable() escapes control characters in names', () => {
    expect(printable('fc1\u001b[31m.weight\n')).toBe('fc1\\u001b[31m.weight\\n');
    expect(printable('plain.name_1')).toBe('plain.name_1');
    expect(printable('a\\b\u0007')).toBe('a\\\\b\\u0007');
  });
});
