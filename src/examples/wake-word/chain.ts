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

/**
 * Scores a clip. The clip is padded with `leadSeconds` of silence before (so the classifiers with
 * the longest context have embeddings before the speech) and `tailSeconds` after.
 */
export async function scoreClip(audio: Float32Array, r: WakeWordRunners, opts: { leadSeconds?: number; tailSeconds?: number } = {}): Promise<ChainResult> {
  const maxFrames = Math.max(...Object.values(r.classifiers).map((c) => c.frames));
  const lead = opts.leadSeconds ?? Math.ceil(((maxFrames + 10) * CHUNK) / 16000);
  const tail = opts.tailSeconds ?? 1;
  const padded = new Float32Array(CONTEXT + lead * 16000 + audio.length + tail * 16000);
  padded.set(audio, CONTEXT + lead * 16000);
  const chunks = Math.floor((padded.length - CONTEXT) / CHUNK);

  // Mel frames, 8 per chunk.
  const melIn = (c: number) => padded.subarray(c * CHUNK, c * CHUNK + CHUNK + CONTEXT);
  const frames = new Float32Array(chunks * FRAMES_PER_CHUNK * MEL_BINS);
  if (r.melBatch) {
    const batch = new Float32Array(chunks * (CHUNK + CONTEXT));
    for (let c = 0; c < chunks; c++) batch.set(melIn(c), c * (CHUNK + CONTEXT));
    frames.set((await r.mel(batch, [chunks, CHUNK + CONTEXT])).subarray(0, frames.length));
  } else {
    for (let c = 0; c < chunks; c++) frames.set(await r.mel(melIn(c), [1, CHUNK + CONTEXT]), c * FRAMES_PER_CHUNK * MEL_BINS);
  }
  for (let i = 0; i < frames.length; i++) frames[i] = frames[i] / 10 + 2;

  // One embedding per chunk once 76 frames exist: the window ends at the chunk's last frame.
  const first = Math.ceil(WINDOW_FRAMES / FRAMES_PER_CHUNK) - 1;
  const count = chunks - first;
  const windows = new Float32Array(count * WINDOW_FRAMES * MEL_BINS);
  for (let e = 0; e < count; e++) {
    const end = (first + e + 1) * FRAMES_PER_CHUNK;
    windows.set(frames.subarray((end - WINDOW_FRAMES) * MEL_BINS, end * MEL_BINS), e * WINDOW_FRAMES * MEL_BINS);
  }
  const embeddings = await r.embedding(windows, [count, WINDOW_FRAMES, MEL_BINS, 1]);

  const scores: ChainResult['scores'] = {};
  for (const [name, c] of Object.entries(r.classifiers)) {
    const positions = count - c.frames + 1;
    const perChunk = new Float32Array(Math.max(0, positions));
    const input = (p: number) => embeddings.subarray(p * EMBEDDING, (p + c.frames) * EMBEDDING);
    const score = (out: Float32Array, at: number, width: number) => (width === 1 ? out[at] : Math.max(...out.subarray(at + 1, at + width)));
    if (c.batch1) {
      for (let p = 0; p < positions; p++) {
        const out = await c.infer(input(p), [1, c.frames, EMBEDDING]);
        perChunk[p] = score(out, 0, out.length);
      }
    } else if (positions > 0) {
      const all = new Float32Array(positions * c.frames * EMBEDDING);
      for (let p = 0; p < positions; p++) all.set(input(p), p * c.frames * EMBEDDING);
      const out = await c.infer(all, [positions, c.frames, EMBEDDING]);
      const width = out.length / positions;
      for (let p = 0; p < positions; p++) perChunk[p] = score(out, p * width, width);
    }
    scores[name] = { perChunk, max: perChunk.length ? Math.max(...perChunk) : NaN };
  }
  return { scores, chunks };
}
