/**
 * Where the data sets live and how a file in them is read: the data directory comes from `--data-dir`
 * (the `dataDir` option), else the `WPAL_DATA` environment variable, else `../shared/data` next to the
 * current directory, else `../shared/data` next to the package root. A file is read whole and, unless
 * `verify: false`, its MD5 is compared with the published one; the verdict is kept in memory per
 * path + size + mtime so a second load of the same file does not hash it again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DataFileSpec, type DatasetSpec } from './catalog.js';
import { WpalDataError } from './errors.js';

/** One place the data directory may be, and why it is looked at. */
export interface DataDirCandidate {
  readonly path: string;
  /** e.g. "--data-dir", "WPAL_DATA", "../shared/data from the current directory". */
  readonly source: string;
}

/** The package root: the nearest folder above this file holding a package.json (src/trainer/data or dist/.../trainer/data). */
function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; ) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(here, '../../..');
    dir = up;
  }
}

/**
 * The places looked at, in order. An explicit `--data-dir` or a set `WPAL_DATA` is the only place looked
 * at: a wrong explicit choice is an error, not a reason to read some other copy.
 */
export function dataDirCandidates(opt?: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): DataDirCandidate[] {
  if (opt !== undefined && opt !== '') return [{ path: resolve(cwd, opt), source: '--data-dir' }];
  const fromEnv = env['WPAL_DATA'];
  if (fromEnv !== undefined && fromEnv !== '') return [{ path: resolve(cwd, fromEnv), source: 'the WPAL_DATA environment variable' }];
  const fromCwd = resolve(cwd, '../shared/data');
  const fromPkg = resolve(packageRoot(), '../shared/data');
  const out: DataDirCandidate[] = [{ path: fromCwd, source: `../shared/data from the current directory ${cwd}` }];
  if (fromPkg !== fromCwd) out.push({ path: fromPkg, source: `../shared/data from the wasm-palette package root ${packageRoot()}` });
  return out;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** "- /a/b (from X)" lines, one per place looked at. */
export function describeLooked(looked: readonly DataDirCandidate[]): string {
  return looked.map((c) => `  - ${c.path} (${c.source})${isDir(c.path) ? '' : ': does not exist'}`).join('\n');
}

/** The data directory to read from (absolute). Throws WpalDataError('missing') naming every place it looked. */
export function resolveDataDir(opt?: string): string {
  const looked = dataDirCandidates(opt);
  const found = looked.find((c) => isDir(c.path));
  if (found) return found.path;
  throw new WpalDataError(
    'missing',
    `no data directory found. Looked at:\n${describeLooked(looked)}\n` +
      'Pass --data-dir <dir> or set WPAL_DATA=<dir>; the directory holds mnist/, fashion-mnist/ and sst2/ ' +
      'with the published files (see the data set errors for names and MD5s).',
  );
}

/** Options shared by every data-set loader. */
export interface DataOptions {
  /** The data directory (`--data-dir`); default: WPAL_DATA, then ../shared/data. */
  readonly dataDir?: string;
  /** Compare each file's MD5 with the published one (default true; each file is hashed once per process while unchanged). */
  readonly verify?: boolean;
}

/** A file read from a data set. */
export interface DataFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** Whether the file is the .gz form (false: the decompressed form, or a file with no .gz form). */
  readonly gzip: boolean;
  /** How the MD5 check went: computed now, a cached verdict for this path+size+mtime, or not asked for. */
  readonly md5: 'hashed' | 'cached' | 'skipped';
}

/** MD5 verdicts: key path + size + mtime + inode -> the MD5 the file had. */
const md5Cache = new Map<string, string>();

/** Forget every cached MD5 verdict (tests, or after replacing files without changing size or mtime). */
export function clearVerifyCache(): void {
  md5Cache.clear();
}

function describeFile(f: DataFileSpec): string {
  const raw = f.raw ? `; or decompressed as ${f.raw.name}, ${f.raw.bytes} bytes, MD5 ${f.raw.md5}` : '';
  return `${f.name} (${f.bytes} bytes, MD5 ${f.md5}${raw})`;
}

function publishedAt(spec: DatasetSpec): string {
  return `${spec.title} is published by ${spec.publisher} at:\n${spec.urls.map((u) => `  - ${u}`).join('\n')}`;
}

/** The path of each wanted file (the .gz form first), or one WpalDataError naming every missing file of the data set. */
function locate(spec: DatasetSpec, keys: readonly string[], opts: DataOptions): Map<string, { path: string; gzip: boolean }> {
  const dataDir = resolveDataDir(opts.dataDir);
  const folder = join(dataDir, spec.folder);
  const found = new Map<string, { path: string; gzip: boolean }>();
  const missing: DataFileSpec[] = [];
  for (const [key, f] of Object.entries(spec.files)) {
    const gz = join(folder, f.name);
    const raw = f.raw ? join(folder, f.raw.name) : undefined;
    if (existsSync(gz)) found.set(key, { path: gz, gzip: f.raw !== undefined });
    else if (raw !== undefined && existsSync(raw)) found.set(key, { path: raw, gzip: false });
    else missing.push(f);
  }
  const wantedMissing = keys.filter((k) => !found.has(k)).map((k) => spec.files[k]!);
  if (wantedMissing.length === 0) return found;
  throw new WpalDataError(
    'missing',
    `${spec.title}: missing ${wantedMissing.map((f) => f.name).join(', ')} in ${folder}.\n` +
      `Files of ${spec.title} not found there:\n${missing.map((f) => `  - ${describeFile(f)}`).join('\n')}\n` +
      `${publishedAt(spec)}\n` +
      `Put the files, unchanged, in ${folder}/, or choose another data directory with --data-dir or WPAL_DATA. ` +
      `Places looked at for the data directory, in order (the first that exists is used):\n${describeLooked(dataDirCandidates(opts.dataDir))}`,
    { file: join(folder, wantedMissing[0]!.name) },
  );
}

/**
 * Read files `keys` of data set `spec` (see DATASETS) from the data directory, checking their MD5s unless
 * `verify: false`. Throws WpalDataError: 'missing' (naming the files, the published MD5s, the publisher and
 * the places looked at) or 'checksum'.
 */
export function readDataFiles(spec: DatasetSpec, keys: readonly string[], opts: DataOptions = {}): DataFile[] {
  const where = locate(spec, keys, opts);
  return keys.map((key) => {
    const f = spec.files[key]!;
    const { path, gzip } = where.get(key)!;
    const bytes = new Uint8Array(readFileSync(path));
    if (opts.verify === false) return { path, bytes, gzip, md5: 'skipped' as const };
    const expected = gzip || !f.raw ? f : { ...f.raw };
    const st = statSync(path);
    const cacheKey = `${path}\0${st.size}\0${st.mtimeMs}\0${st.ino}`;
    let md5 = md5Cache.get(cacheKey);
    const how = md5 === undefined ? ('hashed' as const) : ('cached' as const);
    if (md5 === undefined) {
      md5 = createHash('md5').update(bytes).digest('hex');
      md5Cache.set(cacheKey, md5);
    }
    if (md5 !== expected.md5) {
      const size =
        bytes.length === expected.bytes
          ? `the size is right (${bytes.length} bytes), so the bytes were changed`
          : `it has ${bytes.length} bytes instead of ${expected.bytes}${bytes.length < expected.bytes ? ' (a partial download?)' : ''}`;
      throw new WpalDataError(
        'checksum',
        `${spec.title}: ${path} has MD5 ${md5}, but the published ${expected.name} has MD5 ${expected.md5}; ${size}. ` +
          `This is not the published file: replace it with the original.\n${publishedAt(spec)}\n` +
          'To read a file you changed on purpose, pass verify: false.',
        { file: path },
      );
    }
    return { path, bytes, gzip, md5: how };
  });
}
