/**
 * Random translation of training images (data augmentation): every example of a batch moves by
 * whole pixels, dy and dx drawn uniformly from [-maxShift, maxShift]; the pixels that come in from
 * outside repeat the nearest edge pixel (the background of a digit or a photo, whatever the input
 * normalization). Images are [height, width, channels] per example (HWC, as the built-in models take
 * them) or [channels, height, width] (CHW, e.g. a model imported from ONNX).
 *
 * The shifts depend only on (seed, the batch's step, the example's place in the batch), so a
 * teacher's copy of the batch is moved exactly as the student's (compressModel, fit).
 */
import { seededRandom } from '../../encode/kmeans.js';
import type { Batch } from './loop.js';
import type { Engine, Tensor } from './tensor.js';

export interface ShiftAugment {
  /** Moves every example of the batch tensor x ([B, ...shape], float32, in e's arena) in place. */
  apply(e: Engine, x: Tensor, batch: Batch): void;
}

/** Why `shape` cannot be shifted (not an image), or undefined when it can. */
export function shiftMisfit(shape: readonly number[], dtype: 'float32' | 'int32' = 'float32'): string | undefined {
  if (dtype !== 'float32' || shape.length !== 3) return `random shifts apply to images (one example [height, width, channels] or [channels, height, width], float32); this model takes ${dtype} [${shape.join(', ')}]`;
  return undefined;
}

export type ImageLayout = 'HWC' | 'CHW';

/** Moves one image src (H x W pixels of C channels, in `layout`) by (dy, dx) into dst, edge pixels repeated. */
export function shiftImage(src: Float32Array, dst: Float32Array, H: number, W: number, C: number, dy: number, dx: number, layout: ImageLayout = 'HWC'): void {
  // element of (y, x, c): y * rowStride + x * pixelStride + c * channelStride
  const [pixelStride, channelStride] = layout === 'HWC' ? [C, 1] : [1, H * W];
  const rowStride = W * pixelStride;
  for (let y = 0; y < H; y++) {
    const sy = Math.min(H - 1, Math.max(0, y - dy));
    for (let x = 0; x < W; x++) {
      const sx = Math.min(W - 1, Math.max(0, x - dx));
      const o = y * rowStride + x * pixelStride, s = sy * rowStride + sx * pixelStride;
      for (let c = 0; c < C; c++) dst[o + c * channelStride] = src[s + c * channelStride];
    }
  }
}

export function shiftAugment(shape: readonly number[], maxShift: number, seed: number, layout: ImageLayout = 'HWC'): ShiftAugment {
  const misfit = shiftMisfit(shape);
  if (misfit) throw new RangeError(misfit);
  if (!Number.isInteger(maxShift) || maxShift < 1) throw new RangeError(`random shift: give a whole number of pixels >= 1 (got ${maxShift})`);
  const [H, W, C] = (layout === 'HWC' ? shape : [shape[1], shape[2], shape[0]]) as [number, number, number];
  const F = H * W * C;
  const copy = new Float32Array(F);
  const span = 2 * maxShift + 1;
  return {
    apply(e, x, batch) {
      const B = x.shape[0]!;
      if (x.size !== B * F) throw new RangeError(`random shift: batch of [${x.shape.join(', ')}], examples of [${shape.join(', ')}]`);
      // a stream per step, apart from the shuffle's seeds (epochSeed) by a fixed offset
      const rand = seededRandom(Math.imul(seed ^ 0x27d4eb2f, 0x9e3779b1) + batch.step);
      const base = x.ptr >> 2;
      const f32 = e.mod.f32;
      for (let i = 0; i < B; i++) {
        const dy = Math.floor(rand() * span) - maxShift, dx = Math.floor(rand() * span) - maxShift;
        if (dy === 0 && dx === 0) continue;
        const img = f32.subarray(base + i * F, base + (i + 1) * F);
        copy.set(img);
        shiftImage(copy, img, H, W, C, dy, dx, layout);
      }
    },
  };
}
