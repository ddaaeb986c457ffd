/** Byte sizes on the command line: B, KB / MB / GB (powers of 1000) and KiB / MiB / GiB (powers of 1024). */
import { UsageError } from './errors.js';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** The largest size accepted: 2^53 bytes (8 PiB), the last whole number a double holds exactly. */
export const MAX_SIZE = 2 ** 53;

/**
 * '8KB' = 8000, '8KiB' = 8192, '1.5MB' = 1500000, '512' = '512B' = 512 (units are case-insensitive,
 * a space before the unit is allowed). The result must be a whole number of bytes.
 */
export function parseSize(text: string, what = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new UsageError(`${what}: cannot read ${JSON.stringify(text)} as a size; use bytes or a number with B, KB, MB, GB (x1000) or KiB, MiB, GiB (x1024), e.g. 8KB`);
  }
  const bytes = Number(m[1]) * unit;
  // 300 digits would read as 1e300 or Infinity and pass any size check: not a size.
  if (!Number.isFinite(bytes) || bytes > MAX_SIZE) {
    throw new UsageError(`${what}: ${JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text)} is too large to be a size (at most ${MAX_SIZE} bytes, 8 PiB)`);
  }
  const rounded = Math.round(bytes);
  if (Math.abs(bytes - rounded) > 1e-6 * Math.max(1, bytes)) throw new UsageError(`${what}: ${JSON.stringify(text)} is not a whole number of bytes (${bytes})`);
  return rounded;
}

/** 8000 -> "8,000 B (8.00 KB)"; small sizes without the unit part. */
export function formatBytes(n: number): string {
  const plain = `${n.toLocaleString('en-US')} B`;
  if (n < 1000) return plain;
  const [v, u] = n >= 1e9 ? [n / 1e9, 'GB'] : n >= 1e6 ? [n / 1e6, 'MB'] : [n / 1e3, 'KB'];
  return `${plain} (${v.toFixed(2)} ${u})`;
}

/** Short form for tables: "7.9 KB", "1.21 MB", "812 B". */
export function shortBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 2 : 1)} KB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(2)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

/** 0.99123 -> "99.12%". */
export function percent(x: number, digits = 2): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** Seconds as "42.1 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.round(s - m * 60)).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m - h * 60).padStart(2, '0')} min`;
}
