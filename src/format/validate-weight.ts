/**
 * Layout rules of a stored weight (schemas/wpal.fbs), shared by the reader (which checks a file)
 * and the writer (which checks what it is about to write): one values part and at most one
 * sparsity part, each checked by its row in layouts.ts (exact lengths of every blob, bit widths,
 * palette groups, scales, block masks).
 */
import { WpalFormatError } from './errors.js';
import { SPARSITY_LAYOUTS, VALUE_LAYOUTS, type CheckedLayout, type Kept, type LayoutPart, type WeightLayout } from './layouts.js';

export type { CheckedLayout, WeightLayout } from './layouts.js';

/** Largest number of elements of one tensor (4 GiB of float32 would not fit in wasm32 memory anyway). */
export const MAX_ELEMENTS = 2 ** 30;

/**
 * Checks a weight seen as a [rows, cols] matrix and returns each part's resolved fields. `where`
 * prefixes messages, e.g. `tensor 3 "fc1.weight"`. Throws WpalFormatError.
 */
export function checkWeightLayout(rows: number, cols: number, w: WeightLayout, where: string): CheckedLayout {
  const bad = (msg: string): never => {
    throw new WpalFormatError(`${where}: ${msg}`);
  };
  const values = VALUE_LAYOUTS.filter((r) => w[r.part]);
  if (values.length !== 1) {
    bad(`weight must have exactly one of ${VALUE_LAYOUTS.map((r) => r.part).join(' / ')}, has ${values.length === 0 ? 'neither' : values.length === 2 ? 'both' : values.map((r) => r.part).join(', ')}`);
  }
  const sparsity = SPARSITY_LAYOUTS.filter((r) => w[r.part]);
  if (sparsity.length > 1) bad(`weight may have at most one of ${SPARSITY_LAYOUTS.map((r) => r.part).join(' / ')}, has ${sparsity.map((r) => r.part).join(', ')}`);
  const out: Partial<Record<LayoutPart, unknown>> = {};
  // The sparsity part first: it says how many values are stored.
  let kept: Kept | undefined;
  for (const row of sparsity) {
    const c = row.check(rows, cols, w[row.part]!, bad);
    out[row.part] = c.fields;
    kept = c.kept;
  }
  const row = values[0];
  out[row.part] = row.check(rows, cols, w[row.part]!, kept, bad);
  return out as CheckedLayout;
}
