// Reduction kernels (ABI in assembly/kernels/README.md); ref kernels first.
export { f32_rsum__ref } from './f32-rsum-ref';
export { f32_rmax__ref } from './f32-rmax-ref';
export { f32_rdsum__ref } from './f32-rdsum-ref';
export { f32_rdmax__ref } from './f32-rdmax-ref';
export { f32_rsum__simd } from './f32-rsum-simd';
export { f32_rmax__simd } from './f32-rmax-simd';
export { f32_rdsum__simd } from './f32-rdsum-simd';
export { f32_rdmax__simd } from './f32-rdmax-simd';
