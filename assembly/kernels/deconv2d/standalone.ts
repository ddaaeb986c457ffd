// Entry for building and testing the format 1.1 spatial families (deconv2d, slice, resize) on their
// own (test/kernels/deconv.test.ts, slice.test.ts, resize.test.ts with WPAL_KERNEL_BUILD_DIR):
//   npx asc assembly/kernels/deconv2d/standalone.ts --config asconfig.json --target simd -o /tmp/wk-spatial/wpal.simd.wasm
export * from './index';
export * from '../slice/index';
export * from '../resize/index';

/** First byte of linear memory not used by the module's own static data (16-byte aligned). */
export function heap_base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
