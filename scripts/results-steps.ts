/**
 * The rows of the README's results table (scripts/results.ts runs them): each a `wpal train` or
 * `wpal compress` command. test/cli/results-steps.test.ts parses every command with the CLI's parser.
 */
export interface Step {
  id: string;
  /** Table columns. */
  data: string;
  model: string;
  setting: string;
  /** wpal arguments; `@` stands for the build/results/ folder. */
  args: string;
  /** The step whose (full-size, dense) file defines the ratio's dense float32 bytes. */
  ref: string;
  /** A headline row: also run with seeds 2 and 3 (--seeds), reported as mean +- sd. */
  headline?: string;
  /** Run once (seed 1) and read by every seed's chain. */
  shared?: boolean;
}

const f = (name: string) => `@/${name}.wpal`;
export const STEPS: Step[] = [
  // MNIST, LeNet-5 (full size 20,50,500)
  { id: 'mnist-lenet5-dense', data: 'MNIST', model: 'LeNet-5', setting: 'dense float32, 10 epochs', args: `train --data mnist --arch lenet5 --epochs 10 -o ${f('mnist-lenet5.dense')}`, ref: 'mnist-lenet5-dense', shared: true },
  ...[4, 2, 1].map((b) => ({ id: `mnist-lenet5-${b}bit`, data: 'MNIST', model: 'LeNet-5', setting: `DKM ${b}-bit, every layer, 2 epochs`, args: `compress ${f('mnist-lenet5.dense')} --data mnist --bits ${b} -o ${f(`mnist-lenet5.${b}bit`)}`, ref: 'mnist-lenet5-dense' })),
  { id: 'mnist-lenet5-target32k', data: 'MNIST', model: 'LeNet-5', setting: 'target size 32 KB (bits + 1x4-block sparsity chosen per layer), distilled', args: `compress ${f('mnist-lenet5.dense')} --data mnist --target-size 32KB --distill -o ${f('mnist-lenet5.32kb')}`, ref: 'mnist-lenet5-dense' },
  { id: 'mnist-lenet5-target8.6k', data: 'MNIST', model: 'LeNet-5', setting: 'target size 8.6 KB (200x), one command with the defaults: whole filters/neurons removed (widths chosen to fit), then bits per layer, distilled', args: `compress ${f('mnist-lenet5.dense')} --data mnist --target-size 8.6KB --distill -o ${f('mnist-lenet5.8.6kb')}`, ref: 'mnist-lenet5-dense', headline: 'LeNet-5 at 200x, one command' },
  // MNIST, LeNet-5 with whole filters / neurons removed (widths 5,10,32), distilled from the dense LeNet-5
  { id: 'mnist-lenet5n-dense', data: 'MNIST', model: 'LeNet-5 5,10,32', setting: 'dense float32, 25 epochs, distilled from dense LeNet-5', args: `train --data mnist --arch lenet5 --widths 5,10,32 --teacher ${f('mnist-lenet5.dense')} --epochs 25 --lr 0.01 -o ${f('mnist-lenet5n.dense')}`, ref: 'mnist-lenet5-dense' },
  { id: 'mnist-lenet5n-m42', data: 'MNIST', model: 'LeNet-5 5,10,32', setting: 'DKM 4-bit, fc1 2-bit, 8 epochs, distilled', args: `compress ${f('mnist-lenet5n.dense')} --data mnist --bits 4 --layer fc1:bits=2 --epochs 8 --distill -o ${f('mnist-lenet5n.m42')}`, ref: 'mnist-lenet5-dense', headline: 'LeNet-5 at 400x+ (narrow 5,10,32, 4/2-bit)' },
  { id: 'mnist-lenet5n-target8k', data: 'MNIST', model: 'LeNet-5 5,10,32', setting: 'target size 8 KB (bits chosen per layer), 8 epochs, distilled', args: `compress ${f('mnist-lenet5n.dense')} --data mnist --target-size 8KB --epochs 8 --distill -o ${f('mnist-lenet5n.8kb')}`, ref: 'mnist-lenet5-dense' },
  { id: 'mnist-lenet5n-target4k', data: 'MNIST', model: 'LeNet-5 5,10,32', setting: 'target size 4 KB (bits + 1x4-block sparsity chosen per layer), 8 epochs, distilled', args: `compress ${f('mnist-lenet5n.dense')} --data mnist --target-size 4KB --epochs 8 --distill -o ${f('mnist-lenet5n.4kb')}`, ref: 'mnist-lenet5-dense' },
  // MNIST, LeNet-5 widths 6,12,32 (more margin over 99%)
  { id: 'mnist-lenet5m-dense', data: 'MNIST', model: 'LeNet-5 6,12,32', setting: 'dense float32, 25 epochs, distilled from dense LeNet-5', args: `train --data mnist --arch lenet5 --widths 6,12,32 --teacher ${f('mnist-lenet5.dense')} --epochs 25 --lr 0.01 -o ${f('mnist-lenet5m.dense')}`, ref: 'mnist-lenet5-dense' },
  { id: 'mnist-lenet5m-m42', data: 'MNIST', model: 'LeNet-5 6,12,32', setting: 'DKM 4-bit, fc1 2-bit, 8 epochs, distilled', args: `compress ${f('mnist-lenet5m.dense')} --data mnist --bits 4 --layer fc1:bits=2 --epochs 8 --distill -o ${f('mnist-lenet5m.m42')}`, ref: 'mnist-lenet5-dense' },
  { id: 'mnist-lenet5m-target8k', data: 'MNIST', model: 'LeNet-5 6,12,32', setting: 'target size 8 KB (bits chosen per layer), 8 epochs, distilled', args: `compress ${f('mnist-lenet5m.dense')} --data mnist --target-size 8KB --epochs 8 --distill -o ${f('mnist-lenet5m.8kb')}`, ref: 'mnist-lenet5-dense' },
  // MNIST, LeNet-300-100
  { id: 'mnist-lenet300-dense', data: 'MNIST', model: 'LeNet-300-100', setting: 'dense float32, 20 epochs, distilled from dense LeNet-5', args: `train --data mnist --arch lenet300-100 --epochs 20 --lr 0.01 --weight-decay 1e-4 --teacher ${f('mnist-lenet5.dense')} -o ${f('mnist-lenet300.dense')}`, ref: 'mnist-lenet300-dense' },
  ...[4, 2, 1].map((b) => ({ id: `mnist-lenet300-${b}bit`, data: 'MNIST', model: 'LeNet-300-100', setting: `DKM ${b}-bit, every layer, 2 epochs`, args: `compress ${f('mnist-lenet300.dense')} --data mnist --bits ${b} -o ${f(`mnist-lenet300.${b}bit`)}`, ref: 'mnist-lenet300-dense' })),
  { id: 'mnist-lenet300-pruned', data: 'MNIST', model: 'LeNet-300-100', setting: 'fc1 85% + fc2 70% of 1x16 blocks pruned (8 epochs), then DKM 2-bit (8 epochs), distilled', args: `compress ${f('mnist-lenet300.dense')} --data mnist --bits 2 --layer fc1:sparsity=0.85,block=1x16;fc2:sparsity=0.7,block=1x16 --prune-epochs 8 --epochs 8 --distill -o ${f('mnist-lenet300.pruned')}`, ref: 'mnist-lenet300-dense', headline: 'LeNet-300-100 at 60x (sparsity set by hand)' },
  { id: 'mnist-lenet300-ratio60-pf', data: 'MNIST', model: 'LeNet-300-100', setting: 'ratio 60, the allocator\'s sparsities pruned first (8 epochs), then DKM at its bits (8 epochs), bits 2-8 (chosen on validation over 1-8), distilled', args: `compress ${f('mnist-lenet300.dense')} --data mnist --ratio 60 --block 1x16 --prune-epochs 8 --epochs 8 --distill --alloc-bits 2,3,4,6,8 -o ${f('mnist-lenet300.60x-pf')}`, ref: 'mnist-lenet300-dense', headline: 'LeNet-300-100 at 60x (allocator, prune first)' },
  { id: 'mnist-lenet300-ratio60', data: 'MNIST', model: 'LeNet-300-100', setting: 'ratio 60 (bits + 1x16-block sparsity chosen per layer), 4 epochs, distilled', args: `compress ${f('mnist-lenet300.dense')} --data mnist --ratio 60 --block 1x16 --epochs 4 --distill -o ${f('mnist-lenet300.60x')}`, ref: 'mnist-lenet300-dense', headline: 'LeNet-300-100 at 60x (allocator)' },
  // Fashion-MNIST, LeNet-5
  { id: 'fashion-lenet5-dense', data: 'Fashion-MNIST', model: 'LeNet-5', setting: 'dense float32, 10 epochs', args: `train --data fashion-mnist --arch lenet5 --epochs 10 -o ${f('fashion-lenet5.dense')}`, ref: 'fashion-lenet5-dense' },
  ...[4, 2, 1].map((b) => ({ id: `fashion-lenet5-${b}bit`, data: 'Fashion-MNIST', model: 'LeNet-5', setting: `DKM ${b}-bit, every layer, 2 epochs`, args: `compress ${f('fashion-lenet5.dense')} --data fashion-mnist --bits ${b} -o ${f(`fashion-lenet5.${b}bit`)}`, ref: 'fashion-lenet5-dense' })),
  { id: 'fashion-lenet5-target32k', data: 'Fashion-MNIST', model: 'LeNet-5', setting: 'target size 32 KB, distilled', args: `compress ${f('fashion-lenet5.dense')} --data fashion-mnist --target-size 32KB --distill -o ${f('fashion-lenet5.32kb')}`, ref: 'fashion-lenet5-dense' },
  // SST-2, the text transformer (2 layers, d 64, 4 heads, FFN 128, 65,536 hashed word buckets, seq 32); accuracy on the 872-sentence dev set
  { id: 'sst2-dense', data: 'SST-2', model: 'transformer', setting: 'dense float32, 2 epochs (AdamW 1e-3, no word dropout, 65,536 buckets, max over the positions)', args: `train --data sst2 --arch transformer -o ${f('sst2.dense')}`, ref: 'sst2-dense', headline: 'SST-2 transformer dense' },
  ...[4, 2, 1].map((b) => ({ id: `sst2-${b}bit`, data: 'SST-2', model: 'transformer', setting: `DKM ${b}-bit, every weight matrix and the word table, 1 epoch, distilled`, args: `compress ${f('sst2.dense')} --data sst2 --bits ${b} --distill -o ${f(`sst2.${b}bit`)}`, ref: 'sst2-dense' })),
  { id: 'sst2-mixed', data: 'SST-2', model: 'transformer', setting: 'word table 2-bit, other weights 4-bit, 1 epoch, distilled', args: `compress ${f('sst2.dense')} --data sst2 --bits 4 --layer embeddings.word_embeddings:bits=2 --distill -o ${f('sst2.mixed')}`, ref: 'sst2-dense' },
  { id: 'sst2-ratio12', data: 'SST-2', model: 'transformer', setting: 'ratio 12 (bits + sparsity chosen per layer), 1 epoch, distilled', args: `compress ${f('sst2.dense')} --data sst2 --ratio 12 --distill -o ${f('sst2.12x')}`, ref: 'sst2-dense', headline: 'SST-2 transformer at 12x' },
];
