// Standalone BatchNorm (per-channel affine) kernels (ABI in assembly/kernels/layernorm/README.md).
export { f32_batchnorm__ref } from './f32-batchnorm-ref';
export { f32_batchnorm__simd } from './f32-batchnorm-simd';
