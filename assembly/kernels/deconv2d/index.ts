// Every deconv2d kernel: transposed convolution, ONNX ConvTranspose (ABI: assembly/kernels/conv2d/README.md).
export { f32_deconv2d_dense__ref } from './f32-deconv2d-dense-ref';
export { f32_deconv2d_f16__ref } from './f32-deconv2d-f16-ref';
export { f32_deconv2d_p8f32__ref } from './f32-deconv2d-p8f32-ref';
export { f32_deconv2d_dense_bs__ref } from './f32-deconv2d-dense-bs-ref';
export { f32_deconv2d_p8f32_bs__ref } from './f32-deconv2d-p8f32-bs-ref';
export { f32_deconv2d_dense_4x8__simd } from './f32-deconv2d-dense-4x8-simd';
export { f32_deconv2d_f16_4x8__simd } from './f32-deconv2d-f16-4x8-simd';
export { f32_deconv2d_p8f32_4x8__simd } from './f32-deconv2d-p8f32-4x8-simd';
export { f32_deconv2d_dense_bs_4x8__simd } from './f32-deconv2d-dense-bs-4x8-simd';
export { f32_deconv2d_p8f32_bs_4x8__simd } from './f32-deconv2d-p8f32-bs-4x8-simd';
