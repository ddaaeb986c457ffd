/**
 * Writes a .wpal file again with today's writer (src/format/rewrite.ts): same weights blob for
 * blob, same graph and metadata, stored as the writer now stores them (format 1.3: the compact
 * graph, with checksums). Checks that the rewritten file gives bit-identical outputs on a fixed
 * batch before it writes it.
 *
 *   npx tsx scripts/rewrite-model.ts models/old.wpal models/new.wpal
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readModel } from '../src/format/read.js';
import { rewriteModel } from '../src/format/rewrite.js';
import { loadModel } from '../src/runtime/load.js';
import { Rng } from '../test/util/rng.js';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: npx tsx scripts/rewrite-model.ts IN.wpal OUT.wpal');
  process.exit(2);
}
const before = new Uint8Array(readFileSync(input));
const after = rewriteModel(readModel(before));
const [a, b] = await Promise.all([loadModel(before), loadModel(after)]);
const rng = new Rng(1);
const inputs = Object.fromEntries(a.inputs.map((s) => {
  const n = 64 * s.shape.reduce((x, y) => x * y, 1);
  return [s.name, s.dtype === 'int32' ? Int32Array.from({ length: n }, () => rng.int(0, 1)) : rng.floats(n, 0, 1)];
}));
const ya = a.run(inputs);
const yb = b.run(inputs);
for (const s of a.outputs) {
  if (!Buffer.from(ya[s.name]!.data.buffer).equals(Buffer.from(yb[s.name]!.data.buffer))) throw new Error(`output ${s.name} differs after the rewrite`);
}
writeFileSync(`${output}.tmp`, after);
renameSync(`${output}.tmp`, output);
const info = readModel(after);
console.log(`${input} (${before.length} B, format ${readModel(before).formatMajor}.${readModel(before).formatMinor}) -> ${output} (${after.length} B, format ${info.formatMajor}.${info.formatMinor}, checksum ${info.checksum}); outputs bit-identical`);
