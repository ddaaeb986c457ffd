/**
 * The layernorm, matmul (activation x activation), embed, transpose, copy2d (concat) and batchnorm
 * rows of the kernel table (ABI: assembly/kernels/layernorm/README.md), reference kernels first.
 * scratchBytes is the params-slot-5 scratch one call needs; omitted = none. For embed it is
 * constant (the unpack control, palette planes and one 16-value tail buffer).
 */
import { parseKernelName } from '../kernel-name.js';
import type { KernelRow } from '../kernel-types.js';

const row = (name: string, extra: Partial<KernelRow> = {}): KernelRow => ({ ...parseKernelName(name), ...extra });

export const MISC_KERNELS: KernelRow[] = [
  row('f32_layernorm__ref'),
  row('f32_matmul__ref'),
  row('f32_embed_dense__ref'),
  row('f32_embed_p8f32__ref'),
  row('f32_transpose__ref'),
  row('f32_copy2d__ref'),
  row('f32_batchnorm__ref'),
  row('f32_layernorm__simd'),
  row('f32_matmul_4x8__simd'),
  row('f32_embed_dense__simd'),
  // unpack control 64 + tmp 16 + indices 16 + palette planes 64 + tail 64
  row('f32_embed_p8f32__simd', { scratchBytes: () => 224 }),
  row('f32_transpose__simd'),
  row('f32_copy2d__simd'),
  row('f32_batchnorm__simd'),
];
