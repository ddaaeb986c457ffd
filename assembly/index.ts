// The export list of the kernel module: every kernel, heap_base() so the host knows where the
// module's static data ends, and relaxed_simd_build(). Nothing else lives here.

/** First byte of linear memory not used by the module's own static data (16-byte aligned). */
export function heap_base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** 1 in the relaxed-SIMD builds: the host lays out i8_conv2d's blocked indices for that build's tile (k quads, not pairs). */
export function relaxed_simd_build(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

export * from './kernels/gemm/index';
export * from './kernels/eltwise/index';
export * from './kernels/binary/index';
export * from './kernels/reduce/index';
export * from './kernels/softmax/index';
export * from './kernels/conv2d/index';
export * from './kernels/dwconv2d/index';
export * from './kernels/pool/index';
export * from './kernels/layernorm/index';
export * from './kernels/matmul/index';
export * from './kernels/embed/index';
export * from './kernels/transpose/index';
export * from './kernels/concat/index';
export * from './kernels/batchnorm/index';
export * from './kernels/deconv2d/index';
export * from './kernels/slice/index';
export * from './kernels/resize/index';
export * from './kernels/check/index';
