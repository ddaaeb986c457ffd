/** Node worker_threads entry: the same protocol as worker-entry.ts, over parentPort. */
import { parentPort } from 'node:worker_threads';
import { serve } from './serve.js';
import type { Request } from './protocol.js';

if (!parentPort) throw new Error('wasm-palette: worker-entry-node.js runs inside a worker_threads Worker');
const port = parentPort;
const handle = serve({ postMessage: (m, t) => port.postMessage(m, (t ?? []) as never) });
port.on('message', (req: Request) => void handle(req));
