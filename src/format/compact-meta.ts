/**
 * The compact metadata of format 1.4 (schemas/wpal.fbs, "Compact metadata"): Model.meta, a stream
 * of `code value` entries that holds what the Metadata table holds, with well-known property keys
 * as MetaCode values. A stripped LeNet-5's accuracy claim, data set and preprocessing take ~45 B
 * here against ~230 B as FlatBuffers tables (a vtable, offsets and padding per key-value pair).
 */
import { MetaCode } from './generated/wpal_generated.js';
import { MAX_PREPROCESS_CHANNELS } from './limits.js';
import { StreamReader, StreamWriter } from './stream.js';
import type { ByteRange, MetadataInfo, PreprocessingInfo } from './types.js';

/** What the writer holds (ModelWriterOptions' metadata fields, already stripped if asked). */
export interface MetaToWrite {
  name?: string;
  description?: string;
  task?: string;
  preprocessing?: Partial<PreprocessingInfo>;
  outputLabels?: readonly string[];
  properties?: Readonly<Record<string, string>>;
}

/** First MetaCode value that names a property (below it: Metadata's fields, then reserved codes). */
export const FIRST_PROPERTY_CODE = 16;

/** The code of property `key`, or undefined (then the entry stores the key: MetaCode.Custom). */
function propertyCode(key: string): number | undefined {
  const v = Object.prototype.hasOwnProperty.call(MetaCode, key) ? (MetaCode as unknown as Record<string, unknown>)[key] : undefined;
  return typeof v === 'number' && v >= FIRST_PROPERTY_CODE ? v : undefined;
}

/** The property key of a code >= FIRST_PROPERTY_CODE, or undefined for a code this build does not know. */
function propertyKey(code: number): string | undefined {
  const key = (MetaCode as unknown as Record<number, string | undefined>)[code];
  return code >= FIRST_PROPERTY_CODE && typeof key === 'string' ? key : undefined;
}

/** Model.meta's bytes; empty when there is nothing to store (the writer then leaves the field out). */
export function encodeCompactMeta(m: MetaToWrite): Uint8Array {
  const s = new StreamWriter();
  const text = (code: number, v: string | undefined) => {
    if (v === undefined) return;
    s.uvar(code);
    s.str(v);
  };
  text(MetaCode.Name, m.name);
  text(MetaCode.Description, m.description);
  text(MetaCode.Task, m.task);
  const p = m.preprocessing;
  if (p) {
    text(MetaCode.Layout, p.layout);
    // Scale is always written: it marks the preprocessing as present even when all else is default.
    s.uvar(MetaCode.Scale);
    s.f32(p.scale ?? 1);
    for (const [code, list] of [[MetaCode.Mean, p.mean], [MetaCode.Std, p.std]] as const) {
      if (!list?.length) continue;
      s.uvar(code);
      s.uvar(list.length);
      for (const v of list) s.f32(v);
    }
  }
  if (m.outputLabels?.length) {
    s.uvar(MetaCode.OutputLabels);
    s.uvar(m.outputLabels.length);
    for (const l of m.outputLabels) s.str(l);
  }
  for (const [key, value] of Object.entries(m.properties ?? {})) {
    const code = propertyCode(key);
    s.uvar(code ?? MetaCode.Custom);
    if (code === undefined) s.str(key);
    s.str(value);
  }
  return s.bytes();
}

/** MetadataInfo of Model.meta (`range`: its elements in `bytes`). Throws WpalFormatError naming the entry. */
export function parseCompactMeta(bytes: Uint8Array, range: ByteRange): MetadataInfo {
  const s = new StreamReader(bytes, range.offset, range.offset + range.length, 'Model.meta');
  const info: MetadataInfo = { outputLabels: [], properties: {} };
  const seen = new Set<number>();
  let pre: PreprocessingInfo | undefined;
  const preprocessing = () => (pre ??= { scale: 1, mean: [], std: [] });
  while (!s.done) {
    const at = s.pos;
    const code = s.uvar('entry code');
    const what = `entry at byte ${at}`;
    if (code > MetaCode.Custom && code < FIRST_PROPERTY_CODE) {
      if (seen.has(code)) s.fail(`${what}: ${MetaCode[code] ?? `code ${code}`} appears twice`);
      seen.add(code);
    }
    switch (code) {
      case MetaCode.Name:
        info.name = s.str('name');
        break;
      case MetaCode.Description:
        info.description = s.str('description');
        break;
      case MetaCode.Task:
        info.task = s.str('task');
        break;
      case MetaCode.Layout:
        preprocessing().layout = s.str('preprocessing layout');
        break;
      case MetaCode.Scale:
        preprocessing().scale = s.f32('preprocessing scale');
        break;
      case MetaCode.Mean:
      case MetaCode.Std: {
        const name = code === MetaCode.Mean ? 'mean' : 'std';
        const n = s.count(`preprocessing ${name} count`, MAX_PREPROCESS_CHANNELS, 4);
        preprocessing()[name] = Array.from({ length: n }, () => s.f32(`preprocessing ${name}`));
        break;
      }
      case MetaCode.OutputLabels: {
        const n = s.count('output label count', Infinity, 1);
        for (let i = 0; i < n; i++) info.outputLabels.push(s.str(`output label ${i}`));
        break;
      }
      default: {
        let key: string | undefined;
        if (code === MetaCode.Custom) key = s.str('property key');
        else if (code >= FIRST_PROPERTY_CODE) key = propertyKey(code);
        if (key === undefined) {
          return s.fail(`${what}: unknown metadata code ${code}` + (code >= FIRST_PROPERTY_CODE ? ' (a property key of a newer format version: upgrade wasm-palette)' : ' (reserved)'));
        }
        const value = s.str(`property ${JSON.stringify(key)}`);
        if (Object.prototype.hasOwnProperty.call(info.properties, key)) s.fail(`${what}: property ${JSON.stringify(key)} appears twice`);
        Object.defineProperty(info.properties, key, { value, enumerable: true, writable: true, configurable: true });
      }
    }
  }
  if (pre) info.preprocessing = pre;
  return info;
}
