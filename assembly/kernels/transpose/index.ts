// Axis permutation kernels (ABI in assembly/kernels/layernorm/README.md); ref kernel first.
export { f32_transpose__ref } from './f32-transpose-ref';
export { f32_transpose__simd } from './f32-transpose-simd';
