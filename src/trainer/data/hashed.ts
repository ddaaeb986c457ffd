/**
 * Hashed word ids for the text classifier (src/models/text.ts): no vocabulary is stored, so the
 * model file carries only the tokenizer id and the bucket count (a 10k-word vocabulary as JSON would
 * take ~80 KB, more than the whole compressed model). The algorithm, fixed by HASHED_TOKENIZER_ID:
 *
 *   words = tokenize(sentence)                        (src/trainer/data/tokenizer.ts: SST rules, lowercased)
 *   id(w) = 1 + FNV-1a-32(UTF-8 bytes of w) mod (buckets - 1)       (0 is reserved for [PAD])
 *   ids   = id of the first `seq` words, then [PAD] = 0 up to `seq`
 *
 * FNV-1a 32-bit: h = 0x811c9dc5; per byte h = (h xor byte) * 0x01000193 mod 2^32.
 * Different words may share a bucket (a hash collision); the table learns their blend.
 */
import { tokenize } from './tokenizer.js';

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

function check(o: HashedOptions): void {
  if (!(Number.isInteger(o.buckets) && o.buckets >= 2)) throw new RangeError(`buckets must be an integer >= 2, got ${o.buckets}`);
  if (!(Number.isInteger(o.seq) && o.seq >= 1)) throw new RangeError(`seq must be an integer >= 1, got ${o.seq}`);
}

/** A sentence as `seq` int32 ids (see the header). */
export function hashedIds(sentence: string, o: HashedOptions): Int32Array {
  check(o);
  const out = new Int32Array(o.seq);
  const words = tokenize(sentence);
  const n = Math.min(words.length, o.seq);
  for (let i = 0; i < n; i++) out[i] = hashedId(words[i]!, o.buckets);
  return out;
}

/** hashedIds of each sentence, as float values (exact below 2^24) in one [count, seq] array: the `x` of engine Examples. */
export function hashedExamples(sentences: readonly string[], labels: ArrayLike<number>, o: HashedOptions): { x: Float32Array; y: Int32Array; count: number } {
  check(o);
  if (labels.length !== sentences.length) throw new RangeError(`${sentences.length} sentences but ${labels.length} labels`);
  const x = new Float32Array(sentences.length * o.seq);
  sentences.forEach((s, i) => x.set(hashedIds(s, o), i * o.seq));
  return { x, y: Int32Array.from(labels), count: sentences.length };
}
