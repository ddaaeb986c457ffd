/**
 * One image file -> one NHWC float example, as `--data <image folder>` and the file's metadata
 * define it:
 *
 *   decode     PNG (pngjs) or JPEG (jpeg-js), chosen by the file's first bytes, to 8-bit RGBA;
 *              16-bit PNGs are scaled to 8 bits, palette and gray PNGs expanded, alpha dropped
 *   channels   3: R, G, B; 1: gray = R when R = G = B, else 0.299 R + 0.587 G + 0.114 B (ITU-R 601)
 *   crop       resize 'crop': the largest centered box of the target's aspect ratio;
 *              'stretch': the whole image (its aspect ratio changes when the target's differs)
 *   resize     to height x width with a triangle (bilinear) filter whose support grows with the
 *              shrink factor, so a large reduction averages every source pixel (no aliasing);
 *              sample centers at (i + 0.5) x in / out; an image already at the size is copied exactly
 *   normalize  x' = (x x scale - mean[c]) / std[c]  on pixel values x in 0..255
 *              (the format's Preprocessing table: scale, mean, std; one value or one per channel)
 */
import { PNG } from 'pngjs';
import { decode as decodeJpeg } from 'jpeg-js';
import { WpalDataError } from './errors.js';

/** How images become examples; recorded in the model file (see src/trainer/data/meta.ts). */
export interface ImagePreprocessing {
  height: number;
  width: number;
  channels: 1 | 3;
  resize: 'stretch' | 'crop';
  scale: number;
  /** One value for every channel, or one per channel. */
  mean: readonly number[];
  std: readonly number[];
  /** Order of one example's values: height, width, channel (default), or channel first (models imported from PyTorch take NCHW). */
  layout?: 'hwc' | 'chw';
}

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

/** Decoded pixels: width x height x 4 bytes, RGBA, row-major. */
export interface DecodedImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** JPEG limits: images past them are refused instead of exhausting memory. */
const JPEG_LIMITS = { maxResolutionInMP: 200, maxMemoryUsageInMB: 1024 };

function corrupt(file: string, what: string, cause?: unknown): WpalDataError {
  return new WpalDataError('corrupt', `${file}: ${what}`, { cause, file });
}

/** Decodes a PNG or JPEG (by its signature, whatever the extension). Throws WpalDataError naming the file. */
export function decodeImage(bytes: Uint8Array, file: string): DecodedImage {
  const png = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const jpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!png && !jpeg) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw corrupt(file, `not a PNG or JPEG image (it starts with ${bytes.length ? head : 'nothing: the file is empty'})`);
  }
  let img: DecodedImage;
  try {
    if (png) {
      const p = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      img = { width: p.width, height: p.height, rgba: new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength) };
    } else {
      const j = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true, ...JPEG_LIMITS });
      img = { width: j.width, height: j.height, rgba: j.data };
    }
  } catch (e) {
    throw corrupt(file, `cannot decode the ${png ? 'PNG' : 'JPEG'} (${(e as Error).message}); the file is damaged or truncated`, e);
  }
  if (!(img.width > 0 && img.height > 0) || img.rgba.length < img.width * img.height * 4) {
    throw corrupt(file, `the ${png ? 'PNG' : 'JPEG'} decodes to ${img.width} x ${img.height} pixels with ${img.rgba.length} bytes`);
  }
  return img;
}

/** The planes of the image as floats 0..255, HWC with `channels` per pixel. */
function toChannels(img: DecodedImage, channels: 1 | 3): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n * channels);
  const p = img.rgba;
  for (let i = 0; i < n; i++) {
    const r = p[4 * i]!, g = p[4 * i + 1]!, b = p[4 * i + 2]!;
    if (channels === 3) {
      out[3 * i] = r;
      out[3 * i + 1] = g;
      out[3 * i + 2] = b;
    } else out[i] = r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b;
  }
  return out;
}

/** Filter taps of one axis: output i reads source start[i] .. start[i] + count[i] - 1 with weights w[i * maxTaps + k]. */
interface Taps {
  start: Int32Array;
  count: Int32Array;
  w: Float64Array;
  maxTaps: number;
}

/** Triangle-filter taps mapping source pixels [from, from + size) to `out` samples (see the header). */
function taps(from: number, size: number, out: number): Taps {
  const ratio = size / out;
  const support = Math.max(ratio, 1);
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(out);
  const count = new Int32Array(out);
  const w = new Float64Array(out * maxTaps);
  for (let i = 0; i < out; i++) {
    const center = (i + 0.5) * ratio;
    const lo = Math.max(0, Math.floor(center - support));
    const hi = Math.min(size, Math.ceil(center + support));
    let sum = 0;
    let k = 0;
    for (let j = lo; j < hi && k < maxTaps; j++, k++) {
      const v = Math.max(0, 1 - Math.abs((j + 0.5 - center) / support));
      w[i * maxTaps + k] = v;
      sum += v;
    }
    // Near an edge the missing taps are left out and the rest renormalized (edge pixels count more).
    for (let q = 0; q < k; q++) w[i * maxTaps + q] /= sum;
    start[i] = from + lo;
    count[i] = k;
  }
  return { start, count, w, maxTaps };
}

/** Resamples an HWC float image (srcW x srcH) box [x0, x0 + bw) x [y0, y0 + bh) to outW x outH. */
function resample(src: Float32Array, srcW: number, C: number, x0: number, y0: number, bw: number, bh: number, outW: number, outH: number): Float32Array {
  const tx = taps(x0, bw, outW);
  const ty = taps(y0, bh, outH);
  // Horizontal pass over the rows the box covers, then vertical.
  const mid = new Float64Array(bh * outW * C);
  for (let y = 0; y < bh; y++) {
    const row = (y0 + y) * srcW;
    for (let i = 0; i < outW; i++) {
      for (let k = 0; k < tx.count[i]!; k++) {
        const wt = tx.w[i * tx.maxTaps + k]!;
        const s = (row + tx.start[i]! + k) * C;
        for (let c = 0; c < C; c++) mid[(y * outW + i) * C + c] += wt * src[s + c]!;
      }
    }
  }
  const out = new Float32Array(outH * outW * C);
  for (let j = 0; j < outH; j++) {
    for (let k = 0; k < ty.count[j]!; k++) {
      const wt = ty.w[j * ty.maxTaps + k]!;
      const r = (ty.start[j]! - y0 + k) * outW * C;
      for (let q = 0; q < outW * C; q++) out[j * outW * C + q] += wt * mid[r + q]!;
    }
  }
  return out;
}

/** The centered box of the target's aspect ratio inside a w x h image: [x0, y0, bw, bh]. */
export function centerCrop(w: number, h: number, targetW: number, targetH: number): [number, number, number, number] {
  // Compare w / h with targetW / targetH without rounding.
  if (w * targetH > h * targetW) {
    const bw = Math.max(1, Math.round((h * targetW) / targetH));
    return [Math.floor((w - bw) / 2), 0, bw, h];
  }
  const bh = Math.max(1, Math.round((w * targetH) / targetW));
  return [0, Math.floor((h - bh) / 2), w, bh];
}

/** The per-channel value of a mean / std list (one value applies to every channel). */
function perChannel(v: readonly number[], c: number, fallback: number): number {
  return v.length === 0 ? fallback : v.length === 1 ? v[0]! : v[c]!;
}

/** Writes one decoded image into `out` at `offset` as height x width x channels normalized floats. */
export function imageToExample(img: DecodedImage, p: ImagePreprocessing, out: Float32Array, offset: number): void {
  const C = p.channels;
  const planes = toChannels(img, C);
  let px: Float32Array = planes;
  if (img.width !== p.width || img.height !== p.height) {
    const [x0, y0, bw, bh] = p.resize === 'crop' ? centerCrop(img.width, img.height, p.width, p.height) : [0, 0, img.width, img.height];
    px = resample(planes, img.width, C, x0, y0, bw, bh, p.width, p.height);
  }
  const mean = Array.from({ length: C }, (_, c) => perChannel(p.mean, c, 0));
  const std = Array.from({ length: C }, (_, c) => perChannel(p.std, c, 1));
  for (let i = 0, n = p.width * p.height; i < n; i++) {
    for (let c = 0; c < C; c++) out[offset + i * C + c] = (px[i * C + c]! * p.scale - mean[c]!) / std[c]!;
  }
}

/** Checks a preprocessing (sizes, channel count of mean / std, std not 0); returns a message or undefined. */
export function checkImagePreprocessing(p: ImagePreprocessing): string | undefined {
  if (!(Number.isInteger(p.height) && Number.isInteger(p.width) && p.height >= 1 && p.width >= 1 && p.height * p.width <= 1 << 24)) return `image size ${p.height}x${p.width} is not a size in pixels`;
  if (p.channels !== 1 && p.channels !== 3) return `channels ${p.channels}: images have 1 (gray) or 3 (RGB)`;
  for (const [name, v] of [['mean', p.mean], ['std', p.std]] as const) {
    if (v.length !== 0 && v.length !== 1 && v.length !== p.channels) return `${name} has ${v.length} values; give 1 or one per channel (${p.channels})`;
    if (v.some((x) => !Number.isFinite(x))) return `${name} holds a value that is not a number`;
  }
  if (p.std.some((x) => x === 0)) return 'std holds 0 (a division by zero)';
  if (!(Number.isFinite(p.scale) && p.scale !== 0)) return `scale ${p.scale} is not a non-zero number`;
  return undefined;
}
