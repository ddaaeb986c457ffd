/**
 * A tiny static file server for the browser tests, the demo and bench:browser: serves the repo
 * root on localhost (a secure context) with COOP/COEP, so pages are cross-origin isolated
 * (5 us performance.now() ticks, SharedArrayBuffer). Extra in-memory routes override files.
 */
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.wpal': 'application/octet-stream',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * dist/ imports one bare specifier, 'flatbuffers' (the .wpal reader). A bundler or a CDN (esm.sh,
 * jsDelivr +esm) resolves it; a plain static page could use an import map, but import maps do not
 * reach module workers. So this server does what a dev server does: it rewrites that one specifier
 * in the JavaScript it serves to the file in node_modules.
 */
export const BARE_IMPORTS: Record<string, string> = { flatbuffers: '/node_modules/flatbuffers/mjs/flatbuffers.js' };

function rewriteBare(js: string): string {
  return js.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"./][^'"]*)\2/g, (m, pre: string, q: string, spec: string) =>
    BARE_IMPORTS[spec] ? `${pre}${q}${BARE_IMPORTS[spec]}${q}` : m,
  );
}

export interface Route {
  body: string | Uint8Array;
  type?: string;
}

export interface StaticServer {
  /** http://localhost:PORT (no trailing slash) */
  base: string;
  routes: Map<string, Route>;
  /** Every path requested, with its status, in order. */
  log: Array<{ path: string; status: number }>;
  close(): Promise<void>;
}

export async function startServer(opts: { root?: string; port?: number; isolate?: boolean } = {}): Promise<StaticServer> {
  const root = resolve(opts.root ?? REPO_ROOT);
  // Browsers ask for /favicon.ico on their own; an empty icon keeps the request log clean.
  const routes = new Map<string, Route>([['/favicon.ico', { body: new Uint8Array(0), type: 'image/x-icon' }]]);
  const log: StaticServer['log'] = [];
  const isolate = opts.isolate ?? true;
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    if (isolate) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
      headers['cross-origin-resource-policy'] = 'same-origin';
    }
    const send = (status: number, body: string | Uint8Array, type: string) => {
      log.push({ path, status });
      res.writeHead(status, { ...headers, 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const route = routes.get(path);
    if (route) return send(200, route.body, route.type ?? TYPES[extname(path)] ?? 'application/octet-stream');
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return send(403, 'forbidden', 'text/plain');
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      const ext = extname(file);
      send(200, ext === '.js' || ext === '.mjs' ? rewriteBare(body.toString('utf8')) : body, TYPES[ext] ?? 'application/octet-stream');
    } catch {
      send(404, `not found: ${path}`, 'text/plain');
    }
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    base: `http://localhost:${port}`,
    routes,
    log,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

// `tsx test/browser/server.ts [port]` serves the repo for manual use (e.g. examples/digits/).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const s = await startServer({ port: Number(process.argv[2] ?? 8080) });
  console.log(`serving ${REPO_ROOT} at ${s.base}/ (COOP/COEP on); demo: ${s.base}/examples/digits/`);
}
