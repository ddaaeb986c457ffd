// Strided 2-D copy, used for concat (ABI in assembly/kernels/layernorm/README.md); ref first.
export { f32_copy2d__ref } from './f32-copy2d-ref';
export { f32_copy2d__simd } from './f32-copy2d-simd';
