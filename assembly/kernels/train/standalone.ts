// Entry of the trainer's own kernel module (build/wpal.train.wasm; src/trainer/engine loads it):
//   npx asc assembly/kernels/train/standalone.ts --config asconfig.json --target simd -o build/wpal.train.wasm
//   npx asc assembly/kernels/train/standalone.ts --config asconfig.json --target debug -o build/wpal.train.debug.wasm -t build/wpal.train.debug.wat
// It holds the training kernels plus the runtime's forward kernels the engine also calls (relu,
// maxpool, layernorm, softmax, gelu, add, embedding); their rows stay in their own tables.
export * from './index';
export { f32_vrelu__ref } from '../eltwise/f32-vrelu-ref';
export { f32_vrelu__simd } from '../eltwise/f32-vrelu-simd';
export { f32_maxpool__ref } from '../pool/f32-maxpool-ref';
export { f32_maxpool__simd } from '../pool/f32-maxpool-simd';
// forward kernels of the transformer ops (src/trainer/engine/text-ops.ts)
export { f32_layernorm__ref } from '../layernorm/f32-layernorm-ref';
export { f32_layernorm__simd } from '../layernorm/f32-layernorm-simd';
export { f32_softmax__ref } from '../softmax/f32-softmax-ref';
export { f32_softmax__simd } from '../softmax/f32-softmax-simd';
export { f32_vgelu__ref } from '../eltwise/f32-vgelu-ref';
export { f32_vgelu__simd } from '../eltwise/f32-vgelu-simd';
export { f32_vadd__ref } from '../eltwise/f32-vadd-ref';
export { f32_vadd__simd } from '../eltwise/f32-vadd-simd';
export { f32_embed_dense__ref } from '../embed/f32-embed-dense-ref';
export { f32_embed_dense__simd } from '../embed/f32-embed-dense-simd';

/** First byte of linear memory not used by the module's own static data (16-byte aligned). */
export function heap_base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
