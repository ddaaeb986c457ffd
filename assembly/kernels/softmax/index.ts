// Softmax kernels (ABI in assembly/kernels/README.md); ref kernel first.
export { f32_softmax__ref } from './f32-softmax-ref';
export { f32_softmax__simd } from './f32-softmax-simd';
