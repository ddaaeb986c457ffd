/**
 * Format 1.4 compact metadata (schemas/wpal.fbs, "Compact metadata"): Model.meta against its layout
 * text byte for byte, every field read back as the 1.2 tables hold it, the stub op that makes older
 * readers refuse a file whose metadata they would not see, hand-made streams that break each rule
 * (each with its typed error), and fuzzing.
 */
import { describe, expect, it } from 'vitest';
import { WpalError, WpalFormatError, WpalUnsupportedOpError, WpalVersionError } from '../../src/format/errors.js';
import { MetaCode } from '../../src/format/generated/wpal_generated.js';
import { ESSENTIAL_PROPERTIES } from '../../src/format/metadata.js';
import { readModel } from '../../src/format/read.js';
import { rewriteModel } from '../../src/format/rewrite.js';
import { sizeReport } from '../../src/format/size.js';
import { StreamWriter } from '../../src/format/stream.js';
import { ModelWriter, type ModelWriterOptions } from '../../src/format/write.js';
import { Rng } from '../util/rng.js';
import { compactVectors, randomEdits, rawCompact, readError as err, readOrWpalError, resealFile, rootFieldOffset } from './helpers.js';

/** x[3] -> Relu -> y, with the given metadata. */
function relu(meta: ModelWriterOptions = {}): Uint8Array {
  const w = new ModelWriter(meta);
  w.output(w.op('Relu', [w.input('input', [3])]));
  return w.finish();
}

/** Graph stream of relu(): one output (tensor 1), no names, Input float32 [3], Relu of the last tensor. */
function reluGraph(): Uint8Array {
  const s = new StreamWriter();
  s.uvar(1); s.uvar(1); s.uvar(0);
  s.uvar(0); s.u8(0); s.uvar(1); s.uvar(3);
  s.uvar(2 + 2); s.uvar((1 << 4) | 8);
  return s.bytes();
}

const FULL: ModelWriterOptions = {
  name: 'm\u00e9ta',
  description: '',
  task: 'image-classification',
  preprocessing: { layout: 'HWC', scale: Math.fround(1 / 255), mean: [0.5, -0, 0.25], std: [2, 1, Infinity] },
  outputLabels: ['zero', '', '\u4e00'],
  properties: { accuracy: '0.9892', 'onnx.producer': 'pytorch', dataset: 'mnist', '': 'empty key', seq: '' },
};

describe('compact metadata (Model.meta)', () => {
  it('holds every field as the 1.2 tables do (unicode, empty strings and keys, -0, infinity, order of properties)', () => {
    const compact = readModel(relu(FULL));
    const tables = readModel(rewriteModel(compact, { layout: 'tables' }));
    expect(compact.formatMinor).toBe(4);
    expect(compact.metadata).toEqual(tables.metadata);
    expect(Object.keys(compact.metadata.properties)).toEqual(['accuracy', 'onnx.producer', 'dataset', '', 'seq']);
    expect(Object.is(compact.metadata.preprocessing!.mean[1], -0)).toBe(true);
    expect(compact.metadata).toEqual({ ...FULL, outputLabels: FULL.outputLabels, preprocessing: FULL.preprocessing });
  });

  it('is the layout text, byte for byte: codes, lengths, f32 little-endian, keys without a code as strings', () => {
    const bytes = relu({ task: 'x', preprocessing: { scale: 0.5 }, outputLabels: ['a'], properties: { accuracy: '0.9', 'my.key': 'v' } });
    const { meta } = compactVectors(bytes);
    expect([...meta]).toEqual([
      MetaCode.Task, 1, 0x78,
      MetaCode.Scale, 0, 0, 0, 0x3f,
      MetaCode.OutputLabels, 1, 1, 0x61,
      MetaCode.accuracy, 3, 0x30, 0x2e, 0x39,
      MetaCode.Custom, 6, ...Buffer.from('my.key'), 1, 0x76,
    ]);
  });

  it('preprocessing with only defaults is still present (scale 1 is written); absent fields read as defaults', () => {
    expect(readModel(relu({ preprocessing: {} })).metadata.preprocessing).toEqual({ scale: 1, mean: [], std: [] });
    const s = new StreamWriter();
    s.uvar(MetaCode.Layout); s.str('HW');
    expect(readModel(rawCompact({ graph: reluGraph(), meta: s.bytes() })).metadata.preprocessing).toEqual({ layout: 'HW', scale: 1, mean: [], std: [] });
  });

  it('every property a stripped file keeps has a code (a stripped file stores no key as a string)', () => {
    for (const key of ESSENTIAL_PROPERTIES) expect(MetaCode[key as keyof typeof MetaCode], key).toBeGreaterThanOrEqual(16);
    // Codes 1-8 are the Metadata table's fields, 9-15 reserved; a property key never names one of them.
    for (const [name, code] of Object.entries(MetaCode)) if (typeof code === 'number' && code > 0 && code < 16) expect(name).toMatch(/^[A-Z]/);
  });

  it('a file without metadata has neither Model.meta nor a Metadata table, and its stub says 1.3', () => {
    const bytes = relu();
    expect([rootFieldOffset(bytes, 6), rootFieldOffset(bytes, 10)]).toEqual([0, 0]);
    expect(readModel(bytes).metadata).toEqual({ outputLabels: [], properties: {} });
    expect(readModel(relu({ properties: { a: 'b' } })).ops.length).toBe(1);
  });

  it('the stripped LeNet-5 claim (4 properties, preprocessing) costs ~45 B, against ~230 B as tables', () => {
    const meta: ModelWriterOptions = { preprocessing: { layout: 'HWC', scale: Math.fround(1 / 255) }, properties: { dataset: 'mnist', accuracy: '0.9892', accuracy_examples: '10000', accuracy_dataset: 'mnist' } };
    const compact = sizeReport(readModel(relu(meta))).parts.metadata;
    const tables = sizeReport(readModel(relu({ ...meta, layout: 'tables' }))).parts.metadata;
    // 4 B vector length; Layout 1+1+3; Scale 1+4; four properties: code + length + value.
    expect(compact).toBe(4 + 5 + 5 + (2 + 5) + (2 + 6) + (2 + 5) + (2 + 5));
    expect(tables).toBeGreaterThan(200);
  });
});

describe('older readers and newer files', () => {
  /** The file as a reader that does not know Model fields >= `from` sees it (vtable entries cleared). */
  const withoutFields = (bytes: Uint8Array, slots: number[]) => {
    const b = bytes.slice();
    const dv = new DataView(b.buffer);
    const root = dv.getUint32(0, true);
    const vt = root - dv.getInt32(root, true);
    for (const slot of slots) if (4 + 2 * slot < dv.getUint16(vt, true)) dv.setUint16(vt + 4 + 2 * slot, 0, true);
    return resealFile(b);
  };

  it('readers of 1.0..1.2 see the stub op, "1.3" or "1.4", and say to upgrade', () => {
    for (const [bytes, stub] of [[relu(), '1.3'], [relu(FULL), '1.4']] as const) {
      const e = err(withoutFields(bytes, [8, 9, 10]));
      expect(e).toBeInstanceOf(WpalUnsupportedOpError);
      expect(e.message).toMatch(new RegExp(`unsupported op type "${stub.replace('.', '\\.')}".*upgrade wasm-palette`));
    }
  });

  it('a 1.3 reader (no Model.meta) refuses a file with compact metadata instead of reading it without its metadata', () => {
    // A 1.3 reader takes only the stub "1.3"; this reader, shown the file without field 10, says the same.
    const e = err(withoutFields(relu(FULL), [10]));
    expect(e.message).toMatch(/without Model\.meta keeps exactly one op in Model\.ops, of type "1\.3"/);
  });

  it('a stub naming a later version than this reader reads: WpalVersionError, upgrade', () => {
    const e = err(rawCompact({ graph: reluGraph(), stub: '1.9', minor: 9 }));
    expect(e).toBeInstanceOf(WpalVersionError);
    expect(e.message).toMatch(/needs a reader of format 1\.9; this wasm-palette reads up to 1\.4.*upgrade wasm-palette/);
  });
});

describe('hostile compact metadata: typed errors', () => {
  const meta = (f: (s: StreamWriter) => void) => {
    const s = new StreamWriter();
    f(s);
    return rawCompact({ graph: reluGraph(), meta: s.bytes() });
  };
  it('the plain stream reads (the cases below each break one rule of it)', () => {
    const info = readModel(meta((s) => { s.uvar(MetaCode.Name); s.str('n'); s.uvar(MetaCode.seq); s.str('32'); }));
    expect(info.metadata).toEqual({ name: 'n', outputLabels: [], properties: { seq: '32' } });
  });
  const cases: [string, () => Uint8Array, RegExp, (new (...a: never[]) => WpalError)?][] = [
    ['a field twice', () => meta((s) => { s.uvar(MetaCode.Name); s.str('a'); s.uvar(MetaCode.Name); s.str('b'); }), /Model\.meta: entry at byte \d+: Name appears twice/],
    ['a property twice (coded, then as a string)', () => meta((s) => { s.uvar(MetaCode.seq); s.str('1'); s.uvar(MetaCode.Custom); s.str('seq'); s.str('2'); }), /property "seq" appears twice/],
    ['a reserved code', () => meta((s) => { s.uvar(9); s.str('x'); }), /unknown metadata code 9 \(reserved\)/],
    ['a property code of a newer version', () => meta((s) => { s.uvar(250); s.str('x'); }), /unknown metadata code 250 \(a property key of a newer format version: upgrade wasm-palette\)/],
    ['a string cut short', () => meta((s) => { s.uvar(MetaCode.Name); s.uvar(5); s.u8(0x61); }), /name runs past the end of the stream/],
    ['a scale cut short', () => meta((s) => { s.uvar(MetaCode.Scale); s.u8(0); s.u8(0); }), /preprocessing scale runs past the end/],
    ['more mean values than bytes left', () => meta((s) => { s.uvar(MetaCode.Mean); s.uvar(3); s.f32(1); }), /preprocessing mean count is 3, more than the 4 bytes left hold/],
    ['more output labels than bytes left', () => meta((s) => { s.uvar(MetaCode.OutputLabels); s.uvar(1000); }), /output label count is 1000, more than the 0 bytes left hold/],
    ['a label that is not UTF-8', () => meta((s) => { s.uvar(MetaCode.OutputLabels); s.uvar(1); s.raw(Uint8Array.from([0xc3])); }), /output label 0 is not valid UTF-8/],
    ['more std values than a preprocessing has channels', () => meta((s) => { s.uvar(MetaCode.Std); s.uvar(65537); for (let i = 0; i < 65537; i++) s.f32(1); }), /preprocessing std count is 65537, at most 65536/],
    ['a varint past 32 bits', () => meta((s) => { for (const b of [0xff, 0xff, 0xff, 0xff, 0x7f]) s.u8(b); }), /varint does not fit 32 bits/],
    ['Model.meta beside a Metadata table', () => rawCompact({ graph: reluGraph(), meta: Uint8Array.from([MetaCode.Name, 0]), metadataTable: true }), /has no Model\.metadata \(the metadata is stored once\)/],
    ['Model.meta in a file that says 1.3', () => rawCompact({ graph: reluGraph(), meta: Uint8Array.from([MetaCode.Name, 0]), minor: 3 }), /says format 1\.3 but has compact metadata.*damaged/],
    ['Model.meta with the stub of 1.3', () => rawCompact({ graph: reluGraph(), meta: Uint8Array.from([MetaCode.Name, 0]), stub: '1.3' }), /with Model\.meta keeps exactly one op in Model\.ops, of type "1\.4"/],
    ['the stub of 1.4 without Model.meta', () => rawCompact({ graph: reluGraph(), stub: '1.4' }), /without Model\.meta keeps exactly one op in Model\.ops, of type "1\.3"/],
  ];
  for (const [what, make, msg, type] of cases) {
    it(what, () => {
      const e = err(make());
      expect(e).toBeInstanceOf(type ?? WpalFormatError);
      expect(e.message).toMatch(msg);
    });
  }
});

describe('fuzzing Model.meta (file checksum recomputed, so the parser sees every change)', () => {
  const check = readOrWpalError;
  const { meta } = compactVectors(relu(FULL));

  it('every byte changed (xor 0xff, 0x01, 0x80), every prefix -> ModelInfo or WpalError', () => {
    let errors = 0;
    for (const x of [0xff, 0x01, 0x80]) {
      for (let i = 0; i < meta.length; i++) {
        const m = meta.slice();
        m[i] ^= x;
        if (check(rawCompact({ graph: reluGraph(), meta: m }), `byte ${i} ^ ${x}`) instanceof WpalError) errors++;
      }
    }
    expect(errors).toBeGreaterThan(meta.length / 2);
    for (let n = 0; n < meta.length; n++) check(rawCompact({ graph: reluGraph(), meta: meta.subarray(0, n) }), `prefix ${n}`);
  });

  it('random edits and random streams (seeded) -> ModelInfo or WpalError', () => {
    const rng = new Rng(1404);
    for (let k = 0; k < 1500; k++) {
      check(rawCompact({ graph: reluGraph(), meta: randomEdits(rng, meta) }), `edit ${k}`);
    }
    for (let k = 0; k < 1500; k++) check(rawCompact({ graph: reluGraph(), meta: rng.bytes(rng.int(0, 60)) }), `random ${k}`);
  });
});
