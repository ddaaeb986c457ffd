// DKM (differentiable k-means weight clustering) on the training engine: re-exports only.
export { DkmState, dkm, refreshCentroids, hardAssign, type DkmOptions, type HardAssignment } from './dkm.js';
export { dkmKernels, type DkmKernels } from './kernels.js';
