// Batched activation x activation matmul (ABI in assembly/kernels/layernorm/README.md); ref first.
export { f32_matmul__ref } from './f32-matmul-ref';
export { f32_matmul_4x8__simd } from './f32-matmul-4x8-simd';
