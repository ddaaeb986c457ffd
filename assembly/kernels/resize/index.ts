// 2-D resize of NHWC images from host-built coordinate tables (ABI: assembly/kernels/conv2d/README.md); refs first.
export { f32_resizenearest__ref } from './f32-resizenearest-ref';
export { f32_resizebilinear__ref } from './f32-resizebilinear-ref';
export { f32_resizenearest__simd } from './f32-resizenearest-simd';
export { f32_resizebilinear__simd } from './f32-resizebilinear-simd';
