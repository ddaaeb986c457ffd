/** loadModel() from every kind of source gives the same model. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadModel, WpalLoadError } from '../../src/index.js';
import { buildMlp } from './models.js';

const bytes = buildMlp(31);
const dir = mkdtempSync(join(tmpdir(), 'wpal-load-'));
const path = join(dir, 'mlp.wpal');
writeFileSync(path, bytes);

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/mlp.wpal') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(bytes);
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('loadModel sources', () => {
  const x = new Float32Array(203).map((_, i) => Math.cos(i));

  it('bytes, ArrayBuffer, path, file URL and http URL load the same model', async () => {
    const ref = (await loadModel(bytes)).run({ input: x }).probs.data;
    const sources = [
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      path,
      pathToFileURL(path),
      pathToFileURL(path).href,
      new URL('/mlp.wpal', base),
      `${base}/mlp.wpal`,
    ];
    for (const src of sources) {
      const m = await loadModel(src as never);
      expect(Array.from(m.run({ input: x }).probs.data)).toEqual(Array.from(ref));
      expect(m.metadata.name).toBe('mlp-e2e');
      expect(m.inputs).toEqual([{ name: 'input', shape: [203], dtype: 'float32' }]);
      expect(m.outputs.map((o) => o.name)).toEqual(['hidden', 'probs']);
    }
  });

  it('an HTTP error names the status', async () => {
    await expect(loadModel(`${base}/missing.wpal`)).rejects.toThrow(WpalLoadError);
    await expect(loadModel(`${base}/missing.wpal`)).rejects.toThrow(/404/);
  });

  it('sizeReport adds up to the file size', async () => {
    const m = await loadModel(bytes);
    const r = m.sizeReport() as unknown as { fileBytes?: number; totalBytes?: number };
    expect(r.fileBytes ?? r.totalBytes).toBe(bytes.length);
  });
});
