/**
 * Kernel names carry their metadata (assembly/kernels/README.md):
 *   <act>_<op>[_<wenc>][_<sparse>][_<MR>x<NR>]__<isa>[_<variant>]
 * e.g. f32_gemm_p4f32_bs4x1_4x8__simd_swz.
 */

export type Isa = 'ref' | 'simd' | 'rsimd';

export interface KernelName {
  name: string;
  act: 'f32' | 'i8';
  op: string;
  /** Weight encoding token (dense, f16, p4f32, p8i8, ...), undefined for ops without weights. */
  wenc?: string;
  /** Palettized: the largest bit width the kernel handles. */
  maxBits?: number;
  /** Palette entry type the kernel reads. */
  paletteEntry?: 'f32' | 'i8';
  /** 'any' for a kernel that handles every block shape, [R, C] for one shape. */
  sparse?: 'any' | [number, number];
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
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^p(\d)(f32|i8)$/))) {
      out.wenc = p;
      out.maxBits = Number(m[1]);
      out.paletteEntry = m[2] as 'f32' | 'i8';
    } else if (p === 'dense' || p === 'f16') {
      out.wenc = p;
    } else if (p === 'bs') {
      out.sparse = 'any';
    } else if ((m = p.match(/^bs(\d+)x(\d+)$/))) {
      out.sparse = [Number(m[1]), Number(m[2])];
    } else if ((m = p.match(/^(\d+)x(\d+)$/))) {
      out.tile = [Number(m[1]), Number(m[2])];
    } else {
      throw new Error(`kernel name ${name}: unknown token ${p}`);
    }
  }
  if (isa !== 'ref' && out.tile === undefined && op === 'gemm') {
    throw new Error(`kernel name ${name}: SIMD gemm kernels name their tile`);
  }
  return out;
}
