/** `wpal inspect`: where the bytes of a .wpal file go, per layer and in total, its metadata and kernel plan. */
import { printable } from '../format/integrity.js';
import { readModel } from '../format/read.js';
import { sizeReport } from '../format/size.js';
import { loadModel } from '../runtime/load.js';
import type { MemoryReport } from '../runtime/model.js';
import { helpText, parseArgs, type CommandSpec } from './util/args.js';
import { EXIT_OK } from './util/errors.js';
import { println, type Io } from './util/io.js';
import { readWpalFile } from './util/model.js';
import { formatBytes, percent } from './util/size.js';
import { table } from './util/table.js';
import { elementOf } from '../format/elements.js';

export const spec: CommandSpec = {
  name: 'inspect',
  summary: 'show per-layer bits, sparsity, bytes and compression ratio of a .wpal file',
  usage: '<file.wpal> [--bytes] [--json]',
  positionals: [{ name: 'file.wpal', description: 'the model file', required: true }],
  options: {
    json: { type: 'boolean', description: 'print one JSON object (layers, byKind, parts, metadata, memory, kernelPlan)' },
    bytes: { type: 'boolean', description: 'also print the file by part of the format: header, tensors, ops, names, shapes, attributes, metadata, checksums, padding, weights' },
  },
  notes: [
    'Bytes by kind: palettes, indices (packed), masks (block sparsity), dense values, scales; graph+metadata is the\n' +
      'rest of the file (FlatBuffers tables, names, padding), so the kinds add up to the file size exactly.',
    'Ratio: what the weights take as dense float32 over what they take in the file.',
    'Parts (--bytes, and "parts" in --json): every byte of the file once; the fixed cost is all but the weights.',
  ],
};

export interface InspectLayer {
  tensor: number;
  name: string;
  shape: number[];
  encoding: string;
  bits: number | null;
  /** Rows (output channels) per palette; null when not palettized. */
  groupRows: number | null;
  palettes: number | null;
  entryType: string | null;
  /** Fraction of blocks dropped. */
  sparsity: number;
  /** [rows, cols] of a sparsity block, null when dense. */
  block: [number, number] | null;
  bytes: { palettes: number; indices: number; masks: number; dense: number; scales: number; total: number };
  denseF32Bytes: number;
  ratio: number | null;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, spec);
  if (args.help) {
    io.out(helpText(spec));
    return EXIT_OK;
  }
  const file = args.positionals[0]!;
  const bytes = readWpalFile(file);
  const info = readModel(bytes);
  const size = sizeReport(info);
  const layers: InspectLayer[] = size.layers.map((l) => {
    const w = info.tensors[l.tensor]!.weight!;
    const p = w.palettized;
    return {
      tensor: l.tensor,
      name: l.name,
      shape: l.shape,
      encoding: l.encoding,
      bits: p ? p.bits : null,
      groupRows: p ? p.groupRows : null,
      palettes: p ? p.numPalettes : null,
      entryType: p ? p.entryType : w.dense!.dtype,
      sparsity: l.sparsity,
      block: w.sparse ? [w.sparse.blockRows, w.sparse.blockCols] : null,
      bytes: l.bytes,
      denseF32Bytes: l.denseF32Bytes,
      ratio: Number.isFinite(l.ratio) ? l.ratio : null,
    };
  });
  const weightBytes = layers.reduce((a, l) => a + l.bytes.total, 0);
  let memory: MemoryReport | undefined;
  let kernelPlan: Array<{ op: number; type: string; kernel: string }> | undefined;
  let loadError: string | undefined;
  try {
    const model = await loadModel(bytes, { verifyChecksums: false }); // readModel verified it above
    memory = model.memoryReport();
    kernelPlan = model.kernelPlan();
    model.dispose();
  } catch (e) {
    loadError = (e as Error).message;
  }
  const meta = info.metadata;
  const result = {
    file,
    fileBytes: size.fileBytes,
    format: `${info.formatMajor}.${info.formatMinor}`,
    /** 'verified' (format 1.2 on: the file matches its checksum) or 'none' (an older file: damage cannot be detected). */
    checksum: info.checksum,
    layers,
    byKind: size.byKind,
    parts: size.parts,
    fixedBytes: size.fixedBytes,
    weightBytes,
    denseF32Bytes: size.denseF32Bytes,
    ratio: size.ratio,
    metadata: {
      name: meta.name ?? null,
      task: meta.task ?? null,
      description: meta.description ?? null,
      preprocessing: meta.preprocessing ?? null,
      outputLabels: meta.outputLabels,
      properties: meta.properties,
    },
    inputs: info.inputs.map((t) => ({ name: info.tensors[t]!.name, shape: info.tensors[t]!.shape, dtype: info.tensors[t]!.dtype })),
    outputs: info.outputs.map((t) => ({ name: info.tensors[t]!.name, shape: info.tensors[t]!.shape, dtype: info.tensors[t]!.dtype })),
    memory: memory ?? null,
    kernelPlan: kernelPlan ?? null,
    ...(loadError !== undefined ? { loadError } : {}),
  };
  if (args.options['json'] === true) {
    // JSON escapes C0 controls itself; C1 controls (e.g. U+009B, a terminal's CSI) are escaped too.
    // eslint-disable-next-line no-control-regex
    println(io, JSON.stringify(result, null, 2).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
    return EXIT_OK;
  }
  // Names and metadata come from the file: control characters are shown escaped, never sent to the terminal.
  const p = printable;

  const n = (x: number) => x.toLocaleString('en-US');
  println(io, `${p(file)}: ${formatBytes(size.fileBytes)}, format ${result.format}, ${info.tensors.length} tensors, ${info.ops.length} ops`);
  println(io, info.checksum === 'verified' ? 'checksum: verified (XXH64 of the whole file)' : `no checksum (format ${result.format}; checksums came in 1.2): damage to this file cannot be detected`);
  println(io);
  const rows = layers.map((l) => [
    p(l.name),
    l.shape.join('x'),
    l.bits !== null ? `pal ${l.entryType}` : (l.entryType ?? 'dense'),
    l.bits !== null ? String(l.bits) : String(8 * (elementOf(l.entryType ?? 'float32')?.bytes ?? 4)),
    l.groupRows !== null ? (l.palettes === 1 ? 'tensor' : String(l.groupRows)) : '-',
    l.block ? percent(l.sparsity, 1) : '-',
    l.block ? `${l.block[0]}x${l.block[1]}` : '-',
    n(l.bytes.palettes),
    n(l.bytes.indices),
    n(l.bytes.masks),
    n(l.bytes.dense),
    n(l.bytes.scales),
    n(l.bytes.total),
    n(l.denseF32Bytes),
    l.ratio !== null ? `${l.ratio.toFixed(1)}x` : '-',
  ]);
  const k = size.byKind;
  rows.push(['total weights', '', '', '', '', '', '', n(k.palettes), n(k.indices), n(k.masks), n(k.dense), n(k.scales), n(weightBytes), n(size.denseF32Bytes), `${(size.denseF32Bytes / Math.max(1, weightBytes)).toFixed(1)}x`]);
  io.out(
    table(
      ['layer', 'shape', 'encoding', 'bits', 'group', 'sparsity', 'block', 'palettes', 'indices', 'masks', 'dense', 'scales', 'bytes', 'f32 bytes', 'ratio'],
      rows,
      [false, false, false, true, true, true, true, true, true, true, true, true, true, true, true],
    ),
  );
  println(io);
  println(io, `weights            ${formatBytes(weightBytes)}`);
  println(io, `graph + metadata   ${formatBytes(k.graphAndMetadata)}`);
  println(io, `file               ${formatBytes(size.fileBytes)}  (dense float32 weights would be ${formatBytes(size.denseF32Bytes)}: ratio ${size.ratio.toFixed(2)}x)`);
  if (memory) println(io, `in memory          ${formatBytes(memory.weightsInMemoryBytes)} for the weights (file + ${n(memory.preparedBytes)} B prepared at load)`);
  println(io);
  if (args.options['bytes'] === true) {
    const parts = Object.entries(size.parts).map(([part, b]) => [part, n(b), part === 'weights' ? '' : percent(b / Math.max(1, size.fixedBytes), 1)]);
    parts.push(['fixed cost', n(size.fixedBytes), 'all but the weights'], ['file', n(size.fileBytes), '']);
    io.out(table(['part', 'bytes', 'of fixed cost'], parts, [false, true, true]));
    println(io);
  }
  println(io, 'metadata');
  println(io, `  name   ${meta.name !== undefined ? p(meta.name) : '-'}`);
  println(io, `  task   ${meta.task !== undefined ? p(meta.task) : '-'}`);
  if (meta.description) println(io, `  description  ${p(meta.description)}`);
  const pre = meta.preprocessing;
  if (pre) {
    const list = (v: number[], d: number) => (v.length === 0 ? String(d) : v.length === 1 ? String(v[0]) : `[${v.join(', ')}]`);
    println(io, `  input  ${pre.layout !== undefined ? `${p(pre.layout)}, ` : ''}x' = (x * ${pre.scale} - ${list(pre.mean, 0)}) / ${list(pre.std, 1)}`);
  }
  if (meta.outputLabels.length) println(io, `  labels ${meta.outputLabels.slice(0, 20).map(p).join(', ')}${meta.outputLabels.length > 20 ? `, ... (${meta.outputLabels.length})` : ''}`);
  const props = Object.entries(meta.properties).map(([k, v]) => [p(k), p(v)] as const);
  if (props.length === 0) println(io, '  (no properties)');
  const w = Math.max(0, ...props.map(([key]) => key.length));
  for (const [key, v] of props) println(io, `  ${key.padEnd(w)}  ${v}`);
  println(io);
  if (kernelPlan) {
    println(io, 'kernel plan');
    for (const s of kernelPlan) println(io, `  op ${String(s.op).padStart(3)}  ${s.type.padEnd(16)} ${s.kernel}`);
  } else {
    println(io, `kernel plan: unavailable, the runtime cannot load this file: ${p(loadError ?? '')}`);
  }
  return EXIT_OK;
}
