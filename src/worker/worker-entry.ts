/**
 * Web Worker entry (module worker): `new Worker(new URL('./worker-entry.js', import.meta.url), { type: 'module' })`.
 * Bundlers (Vite, webpack 5, Parcel) recognise that form and bundle this file with its imports.
 */
import { serve } from './serve.js';
import type { Request } from './protocol.js';

const scope = globalThis as unknown as {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<Request>) => void): void;
};
const handle = serve({ postMessage: (m, t) => scope.postMessage(m, t ?? []) });
scope.addEventListener('message', (e) => void handle(e.data));
