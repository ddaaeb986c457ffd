/**
 * NumPy arrays of inputs and integer labels, one pair per split:
 *
 *   a folder  x_train.npy y_train.npy [x_val.npy y_val.npy] [x_test.npy y_test.npy]
 *   a .npz    the same names as keys: np.savez('d.npz', x_train=..., y_train=..., x_test=..., y_test=...)
 *             (stored or deflated entries, np.savez or np.savez_compressed; read with fflate)
 *
 * x: [N, F] (features), [N, H, W] (one channel) or [N, H, W, C] (NHWC), any dtype parseNpy reads,
 * the same shape after N in every split. y: [N] or [N, 1], integers >= 0 (integral floats and bools
 * pass). Class k is label k; the classes are 0 .. (largest training label).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { WpalDataError } from './errors.js';
import { parseNpy, type NpyArray } from './npy.js';
import type { SplitFolder } from './image-folder.js';

export interface ArrayPair {
  x: NpyArray;
  y: Int32Array;
  /** Where x and y came from ("d/x_train.npy", or "d.npz:x_train"). */
  xFile: string;
  yFile: string;
}

export interface ArraySet {
  format: 'npy' | 'npz';
  path: string;
  splits: Partial<Record<SplitFolder, ArrayPair>>;
  /** Shape of one example, as the models take it: [F], or [H, W, C]. */
  shape: number[];
  /** Whether the training inputs are uint8 (default scale 1/255). */
  uint8: boolean;
}

const SPLITS: readonly SplitFolder[] = ['train', 'val', 'test'];

/** `file` names the array ("d/x_train.npy" or "d.npz:x_train"); the error's file is the file on disk. */
function corrupt(file: string, what: string): WpalDataError {
  return new WpalDataError('corrupt', `${file}: ${what}`, { file: file.endsWith('.npy') ? file : file.replace(/:[^:/\\]*$/, '') });
}

/** Labels as class indices: integers >= 0, [N] or [N, 1]. */
function labels(a: NpyArray, file: string): Int32Array {
  const [n, ...rest] = a.shape;
  if (n === undefined || !(rest.length === 0 || (rest.length === 1 && rest[0] === 1))) {
    throw corrupt(file, `labels of shape (${a.shape.join(', ')}); expected (N,) or (N, 1)`);
  }
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = a.data[i]!;
    if (!Number.isInteger(v)) throw corrupt(file, `label ${i} is ${v}, not an integer class index`);
    if (v < 0) throw corrupt(file, `label ${i} is ${v}; labels are class indices 0, 1, ...`);
    y[i] = v;
  }
  return y;
}

/** Reads the arrays of a folder of .npy files or of one .npz (see the header). Throws WpalDataError naming the file at fault. */
export function readArraySet(path: string, format: 'npy' | 'npz'): ArraySet {
  const found = new Map<string, { bytes: Uint8Array; file: string }>();
  if (format === 'npz') {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(new Uint8Array(readFileSync(path)));
    } catch (e) {
      throw new WpalDataError('corrupt', `${path}: not a readable .npz (zip) file (${(e as Error).message})`, { cause: e, file: path });
    }
    for (const [name, bytes] of Object.entries(entries)) found.set(name.replace(/\.npy$/, ''), { bytes, file: `${path}:${name.replace(/\.npy$/, '')}` });
  } else {
    for (const s of SPLITS) {
      for (const k of [`x_${s}`, `y_${s}`]) {
        const f = join(path, `${k}.npy`);
        if (existsSync(f)) found.set(k, { bytes: new Uint8Array(readFileSync(f)), file: f });
      }
    }
  }
  const where = format === 'npz' ? path : `${path}/`;
  const name = (k: string) => (format === 'npz' ? `${path}:${k}` : join(path, `${k}.npy`));
  if (!found.has('x_train') || !found.has('y_train')) {
    const keys = [...found.keys()];
    throw new WpalDataError(
      'missing',
      `${where}: no ${found.has('x_train') ? 'y_train' : 'x_train'}${format === 'npz' ? '' : '.npy'}; NumPy data needs x_train and y_train` +
        ` (and optionally x_val/y_val, x_test/y_test)${format === 'npz' && keys.length ? `; the .npz holds ${keys.join(', ')}` : ''}`,
      { file: name(found.has('x_train') ? 'y_train' : 'x_train') },
    );
  }
  const splits: Partial<Record<SplitFolder, ArrayPair>> = {};
  let example: number[] | undefined;
  for (const s of SPLITS) {
    const xk = found.get(`x_${s}`);
    const yk = found.get(`y_${s}`);
    if (!xk && !yk) continue;
    if (!xk || !yk) throw new WpalDataError('missing', `${name(xk ? `y_${s}` : `x_${s}`)}: missing; ${xk ? `x_${s}` : `y_${s}`} is there, and a split needs both`, { file: name(xk ? `y_${s}` : `x_${s}`) });
    const x = parseNpy(xk.bytes, xk.file);
    const y = labels(parseNpy(yk.bytes, yk.file, { ints: true }), yk.file);
    if (x.shape.length < 2 || x.shape.length > 4) throw corrupt(xk.file, `inputs of shape (${x.shape.join(', ')}); expected (N, features), (N, H, W) or (N, H, W, C)`);
    if (x.shape[0] !== y.length) throw corrupt(xk.file, `${x.shape[0]} examples but ${y.length} labels in ${yk.file}`);
    if (x.shape[0] === 0) throw corrupt(xk.file, 'holds no examples (N = 0)');
    const ex = x.shape.slice(1);
    if (example && ex.join() !== example.join()) throw corrupt(xk.file, `examples of shape (${ex.join(', ')}); x_train's are (${example.join(', ')})`);
    example ??= ex;
    for (let i = 0; i < x.data.length; i++) {
      if (!Number.isFinite(x.data[i]!)) throw corrupt(xk.file, `value ${i} (example ${Math.floor(i / (x.data.length / x.shape[0]!))}) is ${x.data[i]}`);
    }
    splits[s] = { x, y, xFile: xk.file, yFile: yk.file };
  }
  const ex = example!;
  const shape = ex.length === 1 ? ex : ex.length === 2 ? [ex[0]!, ex[1]!, 1] : ex;
  return { format, path, splits, shape, uint8: /^\|u1$/.test(splits.train!.x.descr) };
}
