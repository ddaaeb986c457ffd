/**
 * Writes MNIST as an image folder of grayscale PNGs, for the trainer issue's "your own data" figure
 * (the same model fine-tuned from the folder and from `--data mnist`):
 *   npx tsx scripts/experiments/mnist-png-folder.ts build/mnist-png       # {train,test}/<digit>/<n>.png
 *   npx tsx scripts/experiments/torch-lenet5-onnx.ts build/lenet5-torch.onnx
 *   npx wpal import build/lenet5-torch.onnx -o build/lenet5-torch.wpal
 *   npx wpal compress build/lenet5-torch.wpal --data build/mnist-png --bits 2 --distill -o build/lenet5-torch-png-2bit.wpal
 *   npx wpal compress build/lenet5-torch.wpal --data mnist --bits 2 --distill -o build/lenet5-torch-2bit.wpal
 * The pixels are MNIST's own bytes (PNG is lossless), so the two runs see the same images; the
 * folder's validation carve draws other images (its pool is in folder order).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { loadImageDataset } from '../../src/trainer/data/idx.js';

const root = process.argv[2] ?? 'build/mnist-png';
for (const split of ['train', 'test'] as const) {
  const d = loadImageDataset('mnist', split);
  for (let c = 0; c < 10; c++) mkdirSync(`${root}/${split}/${c}`, { recursive: true });
  for (let i = 0; i < d.count; i++) {
    // the loader gives x / 255 as float32: back to the file's bytes
    const gray = Buffer.from(Array.from(d.x.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)));
    const png = PNG.sync.write({ width: 28, height: 28, data: gray } as PNG, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
    writeFileSync(`${root}/${split}/${d.y[i]}/${String(i).padStart(5, '0')}.png`, png);
  }
  console.log(`${split}: ${d.count} PNGs under ${root}/${split}`);
}
