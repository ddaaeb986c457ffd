// Entry for building the layernorm, matmul, embed, transpose, concat (copy2d) and batchnorm
// kernels on their own (the full module is assembly/index.ts):
//   npx asc assembly/kernels/layernorm/standalone.ts --config asconfig.json --target simd -o /tmp/wk-misc/wpal.simd.wasm
export * from './index';
export * from '../matmul/index';
export * from '../embed/index';
export * from '../transpose/index';
export * from '../concat/index';
export * from '../batchnorm/index';

/** First byte of linear memory not used by the module's own static data (16-byte aligned). */
export function heap_base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
