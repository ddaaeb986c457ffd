// Entry for building the broadcasting binary and reduction kernels on their own (the full module is
// assembly/index.ts):
//   npx asc assembly/kernels/binary/standalone.ts --config asconfig.json --target simd -o /tmp/wk-bin/wpal.simd.wasm
export * from './index';
export * from '../reduce/index';

/** First byte of linear memory not used by the module's own static data (16-byte aligned). */
export function heap_base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
