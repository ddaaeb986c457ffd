// A plain Vite app using wasm-palette: one model on the main thread, the same model in a Web Worker.
// public/model.wpal is any .wpal file (the test copies the published LeNet-5, models/lenet5-mnist-400x.wpal, there).
import { loadModel, loadModelInWorker, hasSimd } from 'wasm-palette';

const out = document.querySelector('#out');
const input = new Float32Array(28 * 28).map((_, i) => (Math.sin(i * 0.3) + 1) / 2);

async function main() {
  const url = new URL('model.wpal', location.href);
  const model = await loadModel(url);
  const t0 = performance.now();
  const main = model.run({ input: input.slice() }).logits.data;
  const mainMs = performance.now() - t0;

  const worker = await loadModelInWorker(url);
  const inWorker = (await worker.run({ input: input.slice() })).logits.data;
  await worker.dispose();

  const result = {
    simd: hasSimd(),
    name: model.metadata.name,
    fileBytes: model.memoryReport().fileBytes,
    mainMs,
    logits: Array.from(main),
    workerLogits: Array.from(inWorker),
  };
  model.dispose();
  window.wpalResult = result;
  out.textContent = JSON.stringify(result, null, 2);
}

main().catch((e) => {
  window.wpalResult = { error: `${e.name}: ${e.message}` };
  out.textContent = `error: ${e.name}: ${e.message}`;
});
