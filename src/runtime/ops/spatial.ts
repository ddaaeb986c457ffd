/** Glue of the format 1.1 spatial ops by op type, spread into model.ts's COMPILERS. */
import type { OpInfo } from '../../format/types.js';
import type { OpContext, Step } from '../context.js';
import { compileConvTranspose } from './conv-transpose.js';
import { compileResize } from './resize.js';
import { compileSlice } from './slice.js';

export const SPATIAL_COMPILERS: Record<string, (ctx: OpContext, op: OpInfo) => Step> = {
  Slice: compileSlice,
  Resize: compileResize,
  ConvTranspose: compileConvTranspose,
};
