// Shared pieces of the pooling kernels (NHWC; ABI in assembly/kernels/conv2d/README.md): the
// preconditions and the clipped window of one output pixel.
import { param } from '../../common/gemm';
import {
  P_IN_H, P_IN_W, P_IN_C, P_KH, P_KW, P_STRIDE_H, P_STRIDE_W, P_PAD_T, P_PAD_L, P_PAD_B, P_PAD_R,
  checkGeometry, checkStrides, outDim,
} from '../conv2d/common';

/** Pool preconditions: the conv geometry, and every padding smaller than the window, so every
 *  window holds at least one input pixel (ONNX requires the same). */
@inline export function checkPool(n: i32, xs: i32, ys: i32, params: usize): void {
  checkGeometry(params);
  const C = param(params, P_IN_C);
  const oh = outDim(param(params, P_IN_H), param(params, P_KH), param(params, P_STRIDE_H), param(params, P_PAD_T), param(params, P_PAD_B), 1);
  const ow = outDim(param(params, P_IN_W), param(params, P_KW), param(params, P_STRIDE_W), param(params, P_PAD_L), param(params, P_PAD_R), 1);
  checkStrides(n, xs, ys, param(params, P_IN_H) * param(params, P_IN_W) * C * 4, oh * ow * C * 4);
  assert(param(params, P_PAD_T) < param(params, P_KH) && param(params, P_PAD_B) < param(params, P_KH));
  assert(param(params, P_PAD_L) < param(params, P_KW) && param(params, P_PAD_R) < param(params, P_KW));
}

/** First input row/column of output o's window, clipped to 0. */
@inline export function winStart(o: i32, s: i32, pad: i32): i32 {
  return max(o * s - pad, 0);
}

/** One past the last input row/column of output o's window, clipped to the input size. */
@inline export function winEnd(o: i32, s: i32, pad: i32, k: i32, size: i32): i32 {
  return min(o * s - pad + k, size);
}
