// Every pooling kernel (ABI: assembly/kernels/conv2d/README.md).
export { f32_maxpool__ref } from './f32-maxpool-ref';
export { f32_avgpool__ref } from './f32-avgpool-ref';
export { f32_gavgpool__ref } from './f32-gavgpool-ref';
export { f32_maxpool__simd } from './f32-maxpool-simd';
export { f32_avgpool__simd } from './f32-avgpool-simd';
export { f32_gavgpool__simd } from './f32-gavgpool-simd';
