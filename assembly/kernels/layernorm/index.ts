// Layer normalisation kernels (ABI in assembly/kernels/layernorm/README.md); ref kernel first.
export { f32_layernorm__ref } from './f32-layernorm-ref';
export { f32_layernorm__simd } from './f32-layernorm-simd';
