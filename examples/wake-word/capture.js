// AudioWorklet processor (runs on the audio thread): the microphone's samples, mixed to mono,
// scaled to int16 range, resampled to 16 kHz and cut into 80 ms chunks of 1280 samples, which go
// straight to the worker through the MessagePort that the page hands over ({ port }).
import { StreamResampler } from '../../dist/examples/wake-word/audio.js';

const CHUNK = 1280;

class WakeWordCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    // `sampleRate` is the AudioContext's rate (a global of the worklet scope): 44.1 or 48 kHz, usually.
    this.resampler = new StreamResampler(sampleRate, 16000);
    this.mono = new Float32Array(128);
    this.chunk = new Float32Array(CHUNK);
    this.filled = 0;
    this.out = null;
    this.port.onmessage = (e) => {
      if (e.data?.port) this.out = e.data.port;
      if (e.data?.stop) this.out = null;
    };
  }

  process(inputs) {
    const channels = inputs[0];
    if (!this.out || !channels || channels.length === 0) return true;
    const n = channels[0].length;
    if (this.mono.length !== n) this.mono = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (const c of channels) s += c[i];
      // Web Audio gives -1..1; the openWakeWord melspectrogram model expects int16 scale.
      this.mono[i] = Math.max(-32768, Math.min(32767, (s / channels.length) * 32768));
    }
    const y = this.resampler.push(this.mono);
    for (let i = 0; i < y.length; ) {
      const take = Math.min(y.length - i, CHUNK - this.filled);
      this.chunk.set(y.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === CHUNK) {
        this.out.postMessage(this.chunk, [this.chunk.buffer]);
        this.chunk = new Float32Array(CHUNK);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('wake-word-capture', WakeWordCapture);
