/**
 * One instance of the kernel module and a bump allocator over its memory, shared by the Node
 * harness (bench/harness.ts) and the browser one (bench/browser/harness.ts): no Node imports.
 */
export class InstanceMemory {
  readonly exports: Record<string, any>;
  readonly memory: WebAssembly.Memory;
  private top: number;
  private readonly base: number;

  constructor(module: WebAssembly.Module) {
    const inst = new WebAssembly.Instance(module, { env: { abort() { throw new Error('abort'); } } });
    this.exports = inst.exports as Record<string, any>;
    this.memory = this.exports.memory;
    this.base = this.top = Number(this.exports.heap_base());
  }
  reset(): void {
    this.top = this.base;
  }
  /** A zeroed, 16-byte aligned region (zeroed because regions are reused after reset()). */
  alloc(bytes: number): number {
    const ptr = (this.top + 15) & ~15;
    this.top = ptr + bytes;
    const need = this.top - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / 65536));
    new Uint8Array(this.memory.buffer, ptr, bytes).fill(0);
    return ptr;
  }
  put(data: ArrayBufferView): number {
    const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const ptr = this.alloc(src.length);
    new Uint8Array(this.memory.buffer, ptr, src.length).set(src);
    return ptr;
  }
}
