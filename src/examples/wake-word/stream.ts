/**
 * The wake-word chain run incrementally, as a microphone feeds it: push one 80 ms chunk (1280
 * samples at 16 kHz, int16 scale) at a time and get every classifier's score for it.
 *
 * State between chunks: the last 480 samples (the melspectrogram model's context), the last 76
 * mel frames (one embedding window) and the last N embeddings (N = the longest classifier input).
 * Per chunk: one mel call (8 frames), one embedding call once 76 frames exist (from the 10th
 * chunk on), and one call per classifier once it has its N embeddings.
 *
 * Fed with a clip as scoreClip() pads it (padClip(): 480 zeros, which are the stream's initial
 * context, then the chunks), the scores are scoreClip()'s `perChunk` values: a classifier's p-th
 * score arrives with chunk 9 + p + N - 1 (test/onnx/wake-word-stream.test.ts).
 */
import { CHUNK, CONTEXT, EMBEDDING, FRAMES_PER_CHUNK, MEL_BINS, WINDOW_FRAMES, classifierScore, type WakeWordRunners } from './chain.js';

export interface StreamStep {
  /** Index of the chunk just pushed, from 0. */
  chunk: number;
  /** Each classifier's score for this chunk; null until it has its N embeddings. */
  scores: Record<string, number | null>;
  /** Milliseconds spent in each stage for this chunk (performance.now()). */
  ms: { mel: number; embedding: number; classifiers: number; total: number };
}

export class WakeWordStream {
  private readonly input = new Float32Array(CONTEXT + CHUNK);
  private readonly frames = new Float32Array(WINDOW_FRAMES * MEL_BINS);
  private readonly embeddings: Float32Array;
  private readonly maxFrames: number;
  private frameCount = 0;
  private embeddingCount = 0;
  private chunks = 0;

  constructor(private readonly runners: WakeWordRunners) {
    this.maxFrames = Math.max(...Object.values(runners.classifiers).map((c) => c.frames));
    this.embeddings = new Float32Array(this.maxFrames * EMBEDDING);
  }

  /** Chunks pushed since the start or the last reset(). */
  get pushed(): number {
    return this.chunks;
  }

  /** Chunks before every classifier has a score: 9 to fill the first embedding window, then N embeddings. */
  get warmup(): number {
    return Math.ceil(WINDOW_FRAMES / FRAMES_PER_CHUNK) - 1 + this.maxFrames;
  }

  /** Forgets all audio (silence as context), as a new stream. */
  reset(): void {
    this.input.fill(0);
    this.frames.fill(0);
    this.embeddings.fill(0);
    this.frameCount = this.embeddingCount = this.chunks = 0;
  }

  async push(chunk: Float32Array): Promise<StreamStep> {
    if (chunk.length !== CHUNK) throw new RangeError(`a chunk is ${CHUNK} samples (80 ms at 16 kHz), got ${chunk.length}`);
    const t0 = performance.now();
    // The mel model sees the previous chunk's last 480 samples, then this chunk.
    this.input.set(chunk, CONTEXT);
    const mel = await this.runners.mel(this.input, [1, CONTEXT + CHUNK]);
    this.input.copyWithin(0, CHUNK);
    // Slide the frame window by 8 frames, scaled as melFrames() does (mel / 10 + 2).
    const fresh = FRAMES_PER_CHUNK * MEL_BINS;
    this.frames.copyWithin(0, fresh);
    const tail = this.frames.length - fresh;
    for (let i = 0; i < fresh; i++) this.frames[tail + i] = mel[i] / 10 + 2;
    this.frameCount += FRAMES_PER_CHUNK;
    const t1 = performance.now();

    let t2 = t1;
    const scores: Record<string, number | null> = {};
    if (this.frameCount >= WINDOW_FRAMES) {
      const e = await this.runners.embedding(this.frames, [1, WINDOW_FRAMES, MEL_BINS, 1]);
      this.embeddings.copyWithin(0, EMBEDDING);
      this.embeddings.set(e.subarray(0, EMBEDDING), this.embeddings.length - EMBEDDING);
      this.embeddingCount++;
      t2 = performance.now();
    }
    for (const [name, c] of Object.entries(this.runners.classifiers)) {
      if (this.embeddingCount < c.frames) {
        scores[name] = null;
        continue;
      }
      const last = this.embeddings.subarray((this.maxFrames - c.frames) * EMBEDDING);
      scores[name] = classifierScore(await c.infer(last, [1, c.frames, EMBEDDING]));
    }
    const t3 = performance.now();
    return { chunk: this.chunks++, scores, ms: { mel: t1 - t0, embedding: t2 - t1, classifiers: t3 - t2, total: t3 - t0 } };
  }
}
