/**
 * Rows of the training kernels (assembly/kernels/train, ABI in assembly/kernels/train/README.md),
 * ref kernels first. They are built into the trainer's own module (build/wpal.train.wasm, entry
 * assembly/kernels/train/standalone.ts), not the inference module; none needs params-slot scratch.
 */
import { parseKernelName } from '../kernel-name.js';
import type { KernelRow } from '../kernel-types.js';

const row = (name: string): KernelRow => ({ ...parseKernelName(name) });

export const TRAIN_KERNELS: KernelRow[] = [
  row('f32_tgemm__ref'),
  row('f32_im2col__ref'),
  row('f32_col2im__ref'),
  row('f32_maxpoolgrad__ref'),
  row('f32_vrelugrad__ref'),
  row('f32_colsum__ref'),
  row('f32_softmaxce__ref'),
  row('f32_sgd__ref'),
  row('f32_adam__ref'),
  row('f32_dkm__ref'),
  row('f32_dkmgrad__ref'),
  row('f32_dkmitergrad__ref'),
  row('f32_maskmul__ref'),
  row('f32_layernormgrad__ref'),
  row('f32_softmaxgrad__ref'),
  row('f32_vgelugrad__ref'),
  row('f32_embedgrad__ref'),
  row('f32_seqmean__ref'),
  row('f32_seqmeangrad__ref'),
  row('f32_tgemm_4x8__simd'),
  row('f32_im2col__simd'),
  row('f32_col2im__simd'),
  row('f32_maxpoolgrad__simd'),
  row('f32_vrelugrad__simd'),
  row('f32_colsum__simd'),
  row('f32_sgd__simd'),
  row('f32_adam__simd'),
  row('f32_dkm__simd'),
  row('f32_dkmgrad__simd'),
  row('f32_dkmitergrad__simd'),
  row('f32_maskmul__simd'),
  row('f32_layernormgrad__simd'),
  row('f32_softmaxgrad__simd'),
  row('f32_vgelugrad__simd'),
  row('f32_embedgrad__simd'),
  row('f32_seqmean__simd'),
  row('f32_seqmeangrad__simd'),
];
