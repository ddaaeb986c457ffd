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

/**
 * Resamples with a windowed-sinc low-pass (Blackmann window, 32 taps a side at the output's
 * Nyquist rate): good enough for speech features, and exact for equal rates.
 */
export function resample(samples: Float32Array, from: number, to: number = SAMPLE_RATE): Float32Array {
  if (from === to) return samples.slice();
  const ratio = to / from;
  const n = Math.floor(samples.length * ratio);
  const out = new Float32Array(n);
  const cutoff = Math.min(1, ratio) * 0.95;
  const half = 32 / cutoff;
  for (let i = 0; i < n; i++) {
    const center = i / ratio;
    const lo = Math.max(0, Math.ceil(center - half));
    const hi = Math.min(samples.length - 1, Math.floor(center + half));
    let acc = 0;
    let norm = 0;
    for (let j = lo; j <= hi; j++) {
      const x = j - center;
      const s = x === 0 ? 1 : Math.sin(Math.PI * cutoff * x) / (Math.PI * cutoff * x);
      const t = x / half;
      const w = 0.42 + 0.5 * Math.cos(Math.PI * t) + 0.08 * Math.cos(2 * Math.PI * t);
      acc += samples[j] * s * w;
      norm += s * w;
    }
    out[i] = norm !== 0 ? acc / norm : 0;
  }
  return out;
}

/** A WAV file as 16 kHz int16-scale samples. */
export function wavTo16k(bytes: Uint8Array): Float32Array {
  const pcm = parseWav(bytes);
  return resample(pcm.samples, pcm.sampleRate);
}
