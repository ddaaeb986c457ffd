/**
 * XXH64, the checksum of .wpal files (format 1.2), computed by our own small wasm module
 * (assembly/kernels/hash/xxh64-ref.ts, embedded in generated/xxh64_wasm.ts). The reader and the
 * writer are synchronous, so the module is compiled synchronously on first use (985 bytes, far
 * below any engine's limit for synchronous compilation) and kept for the process (or worker).
 *
 * Input is copied through a 32 KiB buffer in the module's memory (it stays in L1/L2 while it is
 * hashed), so any Uint8Array can be hashed, in any number of pieces, without growing memory.
 */
import { XXH64_WASM_BASE64 } from './generated/xxh64_wasm.js';

interface HashExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  xxh64_init__ref(state: number, seed: bigint): void;
  xxh64_stripes__ref(state: number, src: number, len: number): void;
  xxh64_digest__ref(state: number, seed: bigint, total: bigint, tail: number, tailLen: number): bigint;
}

/** Bytes copied per call into the module (a multiple of the 32-byte stripe). */
const CHUNK = 32768;

interface Hasher {
  x: HashExports;
  mem: Uint8Array;
  state: number;
  buf: number;
}

let hasher: Hasher | undefined;

function instance(): Hasher {
  if (hasher) return hasher;
  const bin = atob(XXH64_WASM_BASE64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const x = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as HashExports;
  const state = (x.heap_base() + 63) & ~63;
  const buf = state + 64;
  const need = buf + CHUNK;
  if (x.memory.buffer.byteLength < need) x.memory.grow(Math.ceil((need - x.memory.buffer.byteLength) / 65536));
  hasher = { x, mem: new Uint8Array(x.memory.buffer), state, buf };
  return hasher;
}

/** XXH64 of the concatenation of `parts` (seed 0 unless given), as an unsigned 64-bit bigint. */
export function xxh64(parts: readonly Uint8Array[], seed = 0n): bigint {
  const { x, mem, state, buf } = instance();
  x.xxh64_init__ref(state, seed);
  let fill = 0;
  let total = 0;
  for (const p of parts) {
    for (let off = 0; off < p.length; ) {
      const n = Math.min(CHUNK - fill, p.length - off);
      mem.set(n === p.length ? p : p.subarray(off, off + n), buf + fill);
      fill += n;
      off += n;
      total += n;
      if (fill === CHUNK) {
        x.xxh64_stripes__ref(state, buf, CHUNK);
        fill = 0;
      }
    }
  }
  const whole = fill & ~31;
  if (whole) x.xxh64_stripes__ref(state, buf, whole);
  return BigInt.asUintN(64, x.xxh64_digest__ref(state, seed, BigInt(total), buf + whole, fill - whole));
}

/** The low 32 bits of XXH64 (seed 0): the per-weight checksum. */
export function xxh64Low32(parts: readonly Uint8Array[]): number {
  return Number(BigInt.asUintN(32, xxh64(parts)));
}
