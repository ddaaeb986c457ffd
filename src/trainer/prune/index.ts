// Block pruning (magnitude, cubic schedule) on the training engine: re-exports only.
export { BlockPruner, masked, cubicSparsity, parseBlock, type BlockSpec, type PruneOptions } from './prune.js';
