/**
 * A strict command-line parser with no dependency: `--name value`, `--name=value`, `-o value`,
 * boolean `--flag`, `--` ends the options. Unknown options, missing values, malformed numbers and
 * sizes and extra positional arguments are UsageErrors (exit code 2).
 */
import { UsageError } from './errors.js';
import { parseSize } from './size.js';

export type OptionType = 'string' | 'int' | 'number' | 'size' | 'boolean';

export interface OptionSpec {
  type: OptionType;
  /** One-letter alias, e.g. 'o' for -o. */
  short?: string;
  /** Placeholder in the help, e.g. "FILE". */
  value?: string;
  description: string;
  /** Allowed values of a string option. */
  choices?: readonly string[];
  /** Smallest allowed value of a number (int, number, size). */
  min?: number;
  /** Largest allowed value of a number. */
  max?: number;
}

export interface CommandSpec {
  name: string;
  /** One line: what the command does. */
  summary: string;
  /** The usage line after "wpal <name>", e.g. "<file.wpal> [options]". */
  usage: string;
  /** Positional arguments: names for the help, and how many are required / allowed. */
  positionals: { name: string; description: string; required: boolean }[];
  options: Record<string, OptionSpec>;
  /** Extra paragraphs (examples, notes) at the end of the help. */
  notes?: string[];
}

export type OptionValue = string | number | boolean;

export interface Parsed {
  positionals: string[];
  /** Only the options given on the command line (ints/numbers/sizes as numbers, flags as true). */
  options: Record<string, OptionValue | undefined>;
  help: boolean;
  debug: boolean;
}

/** Options every command has. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'show this help and exit' },
  debug: { type: 'boolean', description: 'print stack traces of errors' },
};

function convert(name: string, spec: OptionSpec, raw: string): OptionValue {
  const flag = `--${name}`;
  switch (spec.type) {
    case 'string':
      if (spec.choices && !spec.choices.includes(raw)) {
        throw new UsageError(`${flag}: ${JSON.stringify(raw)} is not one of ${spec.choices.join(', ')}`);
      }
      return raw;
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw new UsageError(`${flag} is a flag and takes no value (got ${JSON.stringify(raw)})`);
    case 'size':
    case 'int':
    case 'number': {
      let v: number;
      if (spec.type === 'size') v = parseSize(raw, flag);
      else {
        v = raw.trim() === '' ? NaN : Number(raw);
        if (!Number.isFinite(v)) throw new UsageError(`${flag}: ${JSON.stringify(raw)} is not a number`);
        if (spec.type === 'int' && !Number.isInteger(v)) throw new UsageError(`${flag}: ${JSON.stringify(raw)} is not a whole number`);
        if (spec.type === 'int' && !Number.isSafeInteger(v)) throw new UsageError(`${flag}: ${raw.length > 40 ? `${raw.slice(0, 37)}...` : raw} is too large`);
      }
      if (spec.min !== undefined && v < spec.min) throw new UsageError(`${flag}: ${raw} is below the minimum ${spec.min}`);
      if (spec.max !== undefined && v > spec.max) throw new UsageError(`${flag}: ${raw} is above the maximum ${spec.max}`);
      return v;
    }
  }
}

/** Parses argv (without the command name) against the command's spec plus the common options. */
export function parseArgs(argv: readonly string[], cmd: CommandSpec): Parsed {
  const specs: Record<string, OptionSpec> = { ...cmd.options, ...COMMON_OPTIONS };
  const shorts = new Map<string, string>();
  for (const [name, s] of Object.entries(specs)) if (s.short) shorts.set(s.short, name);
  const options: Record<string, OptionValue | undefined> = {};
  const positionals: string[] = [];
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyPositionals || arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      if (eq >= 0) inline = arg.slice(eq + 1);
      if (!Object.hasOwn(specs, name)) throw new UsageError(`unknown option --${name}${suggest(name, Object.keys(specs))}`);
    } else {
      const letter = arg.slice(1, 2);
      name = shorts.get(letter);
      if (name === undefined || (arg.length > 2 && specs[name]!.type === 'boolean')) throw new UsageError(`unknown option ${arg}`);
      if (arg.length > 2) inline = arg.slice(2).replace(/^=/, '');
    }
    const spec = specs[name]!;
    if (Object.hasOwn(options, name)) throw new UsageError(`option --${name} is given twice`);
    if (spec.type === 'boolean') {
      options[name] = inline === undefined ? true : convert(name, spec, inline);
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-' && !/^-\.?\d/.test(next))) {
        throw new UsageError(`option --${name} needs a value${spec.value ? ` (${spec.value})` : ''}`);
      }
      raw = next;
      i++;
    }
    options[name] = convert(name, spec, raw);
  }
  const help = options['help'] === true;
  const debug = options['debug'] === true;
  if (!help) {
    const required = cmd.positionals.filter((p) => p.required).length;
    if (positionals.length < required) {
      const missing = cmd.positionals.slice(positionals.length, required).map((p) => p.name);
      throw new UsageError(`missing ${missing.join(' and ')}`);
    }
    if (positionals.length > cmd.positionals.length) {
      const extra = positionals.slice(cmd.positionals.length);
      throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((a) => JSON.stringify(a)).join(' ')}`);
    }
  }
  return { positionals, options, help, debug };
}

/** " (did you mean --epochs?)" for a near miss. */
function suggest(name: string, known: string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(name.length / 3)) ? ` (did you mean --${best}?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The help text of a command. */
export function helpText(cmd: CommandSpec): string {
  const lines = [`wpal ${cmd.name} - ${cmd.summary}`, '', `Usage: wpal ${cmd.name} ${cmd.usage}`];
  if (cmd.positionals.length) {
    lines.push('', 'Arguments:');
    for (const p of cmd.positionals) lines.push(`  ${p.name.padEnd(24)} ${p.description}`);
  }
  lines.push('', 'Options:');
  const all = { ...cmd.options, ...COMMON_OPTIONS };
  for (const [name, s] of Object.entries(all)) {
    const left = `${s.short ? `-${s.short}, ` : '    '}--${name}${s.type === 'boolean' ? '' : ` ${s.value ?? s.type.toUpperCase()}`}`;
    const choices = s.choices ? ` [${s.choices.join(' | ')}]` : '';
    const text = s.description + choices;
    lines.push(left.length > 24 ? `  ${left}\n  ${' '.repeat(24)} ${text}` : `  ${left.padEnd(24)} ${text}`);
  }
  for (const n of cmd.notes ?? []) lines.push('', n);
  return lines.join('\n') + '\n';
}
