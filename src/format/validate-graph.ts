/**
 * Graph-level checks of a parsed model: graph inputs/outputs, tensor references, topological
 * order, single producer per tensor, then op-by-op checks and shape inference (ops.ts).
 */
import { WpalFormatError } from './errors.js';
import { inferShapes, opSchema } from './ops.js';
import type { ModelInfo } from './types.js';

export function validateGraph(m: Pick<ModelInfo, 'tensors' | 'ops' | 'inputs' | 'outputs'>, omittedShapes: ReadonlySet<number> = new Set()): void {
  const n = m.tensors.length;
  const label = (t: number) => `tensor ${t} ${JSON.stringify(m.tensors[t].name)}`;
  const inRange = (t: number, where: string) => {
    if (!(Number.isInteger(t) && t >= 0 && t < n)) throw new WpalFormatError(`${where}: tensor index ${t} is out of range (${n} tensors)`);
  };

  if (m.inputs.length === 0) throw new WpalFormatError('graph has no inputs');
  if (m.outputs.length === 0) throw new WpalFormatError('graph has no outputs');
  const defined = new Set<number>();
  m.tensors.forEach((t, i) => t.weight && defined.add(i));
  const graphInputs = new Set<number>();
  m.inputs.forEach((t, k) => {
    inRange(t, `graph input ${k}`);
    if (graphInputs.has(t)) throw new WpalFormatError(`graph input ${k}: ${label(t)} is listed twice`);
    if (m.tensors[t].weight) throw new WpalFormatError(`graph input ${k}: ${label(t)} is a weight`);
    // Activations are float32; int32 exists only for token ids (checked per op: Embedding ids).
    const dt = m.tensors[t].dtype;
    if (dt !== 'float32' && dt !== 'int32') throw new WpalFormatError(`graph input ${k}: ${label(t)} has dtype ${dt}; graph inputs are float32 (or int32 token ids)`);
    graphInputs.add(t);
    defined.add(t);
  });

  for (const op of m.ops) {
    const where = `op ${op.index} (${op.type})`;
    const schema = opSchema(op.type);
    if (!schema) throw new WpalFormatError(`${where}: unknown op type`); // the reader raised WpalUnsupportedOpError before
    op.inputs.forEach((t, k) => {
      if (t === -1) return;
      inRange(t, `${where} input ${k}`);
      if (!defined.has(t)) {
        throw new WpalFormatError(`${where} input ${k}: ${label(t)} is used before it is defined (not a graph input, a weight, or an output of an earlier op)`);
      }
    });
    if (op.outputs.length !== schema.numOutputs) {
      throw new WpalFormatError(`${where}: has ${op.outputs.length} outputs, expected ${schema.numOutputs}`);
    }
    for (const [k, t] of op.outputs.entries()) {
      inRange(t, `${where} output ${k}`);
      if (m.tensors[t].weight) throw new WpalFormatError(`${where} output ${k}: ${label(t)} is a weight`);
      if (graphInputs.has(t)) throw new WpalFormatError(`${where} output ${k}: ${label(t)} is a graph input`);
      if (defined.has(t)) throw new WpalFormatError(`${where} output ${k}: ${label(t)} is produced more than once`);
      defined.add(t);
    }
  }

  const graphOutputs = new Set<number>();
  m.outputs.forEach((t, k) => {
    inRange(t, `graph output ${k}`);
    if (graphOutputs.has(t)) throw new WpalFormatError(`graph output ${k}: ${label(t)} is listed twice`);
    if (m.tensors[t].weight) throw new WpalFormatError(`graph output ${k}: ${label(t)} is a weight`);
    if (!defined.has(t)) throw new WpalFormatError(`graph output ${k}: ${label(t)} is never produced`);
    if (m.tensors[t].dtype !== 'float32') throw new WpalFormatError(`graph output ${k}: ${label(t)} has dtype ${m.tensors[t].dtype}; graph outputs are float32`);
    graphOutputs.add(t);
  });

  inferShapes(m, omittedShapes);
}
