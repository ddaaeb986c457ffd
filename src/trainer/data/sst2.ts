/**
 * GLUE SST-2 TSV reader. train.tsv and dev.tsv: header `sentence\tlabel`, then one `sentence \tlabel` row
 * per line (UTF-8, LF, a space before the tab, label 0 = negative, 1 = positive). test.tsv: header
 * `index\tsentence` and no labels. Sentences are already tokenized ("it 's a charming ... ").
 */
import { DATASETS } from './catalog.js';
import { readDataFiles, type DataOptions } from './datadir.js';
import { WpalDataError } from './errors.js';

export interface Sst2Split {
  /** Sentences as in the file, without the trailing space. */
  readonly sentences: string[];
  /** 0 = negative, 1 = positive; same length as `sentences`. */
  readonly labels: Uint8Array;
}

export interface Sst2Test {
  readonly index: Int32Array;
  readonly sentences: string[];
}

function corrupt(source: string, line: number, what: string, cause?: unknown): WpalDataError {
  return new WpalDataError('corrupt', `${source}:${line}: ${what}`, { cause, file: source });
}

/** UTF-8 text split into lines (LF; a CR before it is tolerated; no empty last line). */
function lines(bytes: Uint8Array, source: string): string[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (e) {
    throw new WpalDataError('corrupt', `${source}: not valid UTF-8; the GLUE SST-2 files are UTF-8 text`, { cause: e, file: source });
  }
  const out = text.split('\n');
  if (out[out.length - 1] === '') out.pop();
  for (let i = 0; i < out.length; i++) if (out[i]!.endsWith('\r')) out[i] = out[i]!.slice(0, -1);
  return out;
}

/** Parse a labelled SST-2 TSV (train.tsv or dev.tsv). `source` names the file in errors. */
export function parseSst2Tsv(bytes: Uint8Array, source = 'SST-2 TSV'): Sst2Split {
  const rows = lines(bytes, source);
  if (rows.length === 0) throw new WpalDataError('corrupt', `${source}: the file is empty; expected the header "sentence\\tlabel"`, { file: source });
  if (rows[0] !== 'sentence\tlabel') {
    const hint = rows[0] === 'index\tsentence' ? ' (this is test.tsv, which has no labels)' : '';
    throw corrupt(source, 1, `header is ${JSON.stringify(rows[0]!.slice(0, 60))}; expected "sentence\\tlabel"${hint}`);
  }
  const sentences: string[] = [];
  const labels = new Uint8Array(rows.length - 1);
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i]!;
    const tab = row.indexOf('\t');
    if (tab < 0 || row.indexOf('\t', tab + 1) >= 0) {
      throw corrupt(source, i + 1, `expected "sentence<TAB>label" (one tab), got ${JSON.stringify(row.slice(0, 60))}`);
    }
    const label = row.slice(tab + 1);
    if (label !== '0' && label !== '1') throw corrupt(source, i + 1, `label is ${JSON.stringify(label.slice(0, 20))}; labels are 0 or 1`);
    const sentence = row.slice(0, tab).trim();
    if (sentence === '') throw corrupt(source, i + 1, 'empty sentence');
    sentences.push(sentence);
    labels[i - 1] = label === '1' ? 1 : 0;
  }
  return { sentences, labels };
}

/** Parse SST-2 test.tsv (`index\tsentence`, no labels). */
export function parseSst2TestTsv(bytes: Uint8Array, source = 'SST-2 test.tsv'): Sst2Test {
  const rows = lines(bytes, source);
  if (rows[0] !== 'index\tsentence') throw corrupt(source, 1, `header is ${JSON.stringify((rows[0] ?? '').slice(0, 60))}; expected "index\\tsentence"`);
  const index = new Int32Array(rows.length - 1);
  const sentences: string[] = [];
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i]!;
    const tab = row.indexOf('\t');
    const idx = tab < 0 ? NaN : Number(row.slice(0, tab));
    if (!Number.isInteger(idx) || idx < 0 || row.indexOf('\t', tab + 1) >= 0) {
      throw corrupt(source, i + 1, `expected "index<TAB>sentence", got ${JSON.stringify(row.slice(0, 60))}`);
    }
    index[i - 1] = idx;
    sentences.push(row.slice(tab + 1).trim());
  }
  return { index, sentences };
}

/**
 * Load SST-2 'train' (67349 rows) or 'dev' (872 rows) from `<dataDir>/sst2/`. Throws WpalDataError when the
 * file is missing, is not the known file (MD5, unless verify: false) or a row does not parse.
 */
export function loadSst2(split: 'train' | 'dev', opts: DataOptions = {}): Sst2Split {
  if (split !== 'train' && split !== 'dev') {
    throw new TypeError(`unknown SST-2 split ${JSON.stringify(split)}: use 'train' or 'dev' (test.tsv has no labels: loadSst2Test)`);
  }
  const [file] = readDataFiles(DATASETS.sst2, [split], opts);
  const out = parseSst2Tsv(file!.bytes, file!.path);
  const expected = DATASETS.sst2.files[split]!.count;
  if (opts.verify !== false && out.sentences.length !== expected) {
    throw new WpalDataError('corrupt', `${file!.path}: ${out.sentences.length} rows; SST-2 ${split} has ${expected}`, { file: file!.path });
  }
  return out;
}

/** Load SST-2 test.tsv (1821 unlabelled rows). */
export function loadSst2Test(opts: DataOptions = {}): Sst2Test {
  const [file] = readDataFiles(DATASETS.sst2, ['test'], opts);
  return parseSst2TestTsv(file!.bytes, file!.path);
}

/**
 * The sentence each phrase of SST-2's training set was cut from: group ids, one per phrase. A phrase
 * belongs to the first (longest) phrase that contains it as whole words and is contained in no
 * longer one (6,885 groups for GLUE's 67,349 training phrases). Candidates are found through the
 * phrase's rarest word, so this takes about a second.
 */
export function sentenceGroups(sentences: readonly string[]): Int32Array {
  const order = sentences.map((_, i) => i).sort((a, b) => sentences[b]!.length - sentences[a]!.length || a - b);
  const group = new Int32Array(sentences.length).fill(-1);
  const byWord = new Map<string, number[]>();
  // ` phrase ` of each group's sentence, so whole-word containment is one includes()
  const padded: string[] = [];
  let groups = 0;
  for (const i of order) {
    const words = sentences[i]!.split(' ');
    let candidates: number[] | undefined;
    for (const w of words) {
      const list = byWord.get(w);
      if (!list) { candidates = []; break; }
      if (!candidates || list.length < candidates.length) candidates = list;
    }
    const phrase = ` ${sentences[i]} `;
    const root = candidates?.find((r) => padded[group[r]!]!.includes(phrase));
    if (root !== undefined) { group[i] = group[root]!; continue; }
    group[i] = groups++;
    padded.push(phrase);
    for (const w of new Set(words)) {
      let list = byWord.get(w);
      if (!list) byWord.set(w, (list = []));
      list.push(i);
    }
  }
  return group;
}
