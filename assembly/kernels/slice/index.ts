// Strided N-D gather for Slice (ABI in assembly/kernels/layernorm/README.md); ref first.
export { f32_slice__ref } from './f32-slice-ref';
export { f32_slice__simd } from './f32-slice-simd';
