// Broadcasting binary kernels (ABI in assembly/kernels/README.md); ref kernels first.
export { f32_badd__ref } from './f32-badd-ref';
export { f32_bsub__ref } from './f32-bsub-ref';
export { f32_bmul__ref } from './f32-bmul-ref';
export { f32_bdiv__ref } from './f32-bdiv-ref';
export { f32_bmax__ref } from './f32-bmax-ref';
export { f32_bmin__ref } from './f32-bmin-ref';
export { f32_bpow__ref } from './f32-bpow-ref';
export { f32_badd__simd } from './f32-badd-simd';
export { f32_bsub__simd } from './f32-bsub-simd';
export { f32_bmul__simd } from './f32-bmul-simd';
export { f32_bdiv__simd } from './f32-bdiv-simd';
export { f32_bmax__simd } from './f32-bmax-simd';
export { f32_bmin__simd } from './f32-bmin-simd';
export { f32_bpow__simd } from './f32-bpow-simd';
