/**
 * Embeds build/wpal.hash.wasm (the XXH64 checksum module, assembly/kernels/hash/) into
 * src/format/generated/xxh64_wasm.ts, so that readModel and ModelWriter hash synchronously in every
 * environment without fetching a file. Run by `npm run gen:hash` after the module changes; a test
 * (test/format/checksum.test.ts) fails when the embedded bytes differ from the build.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The TypeScript source that embeds `wasm`. */
export function embedSource(wasm: Uint8Array): string {
  const b64 = Buffer.from(wasm).toString('base64');
  const lines = b64.match(/.{1,96}/g) ?? [];
  return [
    '// Generated from assembly/kernels/hash/ by scripts/embed-hash.ts (npm run gen:hash); do not edit.',
    `// build/wpal.hash.wasm, ${wasm.length} bytes: XXH64, the .wpal checksum (src/format/checksum.ts).`,
    'export const XXH64_WASM_BASE64 =',
    ...lines.map((l, i) => `  '${l}'${i === lines.length - 1 ? ';' : ' +'}`),
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const wasm = readFileSync(join(root, 'build', 'wpal.hash.wasm'));
  const out = join(root, 'src', 'format', 'generated', 'xxh64_wasm.ts');
  writeFileSync(out, embedSource(wasm));
  console.log(`wrote ${out} (${wasm.length} bytes of wasm)`);
}
