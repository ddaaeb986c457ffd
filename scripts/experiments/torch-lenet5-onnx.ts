/**
 * Writes the project's trained dense LeNet-5 (models/lenet5-mnist-dense.wpal) as torch.onnx.export
 * writes a PyTorch LeNet-5 (test/util/torch-lenet.ts), for the imported-model figures of the
 * trainer issue:
 *   npx tsx scripts/experiments/torch-lenet5-onnx.ts build/lenet5-torch.onnx
 *   npx wpal import build/lenet5-torch.onnx -o build/lenet5-torch.wpal
 *   npx wpal compress build/lenet5-torch.wpal --data mnist --bits 2 --distill -o build/lenet5-torch-2bit.wpal
 * and the same compress on models/lenet5-mnist-dense.wpal for the built-in path.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { readDenseModel } from '../../src/trainer/compress.js';
import { torchStyleLeNet5 } from '../../test/util/torch-lenet.js';

const out = process.argv[2] ?? 'build/lenet5-torch.onnx';
const dense = readDenseModel(new Uint8Array(readFileSync(new URL('../../models/lenet5-mnist-dense.wpal', import.meta.url))));
writeFileSync(out, torchStyleLeNet5(dense));
console.log(`wrote ${out}`);
