// Entry for building and testing the conv2d, dwconv2d and pool families on their own
// (test/kernels/conv.test.ts with WPAL_KERNEL_BUILD_DIR):
//   npx asc assembly/kernels/conv2d/standalone.ts --config asconfig.json --target simd -o /tmp/wk-conv/wpal.simd.wasm
export * from './index';
export * from '../dwconv2d/index';
export * from '../pool/index';

/** First byte of linear memory not used by the module's own static data (16-byte aligned). */
export function heap_base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
