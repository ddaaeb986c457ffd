/**
 * Carving a held-out split (validation or test) from a pool of labelled examples: seeded and
 * stratified, so every class gives the same fraction and the same files are chosen on every run and
 * every machine, whatever the command (train, compress, eval, verify) that asks.
 *
 *   for each class c (in index order), with n_c members in pool order:
 *     h_c  = min(round(n_c x fraction), n_c - 1)      (a class never leaves the rest entirely)
 *     held = the first h_c positions of a seeded permutation of the n_c members
 *            (seed: splitSeed(seed, c), so one class's draw does not depend on another's)
 *   held and rest are then listed in pool order.
 *
 * The test carve uses the split seed, the val carve valSeed(seed), so the two draws differ.
 */
import { permutation, type Examples } from '../engine/loop.js';

/** The seeds, fractions and sources of the three splits, as the file records them. */
export interface SplitSettings {
  /** Fraction of the training pool carved as validation when the data has no val split (0 = none). */
  valFraction: number;
  /** Fraction of the pool carved as test when the data has no test split. */
  testFraction: number;
  /** Seed of both carves. */
  seed: number;
}

export const SPLIT_DEFAULTS: SplitSettings = { valFraction: 0.1, testFraction: 0.2, seed: 1 };

export interface Carve {
  /** Pool positions left in the pool, ascending. */
  rest: Uint32Array;
  /** Pool positions carved out, ascending. */
  held: Uint32Array;
}

/** The permutation seed of class `c` (a Weyl step, as the trainer's epoch seeds). */
function splitSeed(seed: number, c: number): number {
  return (seed + (c + 1) * 0x9e3779b1) >>> 0;
}

/** Carves `fraction` of every class of `labels` (class indices 0..classes-1) out of the pool (see the header). */
export function carveStratified(labels: ArrayLike<number>, classes: number, fraction: number, seed: number): Carve {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`carve: fraction ${fraction} is not in [0, 1)`);
  const members: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!(Number.isInteger(c) && c >= 0 && c < classes)) throw new RangeError(`carve: label ${c} of example ${i} is not a class index below ${classes}`);
    members[c]!.push(i);
  }
  const isHeld = new Uint8Array(labels.length);
  members.forEach((m, c) => {
    const h = Math.min(Math.round(m.length * fraction), m.length - 1);
    if (h <= 0) return;
    const p = permutation(m.length, splitSeed(seed, c));
    for (let k = 0; k < h; k++) isHeld[m[p[k]!]!] = 1;
  });
  let nHeld = 0;
  for (const v of isHeld) nHeld += v;
  const held = new Uint32Array(nHeld);
  const rest = new Uint32Array(labels.length - nHeld);
  for (let i = 0, a = 0, b = 0; i < labels.length; i++) {
    if (isHeld[i]) held[a++] = i;
    else rest[b++] = i;
  }
  return { rest, held };
}

/**
 * Carves whole groups: `fraction` of the groups of every class (a group's class is the label of its
 * first member) with all their members, by carveStratified over the groups. For pools whose examples
 * overlap within a group (SST-2's phrases are cut from ~6,900 sentences), so validation holds no
 * substring of a training sentence.
 */
export function carveGrouped(groups: ArrayLike<number>, labels: ArrayLike<number>, classes: number, fraction: number, seed: number): Carve {
  let count = 0;
  for (let i = 0; i < groups.length; i++) count = Math.max(count, groups[i]! + 1);
  const groupLabel = new Int32Array(count).fill(-1);
  for (let i = 0; i < groups.length; i++) if (groupLabel[groups[i]!] === -1) groupLabel[groups[i]!] = labels[i]!;
  const c = carveStratified(groupLabel, classes, fraction, seed);
  const heldGroup = new Uint8Array(count);
  for (const g of c.held) heldGroup[g] = 1;
  let nHeld = 0;
  for (let i = 0; i < groups.length; i++) nHeld += heldGroup[groups[i]!]!;
  const held = new Uint32Array(nHeld);
  const rest = new Uint32Array(groups.length - nHeld);
  for (let i = 0, a = 0, b = 0; i < groups.length; i++) {
    if (heldGroup[groups[i]!]) held[a++] = i;
    else rest[b++] = i;
  }
  return { rest, held };
}

/** The val carve's seed: distinct from the test carve's for the same split seed. */
export function valSeed(seed: number): number {
  return (seed ^ 0x85ebca6b) >>> 0;
}

/** "carved: 10% of the training data, seed 1, stratified". */
export function describeCarve(fraction: number, seed: number, from = 'the training data', unit?: string): string {
  return `carved: ${+(fraction * 100).toFixed(2)}% of ${unit ? `the ${unit} of ` : ''}${from}, seed ${seed}, stratified`;
}

/** The examples at `rows` (pool positions, in that order), copied: x rows of x.length / count floats, y as Int32Array. */
export function takeRows(d: Examples, rows: ArrayLike<number>): Examples & { y: Int32Array } {
  const per = d.x.length / d.count;
  const x = new Float32Array(rows.length * per);
  const y = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    x.set(d.x.subarray(r * per, (r + 1) * per), i * per);
    y[i] = d.y[r]!;
  }
  return { x, y, count: rows.length };
}
