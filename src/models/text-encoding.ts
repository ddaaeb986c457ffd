/**
 * How a sentence becomes the text classifier's input ids (src/models/text.ts): the word tokenizer and
 * the hashing of words into the model's word table. Models and the trainer both read sentences this
 * way, so it lives with the models; the trainer's vocabularies (trainer/data/tokenizer.ts) and data
 * sets (trainer/data/hashed.ts) build on it.
 *
 * tokenize(): SST-2's files are already tokenized the Penn-Treebank way ("it 's a charming and often
 * affecting journey . "), so tokenize() splits raw text the same way and leaves SST text as it is:
 * lowercase; "n't" and the clitics 's 're 've 'll 'd 'm split off; hyphenated and slashed words
 * ("sci-fi", "and/or", "1/2"), abbreviations ("mr.", "e.t.") and numbers ("2.5", "1,000") kept whole;
 * "--", "...", "``", "''" and runs of "*" are one token; any other punctuation mark is a token of its own.
 *
 * Hashed word ids: no vocabulary is stored, so the model file carries only the tokenizer id and the
 * bucket count (a 10k-word vocabulary as JSON would take ~80 KB, more than the whole compressed
 * model). The algorithm, fixed by HASHED_TOKENIZER_ID:
 *
 *   words = tokenize(sentence)                        (the rules above, lowercased)
 *   id(w) = 1 + FNV-1a-32(UTF-8 bytes of w) mod (buckets - 1)       (0 is reserved for [PAD])
 *   ids   = id of the first `seq` words, then [PAD] = 0 up to `seq`
 *
 * FNV-1a 32-bit: h = 0x811c9dc5; per byte h = (h xor byte) * 0x01000193 mod 2^32.
 * Different words may share a bucket (a hash collision); the table learns their blend.
 */

/** Names the tokenize() rules, stored with the vocabulary so a model is never run with other rules. */
export const TOKENIZER_ID = 'wpal-word-sst-v1';

const W = '[\\p{L}\\p{N}\\p{M}]';
const TOKEN = new RegExp(
  [
    "n't",
    "'(?:s|re|ve|ll|d|m)(?![\\p{L}\\p{N}])",
    "'\\d\\ds", // '70s
    '(?:mrs?|ms|dr|jr|sr|st|vs|etc|inc|co|no)\\.(?=\\s\\S)', // abbreviation (not sentence-final)
    `(?:\\p{L}\\.){2,}`, // e.t. u.s. a.m.
    '\\p{L}\\.(?=\\s\\S)', // initial: "j. lo"
    '\\p{N}+(?:[.,:/]\\p{N}+)+', // 2.5  1,000  10:30  1/2
    `${W}+?(?=n't(?!${W}))`, // "do" of "don't", "ca" of "can't"
    `${W}+(?:(?:[-/&]|'(?!(?:s|re|ve|ll|d|m|t)(?![\\p{L}\\p{N}])))${W}+)*`, // words, sci-fi, and/or, o'brien
    '\\.\\.\\.+|--+|``|\'\'|\\*+|[^\\s\\p{L}\\p{N}\\p{M}]',
  ].join('|'),
  'gu',
);

/** Split text into SST-style tokens (lowercased). */
export function tokenize(text: string): string[] {
  const t = text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/\u201c/g, '``')
    .replace(/\u201d/g, "''")
    .replace(/\u2026/g, '...')
    .replace(/[\u2013\u2014]/g, ' -- ')
    .replace(/(^|[\s([{])"/g, '$1``')
    .replace(/"/g, "''");
  return t.match(TOKEN) ?? [];
}

/** Names the algorithm above; stored in the model metadata ("tokenizer"). */
export const HASHED_TOKENIZER_ID = 'wpal-word-sst-v1+fnv1a32';
/** The padding id. */
export const HASHED_PAD_ID = 0;

const utf8 = new TextEncoder();

/** FNV-1a 32-bit of the UTF-8 bytes of `s` (unsigned). */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (const b of utf8.encode(s)) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

/** The bucket id (1 .. buckets-1) of one token, already tokenized (lowercase). */
export function hashedId(token: string, buckets: number): number {
  return 1 + (fnv1a32(token) % (buckets - 1));
}

export interface HashedOptions {
  /** Table rows (>= 2): id 0 is [PAD], words hash to 1 .. buckets-1. */
  buckets: number;
  /** Ids per sentence: longer sentences are cut, shorter ones padded with 0. */
  seq: number;
}

/** Throws RangeError unless `o` is a usable word table (buckets >= 2) and sequence length (seq >= 1). */
export function checkHashedOptions(o: HashedOptions): void {
  if (!(Number.isInteger(o.buckets) && o.buckets >= 2)) throw new RangeError(`buckets must be an integer >= 2, got ${o.buckets}`);
  if (!(Number.isInteger(o.seq) && o.seq >= 1)) throw new RangeError(`seq must be an integer >= 1, got ${o.seq}`);
}

/** A sentence as `seq` int32 ids (see the header). */
export function hashedIds(sentence: string, o: HashedOptions): Int32Array {
  checkHashedOptions(o);
  const out = new Int32Array(o.seq);
  const words = tokenize(sentence);
  const n = Math.min(words.length, o.seq);
  for (let i = 0; i < n; i++) out[i] = hashedId(words[i]!, o.buckets);
  return out;
}
