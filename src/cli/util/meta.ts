/**
 * The metadata properties `wpal train` records in a .wpal file, and how the CLI reads an accuracy
 * claim back. Property values are strings (the format's free key/values).
 */
import { readFileSync } from 'node:fs';
import type { MetadataInfo } from '../../format/types.js';
import { ACCURACY, ACCURACY_DATASET, ACCURACY_EXAMPLES } from '../../trainer/measure.js';

/** Keys of the measured-accuracy claim (defined once, in trainer/measure.ts). */
export { ACCURACY, ACCURACY_DATASET, ACCURACY_EXAMPLES };

/** A file's recorded accuracy claim, when it has a well-formed one. */
export interface RecordedAccuracy {
  accuracy: number;
  examples?: number;
  dataset?: string;
}

/**
 * The accuracy the file claims (`accuracy`, a fraction 0..1, or a percentage "99.1%"), or undefined
 * when it records none. A value that does not parse is returned as NaN so that a check fails loudly.
 */
export function recordedAccuracy(meta: MetadataInfo): RecordedAccuracy | undefined {
  const p = meta.properties;
  const raw = p[ACCURACY];
  if (raw === undefined) return undefined;
  const t = raw.trim();
  const accuracy = t.endsWith('%') ? Number((Number(t.slice(0, -1)) / 100).toFixed(12)) : Number(t);
  const ex = p[ACCURACY_EXAMPLES] !== undefined ? Number(p[ACCURACY_EXAMPLES]) : undefined;
  return {
    accuracy: t === '' ? NaN : accuracy,
    ...(ex !== undefined && Number.isFinite(ex) ? { examples: ex } : {}),
    ...(p[ACCURACY_DATASET] !== undefined ? { dataset: p[ACCURACY_DATASET] } : {}),
  };
}

let version: string | undefined;

/** The package version (package.json two folders above src/cli/util and dist/cli/util alike). */
export function packageVersion(): string {
  if (version === undefined) {
    try {
      version = String((JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown }).version ?? 'unknown');
    } catch {
      version = 'unknown';
    }
  }
  return version;
}
