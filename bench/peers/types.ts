/** What the model bench needs from a peer runtime (onnxruntime-web, TensorFlow.js wasm). */
export type Feeds = Record<string, Float32Array | Int32Array>;

export interface PeerRunner {
  name: string;
  /** Which weights / file (default 'dense f32'). */
  config?: string;
  /** Threads the peer runs on (default 1). */
  threads?: number;
  /** Bytes of the model the peer loads (ONNX file), when there is one. */
  modelBytes?: number;
  /** Batch-1 inference on the feeds given at creation; returns the first output (read back to JS). */
  run(): Promise<Float32Array> | Float32Array;
  /** Wall time in ms of `calls` runs, measured where the peer runs (a peer in a worker times itself). */
  time?(calls: number): Promise<number>;
  dispose(): Promise<void> | void;
  /** Notes on how the peer runs this model (e.g. a reduced size). */
  note?: string;
}
