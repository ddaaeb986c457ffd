/**
 * Kernel names carry their metadata (assembly/kernels/README.md):
 *   <act>_<op>[_<wenc>][_<sparse>][_<MR>x<NR>]__<isa>[_<variant>]
 * e.g. f32_gemm_p4f32_bs4x1_4x8__simd_swz. The weight tokens (wenc, sparse) are the weight
 * layout rows' (format/layouts/): each row reads its own.
 */
import { kernelTraits } from '../format/layout-walk.js';
import type { KernelTraits } from '../format/layouts.js';

export type Isa = 'ref' | 'simd' | 'rsimd';

/** The name's fields; what it says of the weights (wenc, maxBits, paletteEntry, sparse) is KernelTraits. */
export interface KernelName extends KernelTraits {
  name: string;
  act: 'f32' | 'i8';
  op: string;
  tile?: [number, number];
  isa: Isa;
  variant?: string;
}

const OPS = new Set(['gemm', 'conv2d', 'dwconv2d', 'maxpool', 'avgpool', 'gavgpool', 'vadd', 'vmul', 'vrelu', 'vrelu6', 'vsigmoid', 'vtanh', 'vgelu', 'vsilu', 'softmax', 'layernorm', 'matmul', 'embed', 'transpose', 'copy2d', 'batchnorm', 'tgemm', 'im2col', 'col2im', 'maxpoolgrad', 'vrelugrad', 'colsum', 'softmaxce', 'sgd', 'adam', 'dkm', 'dkmgrad', 'dkmitergrad', 'maskmul', 'layernormgrad', 'softmaxgrad', 'vgelugrad', 'embedgrad', 'seqmean', 'seqmeangrad', 'vfinite']);

// format 1.1 spatial families (ConvTranspose, Slice, Resize)
for (const op of ['deconv2d', 'slice', 'resizenearest', 'resizebilinear']) OPS.add(op);
// Weightless ops of format 1.1: unary, broadcasting binary (b*), reductions (r* rows, rd* over a middle axis).
for (const op of ['vlrelu', 'vhsigmoid', 'vhswish', 'vclip', 'vsqrt', 'vlog', 'vexp', 'vneg', 'vabs']) OPS.add(op);
for (const op of ['badd', 'bsub', 'bmul', 'bdiv', 'bmax', 'bmin', 'bpow', 'rsum', 'rmax', 'rdsum', 'rdmax']) OPS.add(op);

export function parseKernelName(name: string): KernelName {
  const [head, tail] = name.split('__');
  if (!head || !tail) throw new Error(`kernel name ${name}: missing "__<isa>"`);
  const [isa, ...variant] = tail.split('_');
  if (isa !== 'ref' && isa !== 'simd' && isa !== 'rsimd') throw new Error(`kernel name ${name}: unknown ISA ${isa}`);
  const parts = head.split('_');
  const act = parts.shift();
  if (act !== 'f32' && act !== 'i8') throw new Error(`kernel name ${name}: unknown activation type ${act}`);
  const op = parts.shift()!;
  if (!OPS.has(op)) throw new Error(`kernel name ${name}: unknown op ${op}`);
  const out: KernelName = { name, act, op, isa, variant: variant.length ? variant.join('_') : undefined };
  for (const p of parts) {
    const m = p.match(/^(\d+)x(\d+)$/);
    if (m) {
      out.tile = [Number(m[1]), Number(m[2])];
      continue;
    }
    const traits = kernelTraits(p);
    if (!traits) throw new Error(`kernel name ${name}: unknown token ${p}`);
    Object.assign(out, traits);
  }
  if (isa !== 'ref' && out.tile === undefined && op === 'gemm') {
    throw new Error(`kernel name ${name}: SIMD gemm kernels name their tile`);
  }
  return out;
}
