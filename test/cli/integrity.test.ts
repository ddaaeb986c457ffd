/**
 * The CLI never loses data and never passes a claim it did not check: outputs that are inputs are
 * refused before any work; outputs are written through a temporary file and a rename, and Ctrl-C
 * (SIGINT) at any moment leaves neither a partial file nor a damaged input; accuracy claims on a
 * subset are "not verified"; sizes that are not sizes are refused; a damaged file fails verify and
 * inspect; names from a file never send control characters to the terminal.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/util/io.js';
import { encodeDense, encodePalettized } from '../../src/encode/palette.js';
import { readModel } from '../../src/format/read.js';
import { ModelWriter } from '../../src/format/write.js';
import { buildLeNet300100 } from '../../src/models/lenet.js';
import { blobRanges } from '../format/helpers.js';
import { Rng } from '../util/rng.js';

async function wpal(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (s) => void out.push(s), err: (s) => void err.push(s), errIsTTY: false };
  const code = await main(argv, io);
  return { code, out: out.join(''), err: err.join('') };
}

const root = resolve(new URL('../..', import.meta.url).pathname);
const published = join(root, 'models', 'lenet5-mnist-400x.wpal');
const realDir = resolve(process.cwd(), '../shared/data');
const skipData = process.env['WPAL_SKIP_DATA'] === '1' && !existsSync(realDir) && !process.env['WPAL_DATA'];
const tmp = mkdtempSync(join(tmpdir(), 'wpal-integrity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Files in `dir` whose name says they are temporaries of writeOutput(). */
const temporaries = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('outputs are never inputs, and are checked before any work', () => {
  const dense = join(tmp, 'dense.wpal');
  writeFileSync(dense, buildLeNet300100({ weights: { seed: 1 } }).bytes);
  const original = readFileSync(dense);

  it('compress -o <its input> is refused at once, with a clear message; the input is untouched', async () => {
    for (const out of [dense, join(tmp, '.', 'dense.wpal')]) {
      const t0 = performance.now();
      const r = await wpal('compress', dense, '--data', 'mnist', '--bits', '2', '-o', out);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/-o .*dense\.wpal is the input file .*: the input would be overwritten; write the result to another file/);
      expect(performance.now() - t0).toBeLessThan(2000);
    }
    // A symlink to the input is the input too.
    const link = join(tmp, 'link.wpal');
    symlinkSync(dense, link);
    const r = await wpal('compress', dense, '--data', 'mnist', '-o', link);
    expect(r.code).toBe(2);
    expect(readFileSync(dense).equals(original)).toBe(true);
  });

  it('train --teacher X -o X is refused before training', async () => {
    const r = await wpal('train', '--data', 'mnist', '--arch', 'lenet5', '--teacher', dense, '-o', dense);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is the --teacher file/);
    expect(readFileSync(dense).equals(original)).toBe(true);
  });

  it('an output that is a directory, or in a missing folder, fails before the fine-tune', async () => {
    const dir = join(tmp, 'a-dir');
    mkdirSync(dir);
    for (const [out, msg] of [[dir, /cannot write .*a-dir: it is a directory/], [join(tmp, 'missing', 'x.wpal'), /the folder .*missing does not exist/]] as const) {
      const t0 = performance.now();
      const r = await wpal('compress', dense, '--data', 'mnist', '--bits', '2', '-o', out);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(msg);
      expect(r.err).not.toMatch(/epoch/);
      expect(performance.now() - t0).toBeLessThan(2000);
    }
  });
});

describe('claims are claims', () => {
  it('sizes that are not sizes: 300 digits, Infinity, 2^60 bytes -> usage error', async () => {
    for (const bad of ['9'.repeat(300), '9'.repeat(400), 'Infinity', `${2 ** 60}`, '9999999PiB']) {
      const r = await wpal('verify', published, '--data', 'mnist', '--max-size', bad);
      expect(r.code, bad).toBe(2);
      expect(r.err).toMatch(/--max-size: .*(too large to be a size|cannot read)/);
    }
    const big = await wpal('verify', published, '--limit', '1' + '0'.repeat(30));
    expect(big.code).toBe(2);
    expect(big.err).toMatch(/--limit: .* is too large/);
  });

  it.skipIf(skipData)('verify --limit 100 --min-accuracy 0.995 on the published LeNet-5 (99.03% in full) does not pass', async () => {
    const r = await wpal('verify', published, '--data', 'mnist', '--limit', '100', '--min-accuracy', '0.995');
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(/PASS/);
    expect(r.out).toMatch(/accuracy >= 99\.50% .*not verified: subset/);
    expect(r.out).toMatch(/^NOT VERIFIED: 1 of 1 claim measured on only 100 of 10000 images/m);
    const j = await wpal('verify', published, '--data', 'mnist', '--limit', '100', '--min-accuracy', '0.995', '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({ pass: false, fullTestSet: false, claims: [{ name: 'min-accuracy', pass: false, verified: false, status: 'not verified: subset' }] });
  });
});

describe('damaged files', () => {
  const good = readFileSync(published);
  const info = readModel(new Uint8Array(good));
  const fc1 = blobRanges(info).find((b) => b.what === 'fc1.weight.indices')!;
  const damaged = join(tmp, 'damaged.wpal');
  const bad = new Uint8Array(good);
  bad[fc1.offset + 7] ^= 1 << 3;
  writeFileSync(damaged, bad);

  it.skipIf(skipData)('verify fails a file whose checksum does not match, naming the tensor, before measuring', async () => {
    const r = await wpal('verify', damaged, '--data', 'mnist', '--min-accuracy', '0.99');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/checksum +MISMATCH: tensor fc1\.weight is damaged \(checksum mismatch\)/);
    expect(r.out).toMatch(/^FAIL: the file is damaged/m);
    const j = await wpal('verify', damaged, '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({ checksum: 'mismatch', damagedTensors: ['fc1.weight'], pass: false });
  });

  it('inspect and eval exit 1 on it, with the typed error; inspect says whether a file has a checksum', async () => {
    for (const cmd of ['inspect', 'eval']) {
      const r = await wpal(cmd, damaged, '--data', 'mnist');
      if (cmd === 'inspect') expect((await wpal('inspect', damaged)).code).toBe(1);
      expect(r.code).toBeGreaterThan(0);
    }
    const r = await wpal('inspect', damaged);
    expect(r.err).toBe(`wpal inspect: error: tensor fc1.weight is damaged (checksum mismatch)\n`);
    expect((await wpal('inspect', published)).out).toMatch(/^checksum: verified/m);
    const v10 = join(root, 'test', 'fixtures', 'format', 'v1.0', 'mlp.wpal');
    expect((await wpal('inspect', v10)).out).toMatch(/^no checksum \(format 1\.0; checksums came in 1\.2\)/m);
    expect(JSON.parse((await wpal('inspect', v10, '--json')).out)['checksum']).toBe('none');
  });
});

describe('names never reach the terminal raw', () => {
  it('inspect escapes control characters (ESC, CSI, BEL, newline) in tensor names and metadata', async () => {
    const rng = new Rng(1);
    const evil = 'fc1\u001b[2J\u001b]0;owned\u0007\n.weight\u009b31m';
    const w = new ModelWriter({ name: 'x\u001b[31mred', properties: { 'k\u001b': 'v\r\u0008' } });
    const x = w.input('input', [8]);
    const W = w.weight(evil, [4, 8], encodePalettized(rng.floats(32), 4, 8, { bits: 2 }));
    const b = w.weight('fc1.bias', [4], encodeDense(rng.floats(4)));
    w.output(w.op('FullyConnected', [x, W, b], { output: 'y' }));
    const file = join(tmp, 'evil.wpal');
    writeFileSync(file, w.finish());
    for (const args of [[], ['--json']]) {
      const r = await wpal('inspect', file, ...args);
      expect(r.code).toBe(0);
      // eslint-disable-next-line no-control-regex
      expect(r.out, args.join(' ')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    }
    expect((await wpal('inspect', file)).out).toContain('fc1\\u001b[2J\\u001b]0;owned\\u0007\\n.weight\\u009b31m');
  });
});

/** Runs a node child (TypeScript through tsx); resolves with its exit and output. */
function child(args: string[], onLine: (line: string, kill: () => void) => void): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
    let out = '';
    let err = '';
    const kill = () => p.kill('SIGINT');
    const feed = (chunk: Buffer, into: 'out' | 'err') => {
      const text = chunk.toString();
      if (into === 'out') out += text;
      else err += text;
      for (const line of text.split('\n')) if (line) onLine(line, kill);
    };
    p.stdout.on('data', (c: Buffer) => feed(c, 'out'));
    p.stderr.on('data', (c: Buffer) => feed(c, 'err'));
    p.on('exit', (code, signal) => res({ code, signal, out, err }));
  });
}

describe('Ctrl-C', () => {
  it('during the write of an output: the old file or the whole new one, never a partial one, no temporary left', async () => {
    // The signal is sent when the child says "writing"; on a loaded machine it can arrive after the
    // write has finished (then the run proves nothing about interruption). Retry with larger files
    // until one run is interrupted mid-write; every run must leave a whole file and no temporary.
    let interrupted = 0;
    for (let attempt = 0; attempt < 5 && interrupted === 0; attempt++) {
      const dir = join(tmp, `sigint-write-${attempt}`);
      mkdirSync(dir);
      const target = join(dir, 'out.wpal');
      writeFileSync(target, 'old contents');
      const mib = 48 << attempt;
      let sent = false;
      const r = await child([join(root, 'test', 'cli', 'write-output-child.ts'), target, String(mib)], (line, kill) => {
        if (line === 'writing' && !sent) {
          sent = true;
          kill();
        }
      });
      const why = JSON.stringify({ attempt, code: r.code, signal: r.signal, out: r.out, err: r.err.slice(0, 500) });
      expect(sent, why).toBe(true);
      const now = readFileSync(target);
      expect(now.length === 12 || (now.length === mib * 1024 * 1024 && now.every((b) => b === 0x5a)), `${now.length} bytes; ${why}`).toBe(true);
      expect(temporaries(dir)).toEqual([]);
      rmSync(dir, { recursive: true, force: true });
      if (r.out.includes('done')) {
        expect(r.code, why).toBe(0); // the signal came after the write: a normal run
        continue;
      }
      // Interrupted: it ends as Ctrl-C ends a program (the write itself completed or never started).
      expect(r.signal === 'SIGINT' || r.code === 130, why).toBe(true);
      interrupted++;
    }
    expect(interrupted).toBe(1);
  }, 120_000);

  it.skipIf(skipData)('during compress: no output, no temporary, the input unchanged', async () => {
    const dir = join(tmp, 'sigint-compress');
    mkdirSync(dir);
    const input = join(dir, 'dense.wpal');
    copyFileSync(join(tmp, 'dense.wpal'), input);
    const before = readFileSync(input);
    const out = join(dir, 'out.wpal');
    let sent = false;
    const r = await child([join(root, 'src', 'cli', 'main.ts'), 'compress', input, '--data', 'mnist', '--limit', '3000', '--epochs', '50', '--bits', '2', '-o', out], (line, kill) => {
      if (/epoch 1\//.test(line) && !sent) {
        sent = true;
        kill();
      }
    });
    expect(sent, r.err).toBe(true);
    expect(r.signal === 'SIGINT' || r.code === 130).toBe(true);
    expect(existsSync(out)).toBe(false);
    expect(temporaries(dir)).toEqual([]);
    expect(readFileSync(input).equals(before)).toBe(true);
  }, 120_000);
});
