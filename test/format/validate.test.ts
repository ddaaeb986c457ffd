import { describe, expect, it } from 'vitest';
import { WpalError, WpalFormatError, WpalUnsupportedOpError, WpalVersionError } from '../../src/format/errors.js';
import { DType } from '../../src/format/generated/wpal_generated.js';
import { readModel } from '../../src/format/read.js';
import { FORMAT_MINOR } from '../../src/format/version.js';
import { denseW, f32Bytes, patchVersion, rawFc, resealFile, rawModel, smallModel, type RawModel, type RawWeight } from './helpers.js';

function rejects(bytes: Uint8Array, cls: new (...a: never[]) => WpalError, message: RegExp): WpalError {
  let err: unknown;
  try {
    readModel(bytes);
  } catch (e) {
    err = e;
  }
  expect(err, 'readModel should throw').toBeInstanceOf(cls);
  expect((err as Error).message).toMatch(message);
  return err as WpalError;
}

describe('version', () => {
  it('a valid raw model reads (sanity check of the raw builder)', () => {
    expect(readModel(rawModel(rawFc(denseW()))).tensors.length).toBe(3);
  });
  it('major 2 -> WpalVersionError saying the file version, the supported one, and what to do', () => {
    const e = rejects(patchVersion(smallModel(), 2, 0), WpalVersionError, /version 2\.0/);
    expect(e.message).toMatch(/reads format major 1/);
    expect(e.message).toMatch(/upgrade wasm-palette/);
    expect(e.code).toBe('WPAL_VERSION');
    expect((e as WpalVersionError).fileMajor).toBe(2);
  });
  it('major 0 (or missing) -> WpalVersionError', () => {
    rejects(patchVersion(smallModel(), 0, 3), WpalVersionError, /version 0\.3/);
    rejects(rawModel({ ...rawFc(denseW()), major: 0 }), WpalVersionError, /version 0\.0/);
  });
  it('an unknown major is rejected even when the rest does not parse as 1.x', () => {
    const bytes = patchVersion(smallModel(), 7, 1);
    // Garbage after the root table: a 1.x parse would fail, but the version is checked first
    // (after the checksum, which a newer writer fills in like this one).
    bytes.fill(0xff, bytes.length - 64);
    rejects(resealFile(bytes), WpalVersionError, /7\.1/);
  });
  it('a newer minor of a known major is read', () => {
    const info = readModel(patchVersion(smallModel(), 1, 9));
    expect(info.formatMajor).toBe(1);
    expect(info.formatMinor).toBe(9);
  });
  it('an unknown enum value asks for an upgrade when the file is a newer minor', () => {
    const m = rawFc(denseW());
    m.tensors[0].dtype = 9 as DType;
    rejects(rawModel({ ...m, minor: FORMAT_MINOR + 1 }), WpalFormatError, /unknown element type 9.*newer.*upgrade wasm-palette/);
  });
});

describe('ops and graph', () => {
  it('unknown op -> WpalUnsupportedOpError naming the op and its index', () => {
    const m = rawFc(denseW());
    m.ops.push({ type: 'Conv3D', inputs: [2], outputs: [3] });
    m.tensors.push({ name: 'z', shape: [3] });
    const e = rejects(rawModel(m), WpalUnsupportedOpError, /op 1: unsupported op type "Conv3D"/);
    expect(e.code).toBe('WPAL_UNSUPPORTED_OP');
    expect((e as WpalUnsupportedOpError).opType).toBe('Conv3D');
    expect((e as WpalUnsupportedOpError).opIndex).toBe(1);
  });
  const base = (): RawModel => ({
    tensors: [{ name: 'x', shape: [3] }, { name: 'a', shape: [3] }, { name: 'b', shape: [3] }],
    ops: [
      { type: 'Relu', inputs: [0], outputs: [1] },
      { type: 'Tanh', inputs: [1], outputs: [2] },
    ],
    inputs: [0],
    outputs: [2],
  });
  const cases: [string, (m: RawModel) => void, RegExp][] = [
    ['use before definition', (m) => m.ops.reverse(), /used before it is defined/],
    ['produced twice', (m) => (m.ops[1].outputs = [1]), /produced more than once|used before/],
    ['op writes a graph input', (m) => (m.ops[1].outputs = [0]), /is a graph input/],
    ['input index out of range', (m) => (m.ops[1].inputs = [7]), /tensor index 7 is out of range/],
    ['negative index other than -1', (m) => (m.ops[1].inputs = [-2]), /out of range/],
    ['missing required input (-1)', (m) => (m.ops[1].inputs = [-1]), /input 0 \(x\) is required/],
    ['too many inputs', (m) => (m.ops[1].inputs = [1, 1]), /has 2 inputs, expected 1/],
    ['two outputs', (m) => (m.ops[1].outputs = [2, 2]), /has 2 outputs, expected 1/],
    ['declared shape differs from the inferred one', (m) => (m.tensors[2].shape = [4]), /declared \[4\], inferred \[3\]/],
    ['graph output never produced', (m) => (m.ops.pop(), (m.outputs = [2])), /never produced/],
    ['duplicate graph output', (m) => (m.outputs = [2, 2]), /listed twice/],
    ['duplicate graph input', (m) => (m.inputs = [0, 0]), /listed twice/],
    ['no outputs', (m) => (m.outputs = []), /no outputs/],
    ['duplicate tensor name', (m) => (m.tensors[2].name = 'a'), /already used by tensor 1/],
    ['non-float activation', (m) => (m.tensors[0].dtype = DType.Int32), /must be float32/],
    ['zero dimension', (m) => (m.tensors[0].shape = [0]), /dimension < 1/],
    ['rank 9', (m) => (m.tensors[0].shape = [1, 1, 1, 1, 1, 1, 1, 1, 3]), /rank 9/],
    ['huge element count', (m) => (m.tensors[0].shape = [65536, 65536]), /elements/],
    ['unknown attribute', (m) => (m.ops[0].attrs = [{ name: 'alpha', i: 1 }]), /unknown attribute "alpha"/],
    ['duplicate attribute', (m) => ((m.ops[1].type = 'Softmax'), (m.ops[1].attrs = [{ name: 'axis', i: -1 }, { name: 'axis', i: -1 }])), /appears twice/],
    ['attribute value not allowed', (m) => ((m.ops[1].type = 'Softmax'), (m.ops[1].attrs = [{ name: 'axis', i: 0 }])), /axis = 0 is not allowed/],
    ['reshape without shape', (m) => (m.ops[1].type = 'Reshape'), /missing required attribute "shape"/],
    ['reshape to a wrong count', (m) => ((m.ops[1].type = 'Reshape'), (m.ops[1].attrs = [{ name: 'shape', ints: [2, 2] }])), /cannot reshape/],
  ];
  for (const [name, mutate, msg] of cases) {
    it(name, () => {
      const m = base();
      mutate(m);
      rejects(rawModel(m), WpalFormatError, msg);
    });
  }
  it('the base graph is valid', () => {
    expect(readModel(rawModel(base())).ops.length).toBe(2);
  });
  it('constant-ness: weight as an activation input, activation as a weight, weight as graph output', () => {
    const m1 = rawFc(denseW());
    m1.ops[0].inputs = [1, 1];
    rejects(rawModel(m1), WpalFormatError, /must be an activation/);
    const m2 = rawFc(denseW());
    m2.ops[0].inputs = [0, 0];
    rejects(rawModel(m2), WpalFormatError, /must be a constant weight/);
    const m3 = rawFc(denseW());
    m3.outputs = [1];
    rejects(rawModel(m3), WpalFormatError, /is a weight/);
    const m4 = rawFc(denseW());
    m4.ops[0].attrs = [{ name: 'int8', i: 1 }];
    rejects(rawModel(m4), WpalFormatError, /int8 = 1 needs a palettized weight with int8/);
  });
});

describe('weights', () => {
  const pal = (over: Partial<NonNullable<RawWeight['palettized']>> = {}): RawWeight => ({
    palettized: { bits: 2, entries: f32Bytes([0, 1, 2, 3]), indices: new Uint8Array(3), ...over },
  });
  it('valid palettized and sparse raw weights read', () => {
    expect(readModel(rawModel(rawFc(pal()))).tensors[1].weight!.palettized!.numPalettes).toBe(1);
    const sparse: RawWeight = { dense: { data: f32Bytes([1, 2, 3, 4]) }, sparse: { blockRows: 1, blockCols: 2, mask: Uint8Array.from([1, 2, 0]) } };
    expect(readModel(rawModel(rawFc(sparse))).tensors[1].weight!.sparse!.keptBlocks).toBe(2);
  });
  const cases: [string, RawWeight, RegExp, object?][] = [
    ['neither dense nor palettized', {}, /exactly one of dense \/ palettized, has neither/],
    ['both dense and palettized', { ...denseW(), ...pal() }, /has both/],
    ['dense data too short', { dense: { data: new Uint8Array(44) } }, /dense data is 44 bytes, expected 48 \(3 x 4 values x 4 bytes\)/],
    ['dense int8', { dense: { dtype: DType.Int8, data: new Uint8Array(12) } }, /dense dtype int8/],
    ['bits 0', pal({ bits: 0 }), /bits 0 must be 1\.\.8/],
    ['bits 9', pal({ bits: 9 }), /bits 9/],
    ['group size > rows', pal({ groupRows: 4 }), /group_rows 4/],
    ['entries length', pal({ entries: f32Bytes([0, 1, 2]) }), /palette entries are 12 bytes, expected 16 \(1 palettes x 4 entries x 4 bytes\)/],
    ['indices length', pal({ indices: new Uint8Array(4) }), /indices are 4 bytes, expected 3 \(3 rows x ceil\(4\*2\/8\)\)/],
    ['int8 without entry scales', pal({ entryType: DType.Int8, entries: new Uint8Array(4) }), /need entry_scales/],
    ['entry scales count', pal({ entryType: DType.Int8, entries: new Uint8Array(4), entryScales: [1, 1] }), /entry_scales has 2 values, expected 1/],
    ['entry scales not finite', pal({ entryType: DType.Int8, entries: new Uint8Array(4), entryScales: [Infinity] }), /entry_scales\[0\] is not finite/],
    ['entry scales with f32 entries', pal({ entryScales: [1] }), /only allowed with int8/],
    ['channel scales count', pal({ channelScales: [1, 2] }), /channel_scales has 2 values, expected 3/],
    ['channel scales NaN', pal({ channelScales: [1, NaN, 1] }), /channel_scales\[1\] is not finite/],
    ['entry type int32', pal({ entryType: DType.Int32 }), /entry type int32/],
    ['block rows 0', { dense: { data: new Uint8Array(0) }, sparse: { blockRows: 0, blockCols: 1, mask: new Uint8Array(3) } }, /block_rows 0/],
    ['block larger than the matrix', { dense: { data: new Uint8Array(0) }, sparse: { blockRows: 1, blockCols: 5, mask: new Uint8Array(3) } }, /block_cols 5 must be 1\.\.4/],
    ['mask length', { dense: { data: new Uint8Array(0) }, sparse: { blockRows: 1, blockCols: 2, mask: new Uint8Array(4) } }, /mask is 4 bytes, expected 3/],
    ['mask padding bits set', { dense: { data: new Uint8Array(0) }, sparse: { blockRows: 1, blockCols: 2, mask: Uint8Array.from([0, 4, 0]) } }, /mask row 1 has bits set beyond the 2 block columns/],
    ['sparse dense kept values length', { dense: { data: new Uint8Array(16) }, sparse: { blockRows: 1, blockCols: 2, mask: Uint8Array.from([3, 1, 0]) } }, /dense data is 16 bytes, expected 24 \(3 kept blocks x 1x2 x 4 bytes\)/],
    ['sparse palettized kept values length', { ...pal({ indices: new Uint8Array(2) }), sparse: { blockRows: 3, blockCols: 1, mask: Uint8Array.from([0xf]) } }, /indices are 2 bytes, expected 3 \(ceil\(4 kept blocks x 3x1 x 2 bits \/ 8\)\)/],
  ];
  for (const [name, w, msg] of cases) {
    it(name, () => {
      rejects(rawModel(rawFc(w)), WpalFormatError, msg);
    });
  }
  it('messages name the tensor', () => {
    rejects(rawModel(rawFc(pal({ indices: new Uint8Array(4) }))), WpalFormatError, /^tensor 1 "w": indices/);
  });
  it('misaligned blobs are rejected', () => {
    // Alignment 1 puts some blob off a 16-byte boundary.
    let rejected = 0;
    for (let pad = 1; pad < 16; pad++) {
      const w: RawWeight = { dense: { data: f32Bytes(Array(12).fill(1)) } };
      const m = rawFc(w);
      m.align = 1;
      m.tensors[2].name = 'y'.repeat(pad); // written after the blob, so it shifts it
      try {
        readModel(rawModel(m));
      } catch (e) {
        expect(e).toBeInstanceOf(WpalFormatError);
        expect((e as Error).message).toMatch(/not 16-byte aligned/);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });
  it('a weight with a non-float32 tensor dtype or rank 0 is rejected', () => {
    const m = rawFc(denseW());
    m.tensors[1].dtype = DType.Float16;
    rejects(rawModel(m), WpalFormatError, /weight tensor has dtype float32/);
    const m2 = rawFc(denseW(), { wShape: [] });
    rejects(rawModel(m2), WpalFormatError, /rank >= 1/);
  });
});
