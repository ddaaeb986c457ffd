/**
 * Labelled text in a table, for the text classifier (words hashed as for SST-2, src/trainer/data/hashed.ts):
 *
 *   .csv    RFC 4180: a header row of column names, comma-separated fields, fields in double quotes
 *           may hold commas, newlines and doubled quotes ("")
 *   .tsv    a header row, fields separated by tabs, no quoting (as GLUE's files: SST-2's train.tsv
 *           loads as it is)
 *   .jsonl  one JSON object per line; blank lines are skipped
 *
 * UTF-8 (a BOM is dropped), LF or CRLF. The text column defaults to "text", else "sentence"; the
 * label column to "label". Labels are kept as strings: class names (see meta.ts: integers 0..K-1
 * name classes by number, other labels sort by code unit).
 */
import { WpalDataError } from './errors.js';

export type TextFormat = 'csv' | 'tsv' | 'jsonl';
export const TEXT_EXTENSIONS: Record<string, TextFormat> = { '.csv': 'csv', '.tsv': 'tsv', '.jsonl': 'jsonl' };

export interface TextColumns {
  text?: string;
  label?: string;
}

export interface TextTable {
  texts: string[];
  labels: string[];
  /** The line (1-based) each row starts on. */
  lines: number[];
  /** The columns used (after defaults). */
  textColumn: string;
  labelColumn: string;
}

function corrupt(file: string, line: number | undefined, what: string, cause?: unknown): WpalDataError {
  return new WpalDataError('corrupt', `${file}${line !== undefined ? `:${line}` : ''}: ${what}`, { cause, file });
}

function utf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw corrupt(file, undefined, 'not valid UTF-8 text', e);
  }
}

/** RFC 4180 records: each a list of fields, with the line each starts on. */
function csvRecords(text: string, file: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let i = 0;
  let quotedField = false;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !quotedField)) out.push({ fields, line: start });
    fields = [];
    field = '';
    quotedField = false;
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"' && field === '' && !quotedField) {
      // A quoted field: up to the closing quote; "" is one quote.
      const open = line;
      quotedField = true;
      i++;
      for (;;) {
        if (i >= text.length) throw corrupt(file, open, 'a quoted field is never closed (a missing ")');
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') throw corrupt(file, line, `text after a closing quote (${JSON.stringify(text.slice(i, i + 20))}); a quote inside a quoted field is written ""`);
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
      quotedField = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += ch;
    i++;
  }
  if (field !== '' || fields.length > 0 || quotedField) endRecord();
  return out;
}

/** Tab-separated records (no quoting), skipping blank lines. */
function tsvRecords(text: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  text.split('\n').forEach((raw, i) => {
    const row = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (row !== '') out.push({ fields: row.split('\t'), line: i + 1 });
  });
  return out;
}

function pickColumn(header: readonly string[], want: string | undefined, defaults: readonly string[], what: string, flag: string, file: string): string {
  const name = want ?? defaults.find((d) => header.includes(d));
  if (name !== undefined && header.includes(name)) return name;
  const cols = header.map((h) => JSON.stringify(h)).join(', ');
  throw corrupt(file, undefined, `no ${what} column ${want !== undefined ? JSON.stringify(want) : defaults.map((d) => JSON.stringify(d)).join(' or ')} (columns: ${cols}); choose one with ${flag}`);
}

/** Parses a labelled text table (see the header). Errors name the file and line. */
export function parseTextTable(bytes: Uint8Array, file: string, format: TextFormat, cols: TextColumns = {}): TextTable {
  let text = utf8(bytes, file);
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const texts: string[] = [];
  const labels: string[] = [];
  const lines: number[] = [];
  const textDefaults = ['text', 'sentence'];
  if (format === 'jsonl') {
    let textColumn: string | undefined;
    let labelColumn: string | undefined;
    text.split('\n').forEach((raw, i) => {
      const row = raw.trim();
      if (row === '') return;
      let o: unknown;
      try {
        o = JSON.parse(row);
      } catch (e) {
        throw corrupt(file, i + 1, `not a JSON object (${(e as Error).message})`, e);
      }
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw corrupt(file, i + 1, 'not a JSON object');
      const rec = o as Record<string, unknown>;
      textColumn ??= pickColumn(Object.keys(rec), cols.text, textDefaults, 'text', '--text-column', file);
      labelColumn ??= pickColumn(Object.keys(rec), cols.label, ['label'], 'label', '--label-column', file);
      const t = rec[textColumn];
      const l = rec[labelColumn];
      if (typeof t !== 'string') throw corrupt(file, i + 1, `"${textColumn}" is ${t === undefined ? 'missing' : `a ${typeof t}`}, not a string`);
      if (!((typeof l === 'number' && Number.isInteger(l)) || (typeof l === 'string' && l.trim() !== ''))) {
        throw corrupt(file, i + 1, `"${labelColumn}" is ${l === undefined ? 'missing' : JSON.stringify(l)}; a label is an integer or a non-empty string`);
      }
      texts.push(t);
      labels.push(String(l).trim());
      lines.push(i + 1);
    });
    if (texts.length === 0) throw corrupt(file, undefined, 'holds no rows');
    return { texts, labels, lines, textColumn: textColumn!, labelColumn: labelColumn! };
  }
  const records = format === 'csv' ? csvRecords(text, file) : tsvRecords(text);
  if (records.length === 0) throw corrupt(file, undefined, 'the file is empty; expected a header row naming the columns');
  const header = records[0]!.fields.map((h) => h.trim());
  const textColumn = pickColumn(header, cols.text, textDefaults, 'text', '--text-column', file);
  const labelColumn = pickColumn(header, cols.label, ['label'], 'label', '--label-column', file);
  const ti = header.indexOf(textColumn);
  const li = header.indexOf(labelColumn);
  for (const r of records.slice(1)) {
    if (r.fields.length !== header.length) {
      throw corrupt(file, r.line, `${r.fields.length} field${r.fields.length === 1 ? '' : 's'}; the header has ${header.length}${format === 'tsv' ? ' (TSV has no quoting: a tab inside a text splits it)' : ''}`);
    }
    const label = r.fields[li]!.trim();
    if (label === '') throw corrupt(file, r.line, `empty label (column "${labelColumn}")`);
    texts.push(r.fields[ti]!);
    labels.push(label);
    lines.push(r.line);
  }
  if (texts.length === 0) throw corrupt(file, undefined, 'holds a header but no rows');
  return { texts, labels, lines, textColumn, labelColumn };
}
