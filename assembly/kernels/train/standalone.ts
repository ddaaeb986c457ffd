// Entry of the trainer's own kernel module (build/wpal.train.wasm; src/trainer/engine loads it):
//   npx asc assembly/kernels/train/standalone.ts --config asconfig.json --target simd -o build/wpal.train.wasm
//   npx asc assembly/kernels/train/standalone.ts --config asconfig.json --target debug -o build/wpal.train.debug.wasm -t build/wpal.train.debug.wat
// It holds the training kernels plus the runtime's forward kernels the engine also calls (relu,
// maxpool); their rows stay in their own tables.
export * from './index';
export { f32_vrelu__ref } from '../eltwise/f32-vrelu-ref';
export { f32_vrelu__simd } from '../eltwise/f32-vrelu-simd';
export { f32_maxpool__ref } from '../pool/f32-maxpool-ref';
export { f32_maxpool__simd } from '../pool/f32-maxpool-simd';

/** First byte of linear memory not used by the module's own static data (16-byte aligned). */
export function heap_base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
