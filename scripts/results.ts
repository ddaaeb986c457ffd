/**
 * The README's results table. Every row is a `wpal train` or `wpal compress` command, run in this
 * process through the library: the CLI's parser turns the command into a request (trainRequest /
 * compressRequest: the same checks, data and options the command line gets), the library's train()
 * or compress() runs it (timed, wall clock), and the written file is measured through the runtime
 * on the full test set (as `wpal eval`). Records go to build/results/results.jsonl (one JSON
 * line per run; a run whose file and record exist is not repeated unless --force), then the table
 * is written to docs/results-table.md and between the `results:begin` / `results:end` markers of
 * README.md.
 *
 *   npx tsx scripts/results.ts                                # all rows (~40 min on a 2-core VM)
 *   npx tsx scripts/results.ts --only mnist-lenet5            # rows whose id starts with a prefix
 *   npx tsx scripts/results.ts --seeds 1,2,3                  # the headline rows' chains also at seeds 2, 3 (mean +- sd)
 *   npx tsx scripts/results.ts --table                        # re-render from the records only
 *
 * Each row's progress goes to build/results/<id>.log.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadModel } from '../src/runtime/load.js';
import { compress, train } from '../src/trainer/index.js';
import { loadDataForModel } from '../src/trainer/data/for-model.js';
import { accuracyOf } from '../src/trainer/measure.js';
import { parseArgs } from '../src/cli/util/args.js';
import { compressRequest, spec as compressSpec } from '../src/cli/compress.js';
import { trainRequest, spec as trainSpec } from '../src/cli/train.js';

const OUT = 'build/results';
const argv = process.argv.slice(2);
const flag = (n: string) => argv.includes(`--${n}`);
const opt = (n: string) => (argv.indexOf(`--${n}`) >= 0 ? argv[argv.indexOf(`--${n}`) + 1] : undefined);

import { STEPS, type Step } from './results-steps.js';

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

/**
 * Runs `wpal train|compress ARGS` through the library: the CLI's request (parsing, checks, data), then
 * train() / compress(); writes the file and returns the wall time of the library call.
 */
async function runCommand(args: string[], log: string): Promise<{ file: string; seconds: number }> {
  const [command, ...rest] = args;
  const say = (line: string) => appendFileSync(log, `${line}\n`);
  say(`$ wpal ${args.join(' ')}`);
  const t0 = performance.now();
  let out: { file: string; bytes: Uint8Array };
  if (command === 'train') {
    const req = trainRequest(parseArgs(rest, trainSpec).options);
    const { bytes } = await train(req.splits, { ...req.options, onEpoch: (h) => say(`epoch ${h.epoch}  loss ${h.loss.toFixed(4)}  train acc ${h.trainAccuracy.toFixed(4)}  val acc ${h.valAccuracy?.toFixed(4) ?? '-'}  ${h.seconds.toFixed(1)} s`) });
    out = { file: req.outFile, bytes };
  } else if (command === 'compress') {
    const parsed = parseArgs(rest, compressSpec);
    const req = compressRequest(parsed.options, parsed.positionals[0]!);
    const { bytes } = await compress(req.dense, req.splits, {
      ...req.options,
      onEvent: (e) => {
        if (e.kind === 'note') say(e.text);
        else if (e.kind === 'step' && e.progress.testAccuracy !== undefined) say(`${e.stage}epoch ${e.progress.epoch}/${e.progress.epochs}  loss ${e.progress.loss.toFixed(4)}  val acc ${e.progress.testAccuracy.toFixed(4)}`);
      },
    });
    out = { file: req.outFile, bytes };
  } else throw new Error(`results.ts runs train and compress commands, not ${command}`);
  const seconds = (performance.now() - t0) / 1000;
  writeFileSync(out.file, out.bytes);
  say(`wrote ${out.file} (${out.bytes.length} B) in ${seconds.toFixed(1)} s\n`);
  return { file: out.file, seconds };
}

/** Accuracy of the written file through the runtime on the full test split (what `wpal eval` measures). */
async function evaluate(file: string, data: string): Promise<{ accuracy: number; correct: number; examples: number }> {
  const model = await loadModel(new Uint8Array(readFileSync(file)));
  try {
    const test = loadDataForModel(model, { data, want: ['test'] }, file).test!;
    return accuracyOf(model, test);
  } finally {
    model.dispose();
  }
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
    let run, ev;
    try {
      run = await runCommand(args, `${OUT}/${s.id}.log`);
      ev = await evaluate(file, data);
    } catch (e) {
      console.error(`  FAILED: ${(e as Error).message}`);
      continue;
    }
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
    'Produced by `npx tsx scripts/results.ts` (each row: the `wpal` command shown, run through the library, timed wall clock on a shared 2-core VM, ' +
    'then the written file measured as `wpal eval` does: accuracy through the runtime on the full test set; for SST-2 the full 872-sentence dev set, as its test.tsv has no labels). ' +
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
