/**
 * The openWakeWord chain, runtime-agnostic: audio (16 kHz, int16 scale) -> melspectrogram model
 * (chunks of 1280 new samples with 480 of context, 8 frames each, then mel / 10 + 2) -> embedding
 * model (windows of 76 frames, step 8 = one embedding per 80 ms chunk) -> a classifier on the last
 * N embeddings (N from its input shape) -> one score per chunk. The same code runs the .onnx files
 * in onnxruntime and the imported .wpal files in wasm-palette, so their scores compare directly.
 *
 * The glue follows openWakeWord's documentation and streaming code: the melspectrogram model sees
 * one chunk at a time (its ReduceMax spans the chunk), embeddings come from the last 76 frames.
 */

export const CHUNK = 1280;
export const CONTEXT = 480;
export const MEL_BINS = 32;
export const FRAMES_PER_CHUNK = 8;
export const WINDOW_FRAMES = 76;
export const EMBEDDING = 96;

/** One model call: input values and shape (batch first) -> output values. */
export type Infer = (input: Float32Array, dims: number[]) => Promise<Float32Array> | Float32Array;

export interface WakeWordRunners {
  /** melspectrogram: [B, CHUNK + CONTEXT] -> [B, 1, 8, 32]. Called with B = 1 unless `melBatch` is set. */
  mel: Infer;
  /** embedding: [B, 76, 32, 1] -> [B, 1, 1, 96]. */
  embedding: Infer;
  /** Classifiers by name: [B, N, 96] -> [B, 1] (or [B, classes]: the score is the largest non-background class). */
  classifiers: Record<string, { infer: Infer; frames: number; batch1?: boolean }>;
  /** Run the mel model on every chunk in one batch (only for runtimes whose reductions are per example). */
  melBatch?: boolean;
}

export interface ChainResult {
  /** Per classifier: its score for every chunk that has N embeddings, and the largest. */
  scores: Record<string, { perChunk: Float32Array; max: number }>;
  chunks: number;
}

/** The clip padded with silence: `lead` seconds before (context for the classifiers with the longest input), `tail` after. */
export function padClip(audio: Float32Array, leadSeconds: number, tailSeconds = 1): Float32Array {
  const padded = new Float32Array(CONTEXT + leadSeconds * 16000 + audio.length + tailSeconds * 16000);
  padded.set(audio, CONTEXT + leadSeconds * 16000);
  return padded;
}

/** The melspectrogram model's inputs: one per 1280-sample chunk, with 480 samples of context, as one batch. */
export function melInputs(padded: Float32Array): { data: Float32Array; chunks: number } {
  const chunks = Math.floor((padded.length - CONTEXT) / CHUNK);
  const data = new Float32Array(chunks * (CHUNK + CONTEXT));
  for (let c = 0; c < chunks; c++) data.set(padded.subarray(c * CHUNK, c * CHUNK + CHUNK + CONTEXT), c * (CHUNK + CONTEXT));
  return { data, chunks };
}

/** Mel frames (8 per chunk) scaled as openWakeWord does: mel / 10 + 2. */
export async function melFrames(mel: Infer, inputs: { data: Float32Array; chunks: number }, batch: boolean): Promise<Float32Array> {
  const per = CHUNK + CONTEXT;
  const frames = new Float32Array(inputs.chunks * FRAMES_PER_CHUNK * MEL_BINS);
  if (batch) frames.set((await mel(inputs.data, [inputs.chunks, per])).subarray(0, frames.length));
  else for (let c = 0; c < inputs.chunks; c++) frames.set(await mel(inputs.data.subarray(c * per, (c + 1) * per), [1, per]), c * FRAMES_PER_CHUNK * MEL_BINS);
  for (let i = 0; i < frames.length; i++) frames[i] = frames[i] / 10 + 2;
  return frames;
}

/** The embedding model's inputs: the 76 frames ending at each chunk's last frame, once 76 exist. */
export function embeddingWindows(frames: Float32Array): { data: Float32Array; count: number } {
  const chunks = frames.length / (FRAMES_PER_CHUNK * MEL_BINS);
  const first = Math.ceil(WINDOW_FRAMES / FRAMES_PER_CHUNK) - 1;
  const count = Math.max(0, chunks - first);
  const data = new Float32Array(count * WINDOW_FRAMES * MEL_BINS);
  for (let e = 0; e < count; e++) {
    const end = (first + e + 1) * FRAMES_PER_CHUNK;
    data.set(frames.subarray((end - WINDOW_FRAMES) * MEL_BINS, end * MEL_BINS), e * WINDOW_FRAMES * MEL_BINS);
  }
  return { data, count };
}

/** A classifier's inputs: every run of `n` consecutive embeddings. */
export function classifierInputs(embeddings: Float32Array, n: number): { data: Float32Array; count: number } {
  const total = embeddings.length / EMBEDDING;
  const count = Math.max(0, total - n + 1);
  const data = new Float32Array(count * n * EMBEDDING);
  for (let p = 0; p < count; p++) data.set(embeddings.subarray(p * EMBEDDING, (p + n) * EMBEDDING), p * n * EMBEDDING);
  return { data, count };
}

/** A classifier's score for one example: its output, or for a multi-class one (timer) the best class after background (class 0). */
export function classifierScore(out: Float32Array, at = 0, width = out.length): number {
  return width === 1 ? out[at] : Math.max(...out.subarray(at + 1, at + width));
}

/**
 * Scores a clip. The clip is padded with `leadSeconds` of silence before (so the classifiers with
 * the longest context have embeddings before the speech) and `tailSeconds` after.
 */
export async function scoreClip(audio: Float32Array, r: WakeWordRunners, opts: { leadSeconds?: number; tailSeconds?: number } = {}): Promise<ChainResult> {
  const maxFrames = Math.max(...Object.values(r.classifiers).map((c) => c.frames));
  const padded = padClip(audio, opts.leadSeconds ?? Math.ceil(((maxFrames + 10) * CHUNK) / 16000), opts.tailSeconds ?? 1);
  const mel = melInputs(padded);
  const windows = embeddingWindows(await melFrames(r.mel, mel, !!r.melBatch));
  const embeddings = await r.embedding(windows.data, [windows.count, WINDOW_FRAMES, MEL_BINS, 1]);
  const scores: ChainResult['scores'] = {};
  for (const [name, c] of Object.entries(r.classifiers)) {
    const inputs = classifierInputs(embeddings, c.frames);
    const perChunk = new Float32Array(inputs.count);
    const per = c.frames * EMBEDDING;
    if (c.batch1) {
      for (let p = 0; p < inputs.count; p++) {
        const out = await c.infer(inputs.data.subarray(p * per, (p + 1) * per), [1, c.frames, EMBEDDING]);
        perChunk[p] = classifierScore(out);
      }
    } else if (inputs.count > 0) {
      const out = await c.infer(inputs.data, [inputs.count, c.frames, EMBEDDING]);
      const width = out.length / inputs.count;
      for (let p = 0; p < inputs.count; p++) perChunk[p] = classifierScore(out, p * width, width);
    }
    scores[name] = { perChunk, max: perChunk.length ? Math.max(...perChunk) : NaN };
  }
  return { scores, chunks: mel.chunks };
}
