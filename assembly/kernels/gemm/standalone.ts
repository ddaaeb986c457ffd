// Entry for building and testing the gemm family on its own (see test/kernels/gemm.test.ts):
// the gemm kernels plus heap_base(), as assembly/index.ts exports it.
export * from './index';

export function heap_base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
