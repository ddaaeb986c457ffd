/**
 * Audio for the wake-word chain: 16-bit PCM WAV parsing and resampling to 16 kHz (what the
 * openWakeWord models expect), with samples kept at int16 scale as floats, as their melspectrogram
 * model is trained on.
 */

export const SAMPLE_RATE = 16000;

export interface Pcm {
  sampleRate: number;
  /** Mono samples at int16 scale (-32768 .. 32767), as floats. */
  samples: Float32Array;
}

/** Parses a RIFF/WAVE file of 16-bit PCM (mono, or the first channel). */
export function parseWav(bytes: Uint8Array): Pcm {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number) => String.fromCharCode(...bytes.subarray(o, o + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let fmt: { channels: number; rate: number; bits: number; format: number } | undefined;
  for (let o = 12; o + 8 <= bytes.length; ) {
    const id = tag(o);
    // espeak-ng writes 0x7fffffff as the data size when it streams; the data then runs to the end.
    let size = v.getUint32(o + 4, true);
    if (id === 'data' && o + 8 + size > bytes.length) size = bytes.length - o - 8;
    if (id === 'fmt ') fmt = { format: v.getUint16(o + 8, true), channels: v.getUint16(o + 10, true), rate: v.getUint32(o + 12, true), bits: v.getUint16(o + 22, true) };
    if (id === 'data') {
      if (!fmt || fmt.format !== 1 || fmt.bits !== 16) throw new Error('only 16-bit PCM WAV is supported');
      const frames = Math.floor(size / (2 * fmt.channels));
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = v.getInt16(o + 8 + 2 * i * fmt.channels, true);
      return { sampleRate: fmt.rate, samples };
    }
    o += 8 + size + (size & 1);
  }
  throw new Error('WAV file has no data chunk');
}

/** The low-pass of resample(): cutoff (a fraction of the input's Nyquist rate) and half-width in input samples. */
function lowPass(from: number, to: number): { cutoff: number; half: number } {
  const cutoff = Math.min(1, to / from) * 0.95;
  return { cutoff, half: 32 / cutoff };
}

/** The filter weight of an input sample at distance x (in input samples) from an output sample. */
function tap(x: number, cutoff: number, half: number): number {
  const s = x === 0 ? 1 : Math.sin(Math.PI * cutoff * x) / (Math.PI * cutoff * x);
  const t = x / half;
  return s * (0.42 + 0.5 * Math.cos(Math.PI * t) + 0.08 * Math.cos(2 * Math.PI * t));
}

/**
 * Resamples with a windowed-sinc low-pass (Blackmann window, 32 taps a side at the output's
 * Nyquist rate): good enough for speech features, and exact for equal rates.
 */
export function resample(samples: Float32Array, from: number, to: number = SAMPLE_RATE): Float32Array {
  if (from === to) return samples.slice();
  const ratio = to / from;
  const n = Math.floor(samples.length * ratio);
  const out = new Float32Array(n);
  const { cutoff, half } = lowPass(from, to);
  for (let i = 0; i < n; i++) {
    const center = i / ratio;
    const lo = Math.max(0, Math.ceil(center - half));
    const hi = Math.min(samples.length - 1, Math.floor(center + half));
    let acc = 0;
    let norm = 0;
    for (let j = lo; j <= hi; j++) {
      const w = tap(j - center, cutoff, half);
      acc += samples[j] * w;
      norm += w;
    }
    out[i] = norm !== 0 ? acc / norm : 0;
  }
  return out;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * resample() for a stream (a microphone): push blocks of any length, get back the output samples
 * whose filter window has fully arrived. The output equals resample() of everything pushed so far,
 * except for the last few samples, which resample() computes with the end of the signal clipped
 * and the stream gives later. Integer rates repeat the filter's phases every `to / gcd` outputs;
 * up to 4096 phases, their normalized weights are computed once (48 kHz -> 16 kHz: one phase,
 * 44.1 kHz: 160).
 */
export class StreamResampler {
  private readonly cutoff: number;
  private readonly half: number;
  /** Outputs per cycle of filter phases, and input samples per cycle (0: phases not cached). */
  private readonly period: number;
  private readonly step: number;
  private readonly phases = new Map<number, { offset: number; weights: Float64Array }>();
  private buf = new Float32Array(4096);
  /** Stream index of buf[0], samples held, and the index of the next output sample. */
  private base = 0;
  private held = 0;
  private next = 0;

  constructor(readonly from: number, readonly to: number = SAMPLE_RATE) {
    if (!(from > 0 && to > 0)) throw new RangeError(`sample rates must be positive (got ${from} -> ${to})`);
    ({ cutoff: this.cutoff, half: this.half } = lowPass(from, to));
    const g = Number.isInteger(from) && Number.isInteger(to) ? gcd(from, to) : 0;
    this.period = g && to / g <= 4096 ? to / g : 0;
    this.step = this.period ? from / g : 0;
  }

  /** Resampled samples that became complete with this block (often empty for a short block). */
  push(block: Float32Array): Float32Array {
    if (this.from === this.to) return block.slice();
    if (this.held + block.length > this.buf.length) {
      const grown = new Float32Array(Math.max(2 * this.buf.length, this.held + block.length));
      grown.set(this.buf.subarray(0, this.held));
      this.buf = grown;
    }
    this.buf.set(block, this.held);
    this.held += block.length;
    const end = this.base + this.held; // one past the last input sample held
    const out: number[] = [];
    for (;;) {
      const { lo, weights } = this.filter(this.next);
      if (lo + weights.length > end) break; // its window reaches past what has arrived
      let acc = 0;
      for (let k = 0, j = lo - this.base; k < weights.length; k++, j++) acc += this.buf[j] * weights[k];
      out.push(acc);
      this.next++;
    }
    // Drop the input that no later output reads.
    const keep = Math.max(0, Math.min(this.held, this.filter(this.next).lo - this.base));
    this.buf.copyWithin(0, keep, this.held);
    this.base += keep;
    this.held -= keep;
    return Float32Array.from(out);
  }

  /** Output sample i's first input index and normalized weights (as resample(): window clipped at 0). */
  private filter(i: number): { lo: number; weights: Float64Array } {
    const center = (i * this.from) / this.to;
    if (this.period && Math.ceil(center - this.half) >= 0) {
      // Exact integer part from the cycle, cached weights for the phase within it.
      const cycle = Math.floor(i / this.period);
      const phase = i - cycle * this.period;
      let p = this.phases.get(phase);
      if (!p) {
        const c = (phase * this.from) / this.to;
        const offset = Math.ceil(c - this.half);
        p = { offset, weights: this.weights(offset, Math.floor(c + this.half), c) };
        this.phases.set(phase, p);
      }
      return { lo: cycle * this.step + p.offset, weights: p.weights };
    }
    const lo = Math.max(0, Math.ceil(center - this.half));
    return { lo, weights: this.weights(lo, Math.floor(center + this.half), center) };
  }

  private weights(lo: number, hi: number, center: number): Float64Array {
    const w = new Float64Array(hi - lo + 1);
    let norm = 0;
    for (let j = lo; j <= hi; j++) norm += w[j - lo] = tap(j - center, this.cutoff, this.half);
    if (norm !== 0) for (let k = 0; k < w.length; k++) w[k] /= norm;
    return w;
  }
}

/** A WAV file as 16 kHz int16-scale samples. */
export function wavTo16k(bytes: Uint8Array): Float32Array {
  const pcm = parseWav(bytes);
  return resample(pcm.samples, pcm.sampleRate);
}
