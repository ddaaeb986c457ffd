/**
 * Word vocabularies for SST-2, over the word rules of tokenize() (src/models/text-encoding.ts, where
 * the models read sentences; re-exported here).
 *
 * Ids: 0 = [PAD], 1 = [UNK], 2 = [CLS], then words by falling frequency in the training split (ties by
 * code-unit order, so the vocabulary does not depend on the order of the sentences).
 */
import { WpalDataError } from './errors.js';
import { tokenize, TOKENIZER_ID } from '../../models/text-encoding.js';

// The word rules are the models' (src/models/text-encoding.ts); re-exported for the trainer's users.
export { tokenize, TOKENIZER_ID };

export const PAD_ID = 0;
export const UNK_ID = 1;
export const CLS_ID = 2;
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]'] as const;

/** A vocabulary: id -> token and token -> id. */
export interface Vocab {
  /** tokens[id]; tokens[0..2] are [PAD], [UNK], [CLS]. */
  readonly tokens: readonly string[];
  readonly ids: ReadonlyMap<string, number>;
  /** Always TOKENIZER_ID for vocabularies made here. */
  readonly tokenizer: string;
}

function vocabFromTokens(words: readonly string[], tokenizer = TOKENIZER_ID): Vocab {
  const tokens = [...SPECIAL_TOKENS, ...words];
  const ids = new Map<string, number>();
  tokens.forEach((t, i) => ids.set(t, i));
  return { tokens, ids, tokenizer };
}

export interface BuildVocabOptions {
  /** Total size including the 3 special tokens (default 16000). */
  readonly maxSize?: number;
  /**
   * Minimum count for a word to get an id (default 2: words seen once in training become [UNK], so the
   * model sees [UNK] while training and learns what to do with unseen words).
   */
  readonly minCount?: number;
}

/** Build a vocabulary from training sentences: the most frequent words with at least minCount occurrences. */
export function buildVocab(sentences: Iterable<string>, opts: BuildVocabOptions = {}): Vocab {
  const maxSize = opts.maxSize ?? 16000;
  const minCount = opts.minCount ?? 2;
  if (!Number.isInteger(maxSize) || maxSize < SPECIAL_TOKENS.length) throw new RangeError(`maxSize must be an integer >= ${SPECIAL_TOKENS.length}, got ${maxSize}`);
  if (!Number.isInteger(minCount) || minCount < 1) throw new RangeError(`minCount must be an integer >= 1, got ${minCount}`);
  const counts = new Map<string, number>();
  for (const s of sentences) for (const w of tokenize(s)) counts.set(w, (counts.get(w) ?? 0) + 1);
  for (const sp of SPECIAL_TOKENS) counts.delete(sp);
  const words = [...counts.entries()]
    .filter(([, c]) => c >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxSize - SPECIAL_TOKENS.length)
    .map(([w]) => w);
  return vocabFromTokens(words);
}

/** Token ids of a sentence: [CLS] first, then the words ([UNK] if not in vocab), truncated or padded with [PAD] to seqLen. */
export function encode(sentence: string, vocab: Vocab, seqLen = 48): Int32Array {
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new RangeError(`seqLen must be an integer >= 1, got ${seqLen}`);
  const out = new Int32Array(seqLen); // zero = [PAD]
  out[0] = CLS_ID;
  const words = tokenize(sentence);
  const n = Math.min(words.length, seqLen - 1);
  for (let i = 0; i < n; i++) out[i + 1] = vocab.ids.get(words[i]!) ?? UNK_ID;
  return out;
}

/** encode() of each sentence, row after row: a [sentences.length, seqLen] Int32Array. */
export function encodeBatch(sentences: readonly string[], vocab: Vocab, seqLen = 48): Int32Array {
  const out = new Int32Array(sentences.length * seqLen);
  sentences.forEach((s, i) => out.set(encode(s, vocab, seqLen), i * seqLen));
  return out;
}

/** The tokens of ids, without [PAD] and [CLS], joined by spaces (for inspection). */
export function decode(ids: ArrayLike<number>, vocab: Vocab): string {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id === PAD_ID || id === CLS_ID) continue;
    out.push(vocab.tokens[id] ?? SPECIAL_TOKENS[UNK_ID]);
  }
  return out.join(' ');
}

/** JSON form of a vocabulary (stored in the model file's metadata). */
export function vocabToJson(vocab: Vocab): string {
  return JSON.stringify({ tokenizer: vocab.tokenizer, specials: SPECIAL_TOKENS, tokens: vocab.tokens.slice(SPECIAL_TOKENS.length) });
}

/** Read vocabToJson() output back. Throws WpalDataError('corrupt') if the JSON is not such a vocabulary. */
export function vocabFromJson(json: string): Vocab {
  const bad = (what: string, cause?: unknown) => new WpalDataError('corrupt', `vocabulary JSON: ${what}`, { cause });
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`, e);
  }
  if (typeof v !== 'object' || v === null) throw bad('expected an object {tokenizer, specials, tokens}');
  const { tokenizer, specials, tokens } = v as Record<string, unknown>;
  if (tokenizer !== TOKENIZER_ID) {
    throw bad(`tokenizer is ${JSON.stringify(tokenizer)}; this wasm-palette tokenizes as ${TOKENIZER_ID}: the model needs the tokenizer it was trained with`);
  }
  if (!Array.isArray(specials) || specials.join('\u0000') !== SPECIAL_TOKENS.join('\u0000')) {
    throw bad(`specials must be ${JSON.stringify(SPECIAL_TOKENS)}, got ${JSON.stringify(specials)}`);
  }
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string' && t !== '')) throw bad('tokens must be an array of non-empty strings');
  const vocab = vocabFromTokens(tokens as string[]);
  if (vocab.ids.size !== vocab.tokens.length) throw bad('tokens has duplicates or repeats a special token');
  return vocab;
}
