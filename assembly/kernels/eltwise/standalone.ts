// Entry for building the element-wise and softmax kernels on their own (the full module is
// assembly/index.ts):
//   npx asc assembly/kernels/eltwise/standalone.ts --config asconfig.json --target simd -o /tmp/wk-elt/wpal.simd.wasm
export * from './index';
export * from '../softmax/index';

/** First byte of linear memory not used by the module's own static data (16-byte aligned). */
export function heap_base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
