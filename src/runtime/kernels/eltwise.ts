/**
 * Element-wise and softmax rows of the kernel table (ABI in assembly/kernels/README.md), ref
 * kernels first. Op, activation type and ISA come from the name.
 */
import { parseKernelName } from '../kernel-name.js';
import type { KernelRow } from '../kernel-types.js';

export const ELTWISE_KERNELS: KernelRow[] = [
  { ...parseKernelName('f32_vrelu__ref') },
  { ...parseKernelName('f32_vrelu6__ref') },
  { ...parseKernelName('f32_vsigmoid__ref') },
  { ...parseKernelName('f32_vtanh__ref') },
  { ...parseKernelName('f32_vgelu__ref') },
  { ...parseKernelName('f32_vsilu__ref') },
  { ...parseKernelName('f32_vadd__ref') },
  { ...parseKernelName('f32_vmul__ref') },
  { ...parseKernelName('f32_softmax__ref') },
  { ...parseKernelName('f32_vlrelu__ref') },
  { ...parseKernelName('f32_vhsigmoid__ref') },
  { ...parseKernelName('f32_vhswish__ref') },
  { ...parseKernelName('f32_vclip__ref') },
  { ...parseKernelName('f32_vsqrt__ref') },
  { ...parseKernelName('f32_vlog__ref') },
  { ...parseKernelName('f32_vexp__ref') },
  { ...parseKernelName('f32_vneg__ref') },
  { ...parseKernelName('f32_vabs__ref') },
  { ...parseKernelName('f32_vrelu__simd') },
  { ...parseKernelName('f32_vrelu6__simd') },
  { ...parseKernelName('f32_vsigmoid__simd') },
  { ...parseKernelName('f32_vtanh__simd') },
  { ...parseKernelName('f32_vgelu__simd') },
  { ...parseKernelName('f32_vsilu__simd') },
  { ...parseKernelName('f32_vadd__simd') },
  { ...parseKernelName('f32_vmul__simd') },
  { ...parseKernelName('f32_softmax__simd') },
  { ...parseKernelName('f32_vlrelu__simd') },
  { ...parseKernelName('f32_vhsigmoid__simd') },
  { ...parseKernelName('f32_vhswish__simd') },
  { ...parseKernelName('f32_vclip__simd') },
  { ...parseKernelName('f32_vsqrt__simd') },
  { ...parseKernelName('f32_vlog__simd') },
  { ...parseKernelName('f32_vexp__simd') },
  { ...parseKernelName('f32_vneg__simd') },
  { ...parseKernelName('f32_vabs__simd') },
];
