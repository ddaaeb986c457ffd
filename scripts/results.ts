/**
 * The README's results table, produced by the `wpal` commands themselves: every row is a
 * `wpal train` or `wpal compress` run (timed, wall clock) followed by `wpal eval` on the written
 * file (full test set, through the runtime). Records go to build/results/results.jsonl (one JSON
 * line per run; a run whose file and record exist is not repeated unless --force), then the table
 * is written to docs/results-table.md and between the `results:begin` / `results:end` markers of
 * README.md.
 *
 *   npm run build:ts && npx tsx scripts/results.ts            # all rows (~40 min on a 2-core VM)
 *   npx tsx scripts/results.ts --only mnist-lenet5            # rows whose id starts with a prefix
 *   npx tsx scripts/results.ts --seeds 1,2,3                  # the headline rows' chains also at seeds 2, 3 (mean +- sd)
 *   npx tsx scripts/results.ts --table                        # re-render from the records only
 *
 * The CLI runs as a user runs it (`node dist/cli/main.js`, what `npx wpal` starts), so build it first.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadModel } from '../src/runtime/load.js';

const OUT = 'build/results';
const CLI = process.env['WPAL_CLI'] ?? 'dist/cli/main.js';
const argv = process.argv.slice(2);
const flag = (n: string) => argv.includes(`--${n}`);
const opt = (n: string) => (argv.indexOf(`--${n}`) >= 0 ? argv[argv.indexOf(`--${n}`) + 1] : undefined);

interface Step {
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
const STEPS: Step[] = [
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
  { id: 'sst2-dense', data: 'SST-2', model: 'transformer', setting: 'dense float32, 2 epochs (AdamW 1e-3, word dropout 0.1, 65,536 buckets)', args: `train --data sst2 --arch transformer -o ${f('sst2.dense')}`, ref: 'sst2-dense', headline: 'SST-2 transformer dense' },
  ...[4, 2, 1].map((b) => ({ id: `sst2-${b}bit`, data: 'SST-2', model: 'transformer', setting: `DKM ${b}-bit, every weight matrix and the word table, 1 epoch, distilled`, args: `compress ${f('sst2.dense')} --data sst2 --bits ${b} --distill -o ${f(`sst2.${b}bit`)}`, ref: 'sst2-dense' })),
  { id: 'sst2-mixed', data: 'SST-2', model: 'transformer', setting: 'word table 2-bit, other weights 4-bit, 1 epoch, distilled', args: `compress ${f('sst2.dense')} --data sst2 --bits 4 --layer embeddings.word_embeddings:bits=2 --distill -o ${f('sst2.mixed')}`, ref: 'sst2-dense' },
  { id: 'sst2-ratio12', data: 'SST-2', model: 'transformer', setting: 'ratio 12 (bits + sparsity chosen per layer), 1 epoch, distilled', args: `compress ${f('sst2.dense')} --data sst2 --ratio 12 --distill -o ${f('sst2.12x')}`, ref: 'sst2-dense', headline: 'SST-2 transformer at 12x' },
];

interface Record_ {
  id: string;
  command: string;
  file: string;
  seconds: number;
  accuracy: number;
  correct: number;
  examples: number;
  fileBytes: number;
  denseF32Bytes: number;
  at: string;
  /** git HEAD of the code that ran (the CLI is built from the working tree). */
  commit: string;
}

const recordsPath = `${OUT}/results.jsonl`;
function readRecords(): Map<string, Record_> {
  const m = new Map<string, Record_>();
  if (!existsSync(recordsPath)) return m;
  for (const line of readFileSync(recordsPath, 'utf8').split('\n')) if (line.startsWith('{')) { const r = JSON.parse(line) as Record_; m.set(r.id, r); }
  return m;
}

function splitArgs(s: string): string[] {
  return s.split(' ').map((a) => a.replace(/^@/, OUT));
}

function wpal(args: string[], log: string): { stdout: string; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - t0) / 1000;
  appendFileSync(log, `$ wpal ${args.join(' ')}\n${r.stderr}${r.stdout}\n(exit ${r.status}, ${seconds.toFixed(1)} s)\n\n`);
  if (r.status !== 0) throw new Error(`wpal ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr.split('\n').slice(-8).join('\n')}`);
  return { stdout: r.stdout, seconds };
}

async function denseBytesOf(file: string): Promise<number> {
  const m = await loadModel(new Uint8Array(readFileSync(file)));
  const b = m.sizeReport().denseF32Bytes;
  m.dispose();
  return b;
}

const COMMIT = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || 'unknown';

const shown = (args: string) => `npx wpal ${args.replace(/@\//g, '').replace(/(--layer )(\S+)/, '$1"$2"')}`;

/** Files a step reads (`@/x.wpal` arguments other than its -o). */
const inputsOf = (s: Step) => s.args.split(' ').filter((a, i, all) => a.startsWith('@/') && all[i - 1] !== '-o');
const outputOf = (s: Step) => s.args.split(' ').find((a, i, all) => all[i - 1] === '-o')!;

/** A step and every step whose file it reads (transitively), in table order. */
function chainOf(h: Step): Step[] {
  const want = new Set([h.id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of STEPS) {
      if (!want.has(s.id)) continue;
      for (const file of inputsOf(s)) {
        const maker = STEPS.find((x) => outputOf(x) === file);
        if (maker && !want.has(maker.id)) { want.add(maker.id); grew = true; }
      }
    }
  }
  return STEPS.filter((s) => want.has(s.id));
}

const sharedFiles = new Set(STEPS.filter((s) => s.shared).map(outputOf));

/**
 * Seed 1 is the commands' default: the step as written. Other seeds: `--seed N` on the command,
 * files suffixed `.sN` (a shared step's file is read as it is: the dense LeNet-5 every MNIST chain starts from).
 */
function seeded(s: Step, seed: number): Step {
  if (seed === 1 || s.shared) return s;
  const args = s.args.replace(/@\/(\S+)\.wpal/g, (f, name: string) => (sharedFiles.has(f) ? f : `@/${name}.s${seed}.wpal`)) + ` --seed ${seed}`;
  const ref = STEPS.find((x) => x.id === s.ref)!;
  return { ...s, id: `${s.id}@s${seed}`, args, ref: ref.shared ? s.ref : `${s.ref}@s${seed}` };
}

/** Headline rows, cheapest chain first, so a run cut short still has whole rows. */
const HEADLINE_ORDER = ['sst2-dense', 'sst2-ratio12', 'mnist-lenet300-pruned', 'mnist-lenet300-ratio60', 'mnist-lenet300-ratio60-pf', 'mnist-lenet5n-m42', 'mnist-lenet5-target8.6k'];

async function runSteps(): Promise<void> {
  if (!existsSync(CLI) && !flag('dry-run')) throw new Error(`${CLI} is missing: run npm run build:ts first`);
  mkdirSync(OUT, { recursive: true });
  const only = opt('only');
  const seeds = (opt('seeds') ?? '1').split(',').map(Number);
  const records = readRecords();
  // Seed 1 of the headline chain first, then its other seeds, then the rest of the table.
  // Every headline row at every seed (its chain), row by row; then the rest of the table at seed 1.
  const headlines = HEADLINE_ORDER.map((id) => STEPS.find((s) => s.id === id)!);
  const seen = new Set<string>();
  const plan: Step[] = [];
  for (const s of [...headlines.flatMap((h) => seeds.flatMap((seed) => chainOf(h).map((c) => seeded(c, seed)))), ...(seeds.includes(1) ? STEPS : [])]) {
    if (!seen.has(s.id)) { seen.add(s.id); plan.push(s); }
  }
  for (const s of plan) {
    if (only && !only.split(',').some((p) => s.id.startsWith(p))) continue;
    const args = splitArgs(s.args);
    if (flag('dry-run')) { console.log(`${s.id}: wpal ${args.join(' ')}`); continue; }
    const file = args[args.indexOf('-o') + 1];
    if (!flag('force') && records.has(s.id) && existsSync(file)) continue;
    const data = args[args.indexOf('--data') + 1];
    console.error(`[${new Date().toISOString().slice(11, 19)}] ${s.id}: wpal ${args.join(' ')}`);
    let run;
    try {
      run = wpal([...args, '--json'], `${OUT}/${s.id}.log`);
    } catch (e) {
      console.error(`  FAILED: ${(e as Error).message}`);
      continue;
    }
    const ev = JSON.parse(wpal(['eval', file, '--data', data, '--json'], `${OUT}/${s.id}.log`).stdout) as { accuracy: number; correct: number; examples: number };
    const refFile = splitArgs(outputOf(plan.find((x) => x.id === s.ref)!))[0]!;
    const rec: Record_ = {
      id: s.id, command: shown(s.args), file, seconds: Number(run.seconds.toFixed(1)), accuracy: ev.accuracy, correct: ev.correct, examples: ev.examples,
      fileBytes: readFileSync(file).length, denseF32Bytes: await denseBytesOf(refFile), at: new Date().toISOString(), commit: COMMIT,
    };
    appendFileSync(recordsPath, JSON.stringify(rec) + '\n');
    records.set(s.id, rec);
    console.error(`  ${(rec.accuracy * 100).toFixed(2)}%  ${rec.fileBytes.toLocaleString('en-US')} B  ${(rec.denseF32Bytes / rec.fileBytes).toFixed(1)}x  ${rec.seconds} s`);
  }
}

function minutes(s: number): string {
  return s < 90 ? `${Math.round(s)} s` : `${(s / 60).toFixed(1)} min`;
}

/**
 * Rows of the table as last written (docs/results-table.md), by command: a row this run has no record
 * for keeps its earlier figures, marked as such, rather than vanishing (records live in build/, which
 * a fresh machine does not have).
 */
function previousRows(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!existsSync('docs/results-table.md')) return out;
  for (const line of readFileSync('docs/results-table.md', 'utf8').split('\n')) {
    const m = /`(npx wpal [^`]+)`/.exec(line);
    if (line.startsWith('| ') && m) out.set(m[1]!, line.slice(2, -2).split(' | '));
  }
  return out;
}

function renderTable(): string {
  const records = readRecords();
  const previous = previousRows();
  const rows = [
    '| data | model | setting | accuracy | file (whole) | ratio | wall time | run | command |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of STEPS) {
    const r = records.get(s.id);
    if (!r) {
      const old = previous.get(shown(s.args));
      // an earlier table's row: its first 7 columns, then when it ran
      if (old) rows.push(`| ${old.slice(0, 7).join(' | ')} | ${old.length === 9 ? old[7] : 'earlier session (no validation split)'} | \`${shown(s.args)}\` |`);
      continue;
    }
    const ratio = r.denseF32Bytes / r.fileBytes;
    rows.push(
      `| ${s.data} | ${s.model} | ${s.setting} | ${(r.accuracy * 100).toFixed(2)}% | ${r.fileBytes.toLocaleString('en-US')} B | ${ratio >= 100 ? ratio.toFixed(0) : ratio.toFixed(1)}x | ${minutes(r.seconds)} | ${r.at.slice(0, 10)}, ${r.commit} | \`${r.command}\` |`,
    );
  }
  return rows.join('\n');
}

const meanSd = (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)) : NaN;
  return { m, sd };
};

/** The headline rows over the seeds recorded (seed 1 = the plain step): accuracy mean +- sample sd, sizes as a range. */
function renderHeadline(): string | undefined {
  const records = readRecords();
  const rows = [
    '| row | seeds | accuracy, mean +- sd | each seed | file (whole) | ratio | command (seed 1; others add --seed N to every command of the chain) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of STEPS.filter((x) => x.headline)) {
    const rs = [1, 2, 3].map((seed) => records.get(seeded(s, seed).id)).filter((r): r is Record_ => r !== undefined);
    if (rs.length < 2) continue;
    const acc = meanSd(rs.map((r) => r.accuracy * 100));
    const bytes = rs.map((r) => r.fileBytes);
    const ratios = rs.map((r) => r.denseF32Bytes / r.fileBytes);
    const range = (v: number[], f: (x: number) => string) => (f(Math.min(...v)) === f(Math.max(...v)) ? f(v[0]!) : `${f(Math.min(...v))}-${f(Math.max(...v))}`);
    rows.push(
      `| ${s.headline} | ${rs.length} | **${acc.m.toFixed(2)} +- ${acc.sd.toFixed(2)}%** | ${rs.map((r) => (r.accuracy * 100).toFixed(2)).join(', ')} | ${range(bytes, (b) => `${b.toLocaleString('en-US')} B`)} | ${range(ratios, (x) => `${x.toFixed(x >= 100 ? 0 : 1)}x`)} | \`${s.id.startsWith('sst2-dense') ? rs[0]!.command : rs[0]!.command}\` |`,
    );
  }
  return rows.length > 2 ? rows.join('\n') : undefined;
}

function writeTable(): void {
  const headline = renderHeadline();
  const table = (headline ? `Headline rows over seeds 1-3 (each seed re-runs the row's whole chain, dense training and compression; the MNIST rows all start from, or distill from, the one dense LeNet-5 of the first row):\n\n${headline}\n\nEvery row, seed 1:\n\n` : '') + renderTable();
  const note =
    'Produced by `npx tsx scripts/results.ts` (each row: the `wpal` command shown, timed wall clock on a shared 2-core VM, ' +
    'then `wpal eval` on the written file: accuracy through the runtime on the full test set; for SST-2 the full 872-sentence dev set, as its test.tsv has no labels). ' +
    'The dense rows\' times include evaluation after every epoch. Ratio = dense float32 bytes of the ' +
    'full-size model\'s weights / the whole .wpal file (graph and metadata included). "run" says when and at which commit a row ran; ' +
    'rows of an earlier session (before training carved a validation split, so their dense models trained on all 60,000 images) keep their figures until re-run. ' +
    'Settings chosen from data are chosen on the validation split (the best epoch of each stage, the layers\' sensitivity behind a target size); the test split only measures.';
  writeFileSync('docs/results-table.md', `# Results table (generated)\n\n${note}\n\n${table}\n`);
  const readme = readFileSync('README.md', 'utf8');
  const begin = '<!-- results:begin -->', end = '<!-- results:end -->';
  const a = readme.indexOf(begin), b = readme.indexOf(end);
  if (a >= 0 && b > a) writeFileSync('README.md', `${readme.slice(0, a + begin.length)}\n${note}\n\n${table}\n${readme.slice(b)}`);
  else console.error('README.md has no results:begin/end markers; wrote docs/results-table.md only');
  console.log(table);
}

if (!flag('table')) await runSteps();
if (!flag('dry-run')) writeTable();
