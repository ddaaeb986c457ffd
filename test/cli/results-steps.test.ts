/**
 * The README's results rows (scripts/results-steps.ts) are `wpal` commands that scripts/results.ts runs
 * through the CLI's parser and the library: every one must parse as the command line would parse it,
 * and every file a row reads must be written by an earlier row.
 */
import { describe, expect, it } from 'vitest';
import { STEPS } from '../../scripts/results-steps.js';
import { parseArgs } from '../../src/cli/util/args.js';
import { spec as compressSpec } from '../../src/cli/compress.js';
import { parseLayerSpec } from '../../src/cli/compress-args.js';
import { spec as trainSpec } from '../../src/cli/train.js';

const argsOf = (args: string) => args.split(' ');

describe('results rows', () => {
  it.each(STEPS.map((s) => [s.id, s] as const))('%s parses as a wpal command', (_id, s) => {
    const [command, ...rest] = argsOf(s.args);
    expect(['train', 'compress']).toContain(command);
    const parsed = parseArgs(rest, command === 'train' ? trainSpec : compressSpec);
    expect(parsed.options['output']).toMatch(/^@\/.+\.wpal$/);
    expect(typeof parsed.options['data']).toBe('string');
    if (command === 'compress') {
      expect(parsed.positionals).toHaveLength(1);
      if (parsed.options['layer'] !== undefined) expect(Object.keys(parseLayerSpec(parsed.options['layer'] as string)).length).toBeGreaterThan(0);
    }
  });

  it('every file a row reads is written by an earlier row, and every ratio reference is a row', () => {
    const written = new Set<string>();
    for (const s of STEPS) {
      const a = argsOf(s.args);
      const reads = a.filter((x, i) => x.startsWith('@/') && a[i - 1] !== '-o');
      for (const r of reads) expect(written, `${s.id} reads ${r}`).toContain(r);
      written.add(a[a.indexOf('-o') + 1]!);
      expect(STEPS.map((x) => x.id)).toContain(s.ref);
    }
  });
});
