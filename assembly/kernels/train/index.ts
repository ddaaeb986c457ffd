// Training kernels (ABI: assembly/kernels/train/README.md); ref kernels first.
export { f32_tgemm__ref } from './f32-tgemm-ref';
export { f32_im2col__ref } from './f32-im2col-ref';
export { f32_col2im__ref } from './f32-col2im-ref';
export { f32_maxpoolgrad__ref } from './f32-maxpoolgrad-ref';
export { f32_vrelugrad__ref } from './f32-vrelugrad-ref';
export { f32_colsum__ref } from './f32-colsum-ref';
export { f32_softmaxce__ref } from './f32-softmaxce-ref';
export { f32_sgd__ref } from './f32-sgd-ref';
export { f32_adam__ref } from './f32-adam-ref';
export { f32_tgemm_4x8__simd } from './f32-tgemm-4x8-simd';
export { f32_im2col__simd } from './f32-im2col-simd';
export { f32_col2im__simd } from './f32-col2im-simd';
export { f32_maxpoolgrad__simd } from './f32-maxpoolgrad-simd';
export { f32_vrelugrad__simd } from './f32-vrelugrad-simd';
export { f32_colsum__simd } from './f32-colsum-simd';
export { f32_sgd__simd } from './f32-sgd-simd';
export { f32_adam__simd } from './f32-adam-simd';
// DKM (differentiable k-means) and block pruning (src/trainer/dkm, src/trainer/prune).
export { f32_dkm__ref } from './dkm-fwd-ref';
export { f32_dkmgrad__ref } from './dkm-grad-ref';
export { f32_dkmitergrad__ref } from './dkm-itergrad-ref';
export { f32_maskmul__ref } from './prune-maskmul-ref';
export { f32_dkm__simd } from './dkm-fwd-simd';
export { f32_dkmgrad__simd } from './dkm-grad-simd';
export { f32_dkmitergrad__simd } from './dkm-itergrad-simd';
export { f32_maskmul__simd } from './prune-maskmul-simd';
// Transformer ops (src/trainer/engine/text-ops.ts): backward passes of layernorm, softmax, gelu,
// embedding, and the sequence mean pooling.
export { f32_layernormgrad__ref } from './f32-layernormgrad-ref';
export { f32_softmaxgrad__ref } from './f32-softmaxgrad-ref';
export { f32_vgelugrad__ref } from './f32-vgelugrad-ref';
export { f32_embedgrad__ref } from './f32-embedgrad-ref';
export { f32_seqmean__ref } from './f32-seqmean-ref';
export { f32_seqmeangrad__ref } from './f32-seqmeangrad-ref';
export { f32_layernormgrad__simd } from './f32-layernormgrad-simd';
export { f32_softmaxgrad__simd } from './f32-softmaxgrad-simd';
export { f32_vgelugrad__simd } from './f32-vgelugrad-simd';
export { f32_embedgrad__simd } from './f32-embedgrad-simd';
export { f32_seqmean__simd } from './f32-seqmean-simd';
export { f32_seqmeangrad__simd } from './f32-seqmeangrad-simd';
