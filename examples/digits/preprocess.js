/**
 * A drawing as an MNIST input, the way MNIST itself was made (LeCun, Cortes, Burges): the ink's
 * bounding box is scaled to fit a 20x20 box (aspect kept, anti-aliased by area averaging), and the
 * result is placed in a 28x28 field so that its centre of mass sits at the field's centre (CENTRE).
 *
 * Plain arithmetic on a grayscale array (no canvas resampling), so the page and Node compute the
 * same floats bit for bit: test/browser/digits.test.ts runs this file in both and compares.
 *
 * Input: white ink on black, one byte (0..255) per pixel, row-major. Output: 28x28 floats in 0..1
 * (the layout of models/lenet5-*.wpal, [28, 28, 1]), or null when there is no ink.
 */

/** Pixels brighter than this (0..255) count as ink when finding the bounding box. */
export const INK_THRESHOLD = 20;
/** The side of the box the ink is scaled into, and of the whole field. */
export const BOX = 20;
export const SIDE = 28;
/**
 * Where MNIST's centre of mass sits, in continuous coordinates (pixel k spans [k, k + 1)): 14.5, the
 * middle of pixel 14 (measured on the test set: 14.50 and 14.49 on average over 2,000 images).
 * Offsets are whole pixels, as in MNIST; then an MNIST image scaled up 10x comes back unchanged.
 */
export const CENTRE = 14.5;

/** The red channel of RGBA bytes (canvas getImageData), as one byte per pixel. */
export function grayOfRgba(rgba) {
  const out = new Uint8Array(rgba.length >> 2);
  for (let i = 0; i < out.length; i++) out[i] = rgba[i * 4];
  return out;
}

/** The inclusive bounding box of the ink, or null. */
function inkBox(gray, width, height) {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x] > INK_THRESHOLD) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/**
 * Area weights of one axis: source pixel i (0..n-1) covers [off + i*s, off + (i+1)*s) in output
 * pixels; it adds (overlap length) x value to each output pixel it touches. Returns, per source
 * pixel, the list [outputIndex, weight, ...].
 */
function axisWeights(n, s, off) {
  const w = [];
  for (let i = 0; i < n; i++) {
    const a = off + i * s, b = off + (i + 1) * s;
    const row = [];
    for (let o = Math.floor(a); o < b; o++) {
      const len = Math.min(b, o + 1) - Math.max(a, o);
      if (len > 0 && o >= 0 && o < SIDE) row.push(o, len);
    }
    w.push(row);
  }
  return w;
}

/** The MNIST-style 28x28 input of a grayscale drawing (see the header), or null if it has no ink. */
export function mnistInput(gray, width, height) {
  const box = inkBox(gray, width, height);
  if (!box) return null;
  const s = BOX / Math.max(box.w, box.h);
  // Centre of mass of the ink (pixel centres at i + 0.5), in the box's coordinates.
  let m = 0, cx = 0, cy = 0;
  for (let j = 0; j < box.h; j++) {
    for (let i = 0; i < box.w; i++) {
      const v = gray[(box.y0 + j) * width + box.x0 + i];
      m += v;
      cx += v * (i + 0.5);
      cy += v * (j + 0.5);
    }
  }
  // Where the scaled box starts, in whole pixels, so that the centre of mass lands at CENTRE.
  const place = (c) => Math.round(CENTRE - (c / m) * s);
  // Each output pixel gets the mean of the ink it covers (area averaging, separable).
  const wx = axisWeights(box.w, s, place(cx));
  const wy = axisWeights(box.h, s, place(cy));
  const rows = new Float64Array(box.h * SIDE); // horizontal pass: one 28-wide row per source row
  for (let j = 0; j < box.h; j++) {
    const src = (box.y0 + j) * width + box.x0;
    for (let i = 0; i < box.w; i++) {
      const v = gray[src + i] / 255;
      if (v === 0) continue;
      const r = wx[i];
      for (let k = 0; k < r.length; k += 2) rows[j * SIDE + r[k]] += r[k + 1] * v;
    }
  }
  const out = new Float32Array(SIDE * SIDE); // vertical pass
  const acc = new Float64Array(SIDE * SIDE);
  for (let j = 0; j < box.h; j++) {
    const r = wy[j];
    for (let k = 0; k < r.length; k += 2) {
      const o = r[k] * SIDE, f = r[k + 1];
      for (let x = 0; x < SIDE; x++) acc[o + x] += f * rows[j * SIDE + x];
    }
  }
  for (let i = 0; i < SIDE * SIDE; i++) out[i] = Math.min(1, acc[i]);
  return out;
}
