// Input checks run by the host before a model runs (Model.run); ref kernels first.
export { f32_vfinite__ref } from './f32-vfinite-ref';
export { f32_vfinite__simd } from './f32-vfinite-simd';
