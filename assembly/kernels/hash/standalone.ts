// Entry of the checksum module (build/wpal.hash.wasm), separate from the kernel module: the format
// reader and writer hash files synchronously, before any kernel module exists, so its bytes are
// embedded in src/format/generated/xxh64_wasm.ts (`npm run gen:hash`) and compiled on first use.
//   npx asc assembly/kernels/hash/standalone.ts --config asconfig.json --target simd -o build/wpal.hash.wasm
export { xxh64_init__ref, xxh64_stripes__ref, xxh64_digest__ref } from './xxh64-ref';

/** First byte of linear memory not used by the module's own static data (16-byte aligned). */
export function heap_base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
