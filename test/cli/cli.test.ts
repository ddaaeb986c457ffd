/**
 * The `wpal` command line, driven in-process through main(argv, io) (exit code, captured stdout /
 * stderr). The data tests train LeNet-300-100 on 2,000 MNIST images (--limit) once and reuse the
 * file; like test/trainer, a missing data directory fails them unless WPAL_SKIP_DATA=1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseArgs, type CommandSpec } from '../../src/cli/util/args.js';
import { UsageError } from '../../src/cli/util/errors.js';
import type { Io } from '../../src/cli/util/io.js';
import { Progress } from '../../src/cli/util/progress.js';
import { formatBytes, parseSize } from '../../src/cli/util/size.js';
import { parseAccuracy } from '../../src/cli/verify.js';
import { readModel } from '../../src/format/read.js';
import { decodeTensor } from '../../src/encode/decode.js';
import { buildLeNet300100, buildLeNet5 } from '../../src/models/lenet.js';

interface Ran {
  code: number;
  out: string;
  err: string;
}

function captureIo(tty = false): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => void stdout.push(s), err: (s) => void stderr.push(s), errIsTTY: tty, columns: 120 };
}

async function wpal(...argv: string[]): Promise<Ran> {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout.join(''), err: io.stderr.join('') };
}

function json(r: Ran): Record<string, any> {
  return JSON.parse(r.out) as Record<string, any>;
}

const realDir = resolve(process.cwd(), '../shared/data');
const skipData = process.env['WPAL_SKIP_DATA'] === '1' && !existsSync(realDir) && !process.env['WPAL_DATA'];
const tmp = mkdtempSync(join(tmpdir(), 'wpal-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('parseSize', () => {
  it('reads B, KB (1000), KiB (1024), MB, fractions and plain bytes', () => {
    expect(parseSize('8KB')).toBe(8000);
    expect(parseSize('8KiB')).toBe(8192);
    expect(parseSize('1.5MB')).toBe(1_500_000);
    expect(parseSize('1.5MiB')).toBe(1_572_864);
    expect(parseSize('512')).toBe(512);
    expect(parseSize('512B')).toBe(512);
    expect(parseSize('8 kb')).toBe(8000);
    expect(parseSize('2GB')).toBe(2e9);
    expect(parseSize('0.5KiB')).toBe(512);
  });
  it('rejects other units, negative sizes and fractions of a byte', () => {
    for (const bad of ['8K', '8KBB', '-1KB', 'KB', '', '1.5', '0.1KiB', '8 MiBs', '1e3']) {
      expect(() => parseSize(bad), bad).toThrow(UsageError);
    }
  });
  it('formats bytes', () => {
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(8000)).toBe('8,000 B (8.00 KB)');
  });
});

describe('arguments', () => {
  const spec: CommandSpec = {
    name: 't',
    summary: 's',
    usage: 'u',
    positionals: [{ name: 'file', description: 'f', required: true }],
    options: {
      epochs: { type: 'int', description: 'e', min: 1 },
      lr: { type: 'number', description: 'l' },
      size: { type: 'size', description: 's' },
      data: { type: 'string', description: 'd', choices: ['mnist', 'fashion-mnist'] },
      output: { type: 'string', short: 'o', description: 'o' },
      json: { type: 'boolean', description: 'j' },
    },
  };
  it('parses --k v, --k=v, -o v, flags and sizes', () => {
    const p = parseArgs(['a.wpal', '--epochs', '3', '--lr=1e-3', '--size', '8KiB', '-o', 'x.wpal', '--json', '--data', 'mnist'], spec);
    expect(p.positionals).toEqual(['a.wpal']);
    expect(p.options).toEqual({ epochs: 3, lr: 0.001, size: 8192, output: 'x.wpal', json: true, data: 'mnist' });
    expect(parseArgs(['-ox.wpal', 'a'], spec).options['output']).toBe('x.wpal');
  });
  it('rejects unknown options, missing values, bad numbers, bad choices, extra and missing arguments', () => {
    const bad: [string[], RegExp][] = [
      [['a', '--epoch', '3'], /unknown option --epoch \(did you mean --epochs\?\)/],
      [['a', '-x'], /unknown option -x/],
      [['a', '--epochs'], /--epochs needs a value/],
      [['a', '--epochs', '--json'], /--epochs needs a value/],
      [['a', '--epochs', '2.5'], /not a whole number/],
      [['a', '--epochs', '0'], /below the minimum 1/],
      [['a', '--lr', 'fast'], /not a number/],
      [['a', '--size', '8K'], /cannot read "8K" as a size/],
      [['a', '--data', 'cifar'], /not one of mnist, fashion-mnist/],
      [['a', '--json=yes'], /is a flag/],
      [['a', '--json', '--json'], /given twice/],
      [['a', 'b'], /unexpected argument "b"/],
      [[], /missing file/],
    ];
    for (const [argv, msg] of bad) expect(() => parseArgs(argv, spec), argv.join(' ')).toThrow(msg);
    expect(parseArgs(['--help'], spec).help).toBe(true);
  });
  it('reads accuracies as fractions or percentages', () => {
    expect(parseAccuracy('0.99', 'x')).toBe(0.99);
    expect(parseAccuracy('99%', 'x')).toBeCloseTo(0.99, 12);
    expect(() => parseAccuracy('99', 'x')).toThrow(/did you mean 99%/);
    expect(() => parseAccuracy('abc', 'x')).toThrow(UsageError);
  });
});

describe('wpal main', () => {
  it('prints the command list, and help per command', async () => {
    const top = await wpal('--help');
    expect(top.code).toBe(0);
    for (const c of ['train', 'compress', 'eval', 'inspect', 'verify']) expect(top.out).toContain(`  ${c}`);
    expect((await wpal()).code).toBe(2);
    for (const c of ['train', 'eval', 'inspect', 'verify']) {
      const r = await wpal(c, '--help');
      expect(r.code, c).toBe(0);
      expect(r.out).toContain(`Usage: wpal ${c}`);
      expect(r.err).toBe('');
    }
    expect((await wpal('help', 'verify')).out).toContain('--max-size');
  });
  it('unknown command or option: a clear message and exit code 2', async () => {
    const r = await wpal('trian');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command "trian"; commands: train, import, compress, eval, inspect, verify, strip/);
    const o = await wpal('inspect', 'x.wpal', '--bits', '2');
    expect(o.code).toBe(2);
    expect(o.err).toMatch(/^wpal inspect: unknown option --bits/);
    expect(o.err).not.toMatch(/\n\s+at /);
    const m = await wpal('train', '--arch', 'lenet5');
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/--data is required/);
    const d = await wpal('train', '--data', 'mnist', '-o', join(tmp, 'no-such-dir', 'x.wpal'));
    expect(d.code).toBe(1);
    expect(d.err).toMatch(/^wpal train: error: cannot write .*x\.wpal: the folder .*no-such-dir does not exist\n$/);
    const s = await wpal('verify', 'x.wpal', '--max-size', 'eight');
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/--max-size: cannot read "eight" as a size/);
  });
  it('compress --help: its options, through the same output as every command', async () => {
    const r = await wpal('compress', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--target-size S/);
    expect(r.out).toMatch(/--prune-epochs N/);
  });
  it('a missing or corrupt model file: one line, exit code 1, no stack trace', async () => {
    const missing = await wpal('inspect', join(tmp, 'nope.wpal'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^wpal inspect: error: cannot read .*nope\.wpal: no such file\n$/);
    const junk = join(tmp, 'junk.wpal');
    writeFileSync(junk, new Uint8Array(64).fill(7));
    const bad = await wpal('eval', junk, '--data', 'mnist');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^wpal eval: error: /);
    expect(bad.err).not.toMatch(/internal error|\n\s+at /);
    const dbg = await wpal('eval', junk, '--data', 'mnist', '--debug');
    expect(dbg.err).toMatch(/\n\s+at /);
  });
  it('inspect --json: the numbers add up to the file size', async () => {
    const built = buildLeNet5({ compression: (l) => (l.index === 2 ? { palette: { bits: 2, groupRows: 100 }, sparse: { block: [8, 1], sparsity: 0.5 } } : { palette: { bits: 4 } }) });
    const file = join(tmp, 'pal.wpal');
    writeFileSync(file, built.bytes);
    const r = await wpal('inspect', file, '--json');
    expect(r.code).toBe(0);
    const j = json(r);
    expect(j['fileBytes']).toBe(built.bytes.length);
    const layers = j['layers'] as Array<{ name: string; bytes: Record<string, number>; bits: number | null; sparsity: number; block: number[] | null; groupRows: number | null }>;
    const sumLayers = layers.reduce((a, l) => a + l.bytes['total']!, 0);
    expect(sumLayers).toBe(j['weightBytes']);
    expect(sumLayers + j['byKind'].graphAndMetadata).toBe(j['fileBytes']);
    for (const l of layers) expect(l.bytes['palettes']! + l.bytes['indices']! + l.bytes['masks']! + l.bytes['dense']! + l.bytes['scales']!).toBe(l.bytes['total']);
    const k = j['byKind'] as Record<string, number>;
    expect(Object.values(k).reduce((a, b) => a + b, 0)).toBe(j['fileBytes']);
    const fc1 = layers.find((l) => l.name === 'fc1.weight')!;
    expect(fc1).toMatchObject({ bits: 2, groupRows: 100, block: [8, 1] });
    expect(fc1.sparsity).toBeCloseTo(0.5, 2);
    expect(j['memory'].weightsInMemoryBytes).toBeGreaterThanOrEqual(j['fileBytes']);
    expect((j['kernelPlan'] as unknown[]).length).toBeGreaterThan(0);
    const text = await wpal('inspect', file);
    expect(text.out).toContain('kernel plan');
    expect(text.out).toMatch(/fc1\.weight\s+500x800\s+pal float32\s+2\s+100\s+50\.0%\s+8x1/);
  });
  it('progress: redraws one line on a TTY, stays silent between epoch lines otherwise', () => {
    const tty = captureIo(true);
    const p = new Progress(tty, 100);
    p.update(100, { loss: 0.5, accuracy: 0.9 });
    p.line('epoch 1/1');
    p.finish();
    const t = tty.stderr.join('');
    expect(t).toMatch(/\r\[#+\] 100\/100 {2}loss 0\.5000 {2}acc 90\.00% {2}[\d,]+ images\/s {2}took /);
    expect(t).toContain('epoch 1/1\n');
    const log = captureIo(false);
    const q = new Progress(log, 100);
    q.update(50, { loss: 1 });
    q.line('epoch 1/2  ETA 1 s');
    expect(log.stderr.join('')).toBe('epoch 1/2  ETA 1 s\n');
  });
});

describe.skipIf(skipData)('train, eval, verify on MNIST (--limit)', () => {
  const LIMIT = '2000';
  const trained = join(tmp, 'mlp.wpal');
  let trainRun: Ran;

  beforeAll(async () => {
    trainRun = await wpal('train', '--data', 'mnist', '--arch', 'lenet300-100', '--epochs', '2', '--limit', LIMIT, '-o', trained, '--json');
  }, 60_000);

  it('train writes a file with provenance and the measured accuracy in its metadata', () => {
    expect(trainRun.code, trainRun.err).toBe(0);
    const j = json(trainRun);
    expect(j['fileBytes']).toBe(statSync(trained).size);
    expect(j['accuracy']).toBeGreaterThan(0.6);
    expect(j['examples']).toBe(2000);
    expect(trainRun.err).toMatch(/epoch 2\/2 {2}loss \d\.\d{4} {2}train acc [\d.]+% {2}val acc [\d.]+% {2}[\d,]+ images\/s/);
    const p = readModel(new Uint8Array(readFileSync(trained))).metadata.properties;
    expect(p).toMatchObject({ dataset: 'mnist', arch: 'lenet300-100', epochs: '2', seed: '1', train_examples: '2000', accuracy_examples: '2000', accuracy_dataset: 'mnist' });
    expect(Number(p['accuracy'])).toBe(j['accuracy']);
    expect(Number(p['train_seconds'])).toBeGreaterThan(0);
  });

  it('eval measures the same accuracy as train recorded', async () => {
    const r = await wpal('eval', trained, '--data', 'mnist', '--limit', LIMIT, '--json');
    expect(r.code, r.err).toBe(0);
    expect(json(r)).toMatchObject({ accuracy: json(trainRun)['accuracy'], examples: 2000, fullTestSet: false, dataset: 'mnist' });
    const full = await wpal('eval', trained); // --data from the file's metadata, full test set
    expect(full.code, full.err).toBe(0);
    expect(full.out).toMatch(/accuracy [\d.]+% \([\d,]+\/10,000 mnist test images\)/);
  });

  it('verify passes true claims on the full test set (exit 0) and prints a report', async () => {
    const size = statSync(trained).size;
    const acc = json(await wpal('eval', trained, '--json'))['accuracy'] as number;
    // The file records its accuracy on 2,000 test images; claim the full set's instead.
    const full = join(tmp, 'full.wpal');
    const info = readModel(new Uint8Array(readFileSync(trained)));
    const values: Record<string, Float32Array> = {};
    for (const t of info.tensors) if (t.weight) values[t.name] = decodeTensor(info, t.index);
    writeFileSync(full, buildLeNet300100({ weights: { values }, properties: { ...info.metadata.properties, accuracy: String(acc), accuracy_examples: '10000' } }).bytes);
    const fullSize = statSync(full).size;
    const r = await wpal('verify', full, '--data', 'mnist', '--max-size', `${fullSize}B`, '--min-accuracy', '0.5', '--max-memory', '2MB');
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/checksum +verified/);
    expect(r.out).toMatch(/file size <= .*PASS/);
    expect(r.out).toMatch(/accuracy recorded in the file .*PASS/);
    expect(r.out).toContain('PASS: all 4 claims hold');
    const j = json(await wpal('verify', full, '--json'));
    expect(j).toMatchObject({ fileBytes: fullSize, examples: 10000, pass: true, checksum: 'verified', fullTestSet: true });
    expect(j['weightsInMemoryBytes']).toBeGreaterThanOrEqual(fullSize);
    expect(j['claims']).toEqual([{ name: 'recorded-accuracy', limit: acc, measured: acc, pass: true }]);
    expect(size).toBeGreaterThan(0);
  });

  it('verify on a subset (--limit) never passes an accuracy claim: "not verified: subset", exit 1', async () => {
    const size = statSync(trained).size;
    const r = await wpal('verify', trained, '--data', 'mnist', '--limit', LIMIT, '--max-size', `${size}B`, '--min-accuracy', '0.5');
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.out).toMatch(/file size <= .*PASS/);
    expect(r.out).toMatch(/accuracy >= 50\.00% .*not verified: subset/);
    expect(r.out).toMatch(/accuracy recorded in the file .*not verified: subset/);
    expect(r.out).toMatch(/NOT VERIFIED: 2 of 3 claims measured on only 2000 of 10000 images \(--limit\)/);
    expect(r.out).not.toMatch(/PASS:/);
    const j = json(await wpal('verify', trained, '--limit', LIMIT, '--json'));
    expect(j).toMatchObject({ examples: 2000, fullTestSet: false, pass: false });
    expect(j['claims']).toEqual([{ name: 'recorded-accuracy', limit: j['accuracy'], measured: j['accuracy'], pass: false, verified: false, status: 'not verified: subset' }]);
    // No claim at all: a quick measurement, nothing to pass or fail.
    const noclaim = join(tmp, 'noclaim.wpal');
    writeFileSync(noclaim, buildLeNet300100({ weights: { seed: 2 } }).bytes);
    const none = await wpal('verify', noclaim, '--data', 'mnist', '--limit', '100');
    expect(none.code).toBe(0);
    expect(none.out).toContain('no claims to check');
  });

  it('verify fails a false max-size claim (exit 1)', async () => {
    const r = await wpal('verify', trained, '--limit', LIMIT, '--max-size', '8KB', '--json');
    expect(r.code).toBe(1);
    const j = json(r);
    expect(j['pass']).toBe(false);
    expect(j['claims'][0]).toEqual({ name: 'max-size', limit: 8000, measured: statSync(trained).size, pass: false });
    const text = await wpal('verify', trained, '--limit', LIMIT, '--max-size', '8KiB');
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/file size <= 8,192 B .*FAIL/);
    expect(text.out).toContain('FAIL: 1 of 2 claims fails');
  });

  it('verify fails a false min-accuracy claim and a false max-memory claim (exit 1)', async () => {
    const r = await wpal('verify', trained, '--data', 'mnist', '--limit', LIMIT, '--min-accuracy', '99.9%', '--max-memory', '100KiB', '--json');
    expect(r.code).toBe(1);
    const j = json(r);
    expect(j['pass']).toBe(false);
    const byName = Object.fromEntries((j['claims'] as Array<{ name: string; pass: boolean; limit: number }>).map((c) => [c.name, c]));
    expect(byName['min-accuracy']).toMatchObject({ pass: false, limit: 0.999 });
    expect(byName['max-memory']).toMatchObject({ pass: false, limit: 102400 });
    expect(byName['recorded-accuracy']).toMatchObject({ pass: false, verified: false });
  });

  it('verify fails a file whose metadata claims more accuracy than it reaches', async () => {
    const info = readModel(new Uint8Array(readFileSync(trained)));
    const values: Record<string, Float32Array> = {};
    for (const t of info.tensors) if (t.weight) values[t.name] = decodeTensor(info, t.index);
    const measured = json(await wpal('eval', trained, '--json'))['accuracy'] as number; // the full test set
    const forge = (accuracy: number, file: string) => {
      const props = { ...info.metadata.properties, accuracy: String(accuracy), accuracy_examples: '10000' };
      writeFileSync(file, buildLeNet300100({ weights: { values }, properties: props }).bytes);
      return file;
    };
    // 0.5 point above what the weights deliver: fails; 0.05 point above: within the 0.1-point tolerance.
    const over = await wpal('verify', forge(measured + 0.005, join(tmp, 'over.wpal')), '--json');
    expect(over.code).toBe(1);
    expect(json(over)['claims']).toEqual([{ name: 'recorded-accuracy', limit: measured + 0.005, measured, pass: false }]);
    const near = await wpal('verify', forge(measured + 0.0005, join(tmp, 'near.wpal')), '--json');
    expect(near.code).toBe(0);
    // Random weights claiming 99% on the full test set: FAIL on the full set, never PASS on a subset.
    const fake = join(tmp, 'fake.wpal');
    writeFileSync(fake, buildLeNet5({ weights: { seed: 3 }, properties: { accuracy: '0.99', accuracy_examples: '10000', accuracy_dataset: 'mnist' } }).bytes);
    const r = await wpal('verify', fake);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/accuracy recorded in the file \(99\.00%\).*FAIL/);
    const sub = await wpal('verify', fake, '--limit', '500');
    expect(sub.code).toBe(1);
    expect(sub.out).toMatch(/accuracy recorded in the file \(99\.00%\).*not verified: subset/);
    expect(sub.out).toMatch(/ONLY the first 500 of 10000/);
    // Recorded on another data set: the claim cannot hold for this one.
    if (existsSync(join(realDir, 'fashion-mnist', 't10k-labels-idx1-ubyte.gz')) || process.env['WPAL_DATA']) {
      const other = await wpal('verify', trained, '--data', 'fashion-mnist', '--limit', '200', '--json');
      expect(other.code, other.err).toBe(1);
      expect(json(other)['claims'][0]).toMatchObject({ name: 'recorded-accuracy', pass: false, note: 'recorded on mnist, measured on fashion-mnist; recorded on 2000 examples, measured on 200' });
    }
  });

  it('train --widths --teacher A,B: a narrow LeNet-5 distilled from an ensemble of trained files, recorded in its metadata', async () => {
    const out = join(tmp, 'narrow.wpal');
    const r = await wpal('train', '--data', 'mnist', '--arch', 'lenet5', '--widths', '4,8,16', '--teacher', `${trained},${trained}`, '--epochs', '2', '--limit', LIMIT, '-o', out, '--json');
    expect(r.code, r.err).toBe(0);
    const info = readModel(new Uint8Array(readFileSync(out)));
    const shape = (n: string) => info.tensors.find((t) => t.name === n)!.shape;
    expect([shape('conv1.weight'), shape('conv2.weight'), shape('fc1.weight'), shape('fc2.weight')]).toEqual([[4, 5, 5, 1], [8, 5, 5, 4], [16, 128], [10, 16]]);
    expect(info.metadata.properties).toMatchObject({ widths: '4,8,16', teacher: 'mlp.wpal,mlp.wpal', distill_temperature: '4', distill_alpha: '0.7', weight_decay: '0.0005' });
    expect(json(r)['accuracy']).toBeGreaterThan(0.3); // 10 classes: chance is 0.1
  }, 60_000);

  it('train: widths that do not fit the architecture are usage errors (exit 2)', async () => {
    const out = join(tmp, 'never.wpal');
    for (const args of [['--arch', 'lenet300-100', '--widths', '5,10,32'], ['--arch', 'lenet5', '--widths', '5,10'], ['--arch', 'lenet5', '--hidden', '100'], ['--arch', 'lenet5', '--widths', '5,0,32'], ['--alpha', '0.5'], ['--arch', 'lenet5', '--teacher', `${trained},`]]) {
      const r = await wpal('train', '--data', 'mnist', ...args, '--limit', '100', '-o', out);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/--widths|--hidden|--teacher/);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('compress --prune-epochs: prunes on float32 weights first, then clusters the kept blocks', async () => {
    const out = join(tmp, 'pruned.wpal');
    const r = await wpal('compress', trained, '--data', 'mnist', '--limit', LIMIT, '--bits', '2', '--layer', 'fc1:sparsity=0.5,block=1x16', '--prune-epochs', '1', '--epochs', '1', '-o', out, '--json');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/pruned 1 epoch \(float32\) {2}val acc [\d.]+%/);
    expect(r.err).toMatch(/DKM fine-tuned 1 epoch {2}val acc \(hard\) [\d.]+%/);
    const info = readModel(new Uint8Array(readFileSync(out)));
    expect(info.metadata.properties['prune_epochs']).toBe('1');
    const fc1 = info.tensors.find((t) => t.name === 'fc1.weight')!;
    const w = decodeTensor(info, fc1.index);
    const [rows, cols] = fc1.shape;
    let zeroBlocks = 0;
    for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c += 16) if (w.subarray(i * cols + c, i * cols + c + 16).every((v) => v === 0)) zeroBlocks++;
    expect(zeroBlocks / (rows * Math.ceil(cols / 16))).toBeCloseTo(0.5, 2);
    expect(new Set(w).size).toBeLessThanOrEqual(5); // 4 centroids (+ the pruned zeros)
    expect(json(r)['accuracy']).toBeGreaterThan(0.5);
    const none = await wpal('compress', trained, '--data', 'mnist', '--limit', '100', '--prune-epochs', '1', '-o', join(tmp, 'never.wpal'));
    expect(none.code).toBe(2);
    expect(none.err).toContain('--prune-epochs needs something to prune');
  }, 60_000);

  it('compress --hidden: whole neurons pruned, then removed from the file (a narrower LeNet-300-100)', async () => {
    const out = join(tmp, 'narrow-mlp.wpal');
    const r = await wpal('compress', trained, '--data', 'mnist', '--limit', LIMIT, '--hidden', '40,20', '--prune-epochs', '1', '--epochs', '1', '--bits', '2', '-o', out, '--json');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/removed whole filters\/neurons \(fc1 300->40, fc2 100->20\)/);
    const info = readModel(new Uint8Array(readFileSync(out)));
    const shape = (n: string) => info.tensors.find((t) => t.name === n)!.shape;
    expect([shape('fc1.weight'), shape('fc2.weight'), shape('fc3.weight')]).toEqual([[40, 784], [20, 40], [10, 20]]);
    expect(info.metadata.properties['structured']).toBe('fc1 300->40, fc2 100->20');
    expect(json(r)['accuracy']).toBeGreaterThan(0.3); // 1 + 1 epochs on 2,000 images; chance is 0.1
  }, 60_000);

  it('compress --target-size below what block masks allow: removes whole neurons to fit, file <= target', async () => {
    const out = join(tmp, 'tiny-mlp.wpal');
    const r = await wpal('compress', trained, '--data', 'mnist', '--limit', LIMIT, '--target-size', '12KB', '--prune-epochs', '3', '--epochs', '2', '-o', out, '--json');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/target 12,000 B .* is below the smallest file block masks over the full-width layers allow .*: keeping \d+,\d+ of 300,100/);
    expect(statSync(out).size).toBeLessThanOrEqual(12000);
    expect(statSync(out).size).toBeGreaterThanOrEqual(0.97 * 12000);
    expect(json(r)['accuracy']).toBeGreaterThan(0.3);
  }, 90_000);

  it('a missing data directory: clear error, exit code 1', async () => {
    const r = await wpal('eval', trained, '--data', 'mnist', '--data-dir', join(tmp, 'no-such-dir'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^wpal eval: error: no data directory found\. Looked at:\n {2}- .*no-such-dir \(--data-dir\): does not exist/);
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
    const t = await wpal('verify', trained, '--data-dir', join(tmp, 'no-such-dir'), '--json');
    expect(t.code).toBe(1);
    expect(t.out).toBe('');
  });
});

describe.skipIf(skipData)('train, compress, eval, verify the text transformer on SST-2 (--limit)', () => {
  const dense = join(tmp, 'sst2.wpal');
  let trainRun: Ran;
  beforeAll(async () => {
    trainRun = await wpal('train', '--data', 'sst2', '--limit', '2000', '--epochs', '1', '--buckets', '2048', '--seq', '24', '-o', dense, '--json');
  }, 60_000);

  it('train: a transformer by default for sst2, measured on the dev set, its text encoding in the metadata', () => {
    expect(trainRun.code, trainRun.err).toBe(0);
    const j = json(trainRun);
    expect(j['arch']).toBe('transformer');
    expect(j['examples']).toBe(872); // the whole dev set: --limit 2000 is more than its 872 sentences
    expect(j['accuracy']).toBeGreaterThan(0.5); // SST-2 dev: 51% positive
    const info = readModel(new Uint8Array(readFileSync(dense)));
    expect(info.inputs.map((i) => info.tensors[i]!.dtype)).toEqual(['int32']);
    expect(info.metadata.properties).toMatchObject({ seq: '24', buckets: '2048', dataset: 'sst2', optimizer: 'adamw' });
    expect(trainRun.err).toMatch(/epoch 1\/1 {2}loss \d\.\d{4} {2}train acc [\d.]+% {2}val acc [\d.]+% {2}[\d,]+ sentences\/s/);
  });

  it('compress: DKM with a per-layer setting for the word table; eval and verify re-measure the file', async () => {
    const out = join(tmp, 'sst2.2bit.wpal');
    const r = await wpal('compress', dense, '--data', 'sst2', '--limit', '2000', '--bits', '2', '--layer', 'embeddings.word_embeddings:bits=1', '--distill', '-o', out, '--json');
    expect(r.code, r.err).toBe(0);
    const j = json(r);
    const byName = Object.fromEntries((j['layers'] as Array<{ name: string; bits: number }>).map((l) => [l.name, l.bits]));
    expect(byName['embeddings.word_embeddings.weight']).toBe(1);
    expect(byName['classifier.weight']).toBe(2);
    expect(j['fileBytes']).toBeLessThan(statSync(dense).size / 8); // 1-bit table, 2-bit layers, float32 norms and biases
    const ev = json(await wpal('eval', out, '--json'));
    expect(ev).toMatchObject({ dataset: 'sst2', examples: 872, accuracy: j['accuracy'] });
    const v = await wpal('verify', out, '--max-size', `${j['fileBytes']}B`, '--min-accuracy', '0.5');
    expect(v.code, v.out).toBe(0);
    expect(v.out).toMatch(/sst2 dev sentences, the full dev set/);
  }, 60_000);

  it('a text model on an image data set, an image arch or --shift on sst2: usage errors (exit 2)', async () => {
    const cases: [string[], string][] = [
      [['compress', dense, '--data', 'mnist'], 'takes token ids: compress it on sst2'],
      [['train', '--data', 'sst2', '--arch', 'lenet5'], 'sst2 is text: use --arch transformer'],
      [['train', '--data', 'mnist', '--seq', '16'], '--seq is an option of --arch transformer'],
      [['train', '--data', 'mnist', '--pool', 'max'], '--pool is an option of --arch transformer'],
      [['train', '--data', 'sst2', '--pool', 'sum'], '--pool: "sum" is not one of mean, max'],
      [['train', '--data', 'sst2', '--shift', '1'], '--shift: random shifts apply to images'],
      [['compress', dense, '--data', 'sst2', '--shift', '2'], '--shift: random shifts apply to images'],
    ];
    for (const [args, message] of cases) {
      const r = await wpal(...args, '-o', join(tmp, 'never.wpal'));
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toContain(message);
    }
  });
});

describe('dist/cli/main.js', () => {
  const bin = resolve('dist/cli/main.js');
  // Built by `npm run build`; this test does not build it.
  it.skipIf(!existsSync(bin))('runs as a program: shebang, executable, --help (skipped when dist/ is not built)', () => {
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: wpal <command>');
    const u = spawnSync(process.execPath, [bin, 'bogus'], { encoding: 'utf8' });
    expect(u.status).toBe(2);
    expect(u.stderr).toContain('unknown command "bogus"');
  });
});
