// Embedding lookup kernels (ABI in assembly/kernels/layernorm/README.md); ref kernels first.
export { f32_embed_dense__ref } from './f32-embed-dense-ref';
export { f32_embed_p8f32__ref } from './f32-embed-p8f32-ref';
export { f32_embed_dense__simd } from './f32-embed-dense-simd';
export { f32_embed_p8f32__simd } from './f32-embed-p8f32-simd';
