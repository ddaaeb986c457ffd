/**
 * The text data sets of the trainer: sentences as hashed word ids (the algorithm, with the tokenizer,
 * is the models', src/models/text-encoding.ts), in the float [count, seq] layout of engine Examples.
 */
import { checkHashedOptions, hashedIds, type HashedOptions } from '../../models/text-encoding.js';

export { HASHED_PAD_ID, HASHED_TOKENIZER_ID, fnv1a32, hashedId, hashedIds, type HashedOptions } from '../../models/text-encoding.js';

/** hashedIds of each sentence, as float values (exact below 2^24) in one [count, seq] array: the `x` of engine Examples. */
export function hashedExamples(sentences: readonly string[], labels: ArrayLike<number>, o: HashedOptions): { x: Float32Array; y: Int32Array; count: number } {
  checkHashedOptions(o);
  if (labels.length !== sentences.length) throw new RangeError(`${sentences.length} sentences but ${labels.length} labels`);
  const x = new Float32Array(sentences.length * o.seq);
  sentences.forEach((s, i) => x.set(hashedIds(s, o), i * o.seq));
  return { x, y: Int32Array.from(labels), count: sentences.length };
}
