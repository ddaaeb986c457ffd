// Every dwconv2d kernel (ABI: assembly/kernels/conv2d/README.md).
export { f32_dwconv2d_dense__ref } from './f32-dwconv2d-dense-ref';
export { f32_dwconv2d_p8f32__ref } from './f32-dwconv2d-p8f32-ref';
export { f32_dwconv2d_dense_1x8__simd } from './f32-dwconv2d-dense-1x8-simd';
export { f32_dwconv2d_p8f32_1x8__simd } from './f32-dwconv2d-p8f32-1x8-simd';
