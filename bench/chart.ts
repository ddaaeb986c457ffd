/**
 * Renders the model bench (bench/models.bench.ts) as markdown tables and two charts in
 * hand-written SVG (no dependencies): docs/bench-models.md, docs/bench-models.svg (grouped bars, speed
 * vs onnxruntime-web dense, one thread) and docs/bench-models-pareto.svg (speed against file size per
 * architecture at the largest thread count: smaller and faster is up and to the left).
 *
 *   npx tsx bench/chart.ts [bench/results/models-<stamp>.json] [name]   re-render docs from a results file
 *        (default: models-latest.json) as docs/<name>.md, .svg and -pareto.svg (default name: bench-models;
 *        give another for a partial run, so the full run's docs stay)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ArchResult, ModelRow, ModelsReport } from './models.bench.js';
import { paretoSvg } from './pareto.js';

const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));
const fmtX = (x: number) => `${x.toFixed(2)}x`;
function fmtBytes(b: number): string {
  if (b >= 1e6) return `${(b / 1e6).toFixed(b >= 1e8 ? 0 : 1)} MB`;
  if (b >= 1e3) return `${(b / 1e3).toFixed(0)} kB`;
  return `${b} B`;
}

const threadsOf = (r: ModelRow) => r.threads ?? 1;
const oneThread = (r: ModelRow) => threadsOf(r) === 1;

const rowLabel = (r: ModelRow) => (r.runtime === 'wasm-palette' ? `wasm-palette ${r.config}` : `${r.runtime} ${r.config}`);

/** wasm-palette configs in the order they appear, across architectures. */
function configsOf(report: ModelsReport): string[] {
  const seen: string[] = [];
  for (const a of report.archs) for (const r of a.rows) if (r.runtime === 'wasm-palette' && !seen.includes(r.config)) seen.push(r.config);
  return seen;
}

/** onnxruntime-web files in the order they appear, across architectures (dense first). */
function ortConfigsOf(report: ModelsReport): string[] {
  const seen: string[] = [];
  for (const a of report.archs) for (const r of a.rows) if (r.runtime === 'onnxruntime-web' && !seen.includes(r.config)) seen.push(r.config);
  return seen;
}

const isOrtDense = (r: ModelRow) => r.runtime === 'onnxruntime-web' && r.config === 'dense f32';

/** The long table: one row per runtime / weights, per architecture. */
export function detailTable(report: ModelsReport): string {
  const head = '| architecture | runtime | weights | threads | ms (median) | ms (min; IQR) | vs ORT dense | vs ORT int8 | vs 1 thread | file | vs dense f32 file | output error (rel. RMS) | samples |';
  const sep = '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = [head, sep];
  for (const a of report.archs) {
    for (const r of a.rows) {
      const file = r.fileBytes === undefined ? '–' : `${fmtBytes(r.fileBytes)}${r.runtime === 'onnxruntime-web' ? ' (.onnx)' : ''}`;
      const ratio = r.vsDenseBytes === undefined ? '–' : r.vsDenseBytes.toFixed(3);
      const ref = r.refOps?.length ? ` (${r.refOps.length} op(s) on \`__ref\`)` : '';
      const spread = r.minMs === undefined ? '–' : `${fmtMs(r.minMs)}; ${fmtMs(r.q1Ms)}–${fmtMs(r.q3Ms)}`;
      const vs1 = r.vsOneThread === undefined ? '–' : fmtX(r.vsOneThread);
      const vs8 = r.vsOrtInt8 === undefined ? '–' : `${fmtX(r.vsOrtInt8)} (file ${r.vsOrtInt8Bytes!.toFixed(2)}x)`;
      const err = r.relRms === undefined ? '–' : r.relRms.toExponential(1);
      lines.push(
        `| ${a.label} | ${r.runtime} | ${r.config}${ref} | ${threadsOf(r)} | ${fmtMs(r.medianMs)} | ${spread} | ${fmtX(r.vsOrt)} | ${vs8} | ${vs1} | ${file} | ${ratio} | ${err} | ` +
          `${r.samples}${r.callsPerSample > 1 ? ` x${r.callsPerSample}` : ''} |`,
      );
    }
    for (const s of a.skipped) {
      const [rt, cfg] = s.config.startsWith('onnxruntime-web ') ? ['onnxruntime-web', s.config.slice(16)] : ['wasm-palette', s.config];
      lines.push(`| ${a.label} | ${rt} | ${cfg} | – | skipped | – | – | – | – | – | – | – | – |`);
    }
  }
  return lines.join('\n');
}

/** The compact table: ms (ratio vs ORT dense) per architecture and runtime / setting, one thread. */
export function summaryTable(report: ModelsReport): string {
  const cfgs = configsOf(report);
  const orts = ortConfigsOf(report);
  const head = `| architecture | params | ${orts.map((c) => `ORT ${c === 'dense f32' ? 'dense' : c}`).join(' | ')} | tfjs dense | ${cfgs.map((c) => `wpal ${c}`).join(' | ')} |`;
  const sep = `|---|---:|${orts.map(() => '---:').join('|')}|---:|${cfgs.map(() => '---:').join('|')}|`;
  const cell = (r: ModelRow | undefined) => (r ? `${fmtMs(r.medianMs)} ms (${fmtX(r.vsOrt)})` : '–');
  const lines = [head, sep];
  for (const a of report.archs) {
    const find = (rt: ModelRow['runtime'], c: string) => a.rows.find((r) => r.runtime === rt && r.config === c && oneThread(r));
    lines.push(
      `| ${a.label} | ${(a.params / 1e6).toFixed(2)}M | ${orts.map((c) => cell(find('onnxruntime-web', c))).join(' | ')} | ${cell(find('tfjs-wasm', 'dense f32'))} | ` +
        `${cfgs.map((c) => cell(find('wasm-palette', c))).join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** File sizes of the .wpal files per setting, and their ratio to the dense f32 file. */
export function sizeTable(report: ModelsReport): string {
  const cfgs = configsOf(report);
  const head = `| architecture | ${cfgs.join(' | ')} |`;
  const sep = `|---|${cfgs.map(() => '---:').join('|')}|`;
  const lines = [head, sep];
  for (const a of report.archs) {
    const cells = cfgs.map((c) => {
      const r = a.rows.find((r) => r.runtime === 'wasm-palette' && r.config === c && oneThread(r));
      return r?.fileBytes === undefined ? '–' : `${fmtBytes(r.fileBytes)} (${r.vsDenseBytes!.toFixed(3)})`;
    });
    lines.push(`| ${a.label} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Thread counts in the report besides 1. */
function moreThreads(report: ModelsReport): number[] {
  return (report.threads ?? [1]).filter((t) => t !== 1);
}

/**
 * One row per runtime and weights: ms at each thread count, the speedup over one thread, the
 * ratio to onnxruntime-web dense at the same thread count, and the file.
 */
export function threadsTable(report: ModelsReport): string {
  const counts = report.threads ?? [1];
  const more = moreThreads(report);
  const head =
    `| architecture | runtime | weights | file | ${counts.map((t) => `${t} thread${t > 1 ? 's' : ''} ms (vs ORT dense; int8)`).join(' | ')} | ` +
    `${more.map((t) => `${t} vs 1 thread`).join(' | ')} |`;
  const sep = `|---|---|---|---:|${counts.map(() => '---:').join('|')}|${more.map(() => '---:').join('|')}|`;
  const lines = [head, sep];
  for (const a of report.archs) {
    const seen = new Set<string>();
    for (const r of a.rows) {
      const key = `${r.runtime}|${r.config}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const at = (t: number) => a.rows.find((x) => x.runtime === r.runtime && x.config === r.config && threadsOf(x) === t);
      const file = r.fileBytes === undefined ? '–' : `${fmtBytes(r.fileBytes)}${r.runtime === 'onnxruntime-web' ? ' (.onnx)' : ''}`;
      const cells = counts.map((t) => {
        const x = at(t);
        return x ? `${fmtMs(x.medianMs)} (${fmtX(x.vsOrt)}${x.vsOrtInt8 === undefined ? '' : `; int8 ${fmtX(x.vsOrtInt8)}`})` : '–';
      });
      const speed = more.map((t) => {
        const x = at(t);
        return x?.vsOneThread === undefined ? '–' : `**${fmtX(x.vsOneThread)}**`;
      });
      lines.push(`| ${a.label} | ${r.runtime} | ${r.config} | ${file} | ${cells.join(' | ')} | ${speed.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

export function targetsText(report: ModelsReport): string {
  const lines: string[] = [];
  for (const t of report.targets) {
    const stretch = t.target.startsWith('compressed') ? (t.ratio >= 1.5 ? ', stretch 1.5x met' : '') : '';
    const file = t.fileRatio === undefined ? '' : `, file ${t.fileRatio.toFixed(2)}x`;
    lines.push(`- ${t.met ? 'MET ' : 'MISS'} ${t.arch}, ${t.config}: ${fmtX(t.ratio)}${file} (${t.target}${stretch})`);
  }
  return lines.join('\n');
}

export function refOpsText(report: ModelsReport): string {
  const lines: string[] = [];
  for (const a of report.archs) {
    for (const r of a.rows) if (r.refOps?.length) lines.push(`- ${a.label}, ${r.config}: ${r.refOps.join('; ')}`);
  }
  return lines.length ? lines.join('\n') : '- none: every op of every model ran on a SIMD kernel';
}

export function modelsMarkdown(report: ModelsReport, svgName = 'bench-models.svg', paretoName = 'bench-models-pareto.svg', pareto1Name?: string): string {
  const skipped = new Map<string, string>();
  for (const a of report.archs) for (const s of a.skipped) skipped.set(s.config, skipped.has(s.config) ? skipped.get(s.config)!.replace(/^\((.*?)\) /, `($1, ${a.label}) `) : `(${a.label}) ${s.reason}`);
  const notes = report.archs.filter((a) => a.note).map((a) => `- ${a.label}: ${a.note}`);
  return [
    '# End-to-end model benchmark',
    '',
    `Generated by \`${report.command ?? 'npm run bench -- --models'}\` (bench/models.bench.ts) on ${report.when}: node ${report.node}, ${report.cpu} x${report.cpus}, ` +
      `onnxruntime-web ${report.versions.onnxruntimeWeb}, @tensorflow/tfjs-core + tfjs-backend-wasm ${report.versions.tfjs}${report.quick ? ' (**quick smoke run**)' : ''}.` +
      (report.loadAvg
        ? ` Load average (1 min) at the start and end of the run: ${report.loadAvg.map((l) => l.toFixed(1)).join(' and ')} on ${report.cpus} cores` +
          `${Math.max(...report.loadAvg) > report.cpus / 2 ? ' (**a busy machine: ratios are noisy, 2-thread figures most**)' : ''}.`
        : ''),
    '',
    `Method: ${report.method}`,
    '',
    'Weights are random (seeded He-normal, BN folded); the compressed settings are k-means palettes with one palette per tensor. ' +
      'The block-sparse setting drops the 50% of 16x1 blocks ([rows, cols] of the [O, K] weight view) with the smallest L2 norm in every conv and fc weight, ' +
      'on top of the 4-bit palette; depthwise convs and embedding tables stay 4-bit palettized only (the runtime has no block-sparse kernel for them), ' +
      'and weights with fewer than 16 rows (the 10-class LeNet classifiers) get a clamped 10x1 block. ' +
      '"vs ORT dense" = onnxruntime-web dense ms / ms (> 1 = faster than onnxruntime).',
    '',
    'onnxruntime-web files: "dense f32" is exportOnnx of the dense weights; the others are what onnxruntime\'s Python quantization tools ' +
      'make of that file with their default settings, written by the same exporter in TypeScript (`exportOnnx(model, { quantize })`, ' +
      'src/onnx/quantize.ts; no Python or PyPI on these machines). "int8 dynamic" = `quantize_dynamic(model_in, model_out)`: ' +
      'per_channel=False, reduce_range=False, weight_type=QInt8 (symmetric, one scale per tensor, zero point 0, values in [-127, 127]), ' +
      'activations uint8 from DynamicQuantizeLinear at run time, MatMulConstBOnly=True; Conv -> ConvInteger + Cast + Mul (+ bias Add), ' +
      'MatMul with a constant B -> MatMulInteger + Cast + Mul, Gather tables uint8 + DequantizeLinear, and Gemm left float32 (it is not in ' +
      'the tool\'s IntegerOps registry, so a classifier head exported as Gemm stays float, and LeNet-300-100, all Gemm, is unchanged). ' +
      '"int8 dynamic, u8 weights" = the same call with weight_type=QUInt8 (asymmetric weights). "4-bit MatMulNBits" = `MatMul4BitsQuantizer` ' +
      '(block_size=128, is_symmetric=False, MatMul only): com.microsoft MatMulNBits with uint8 zero points. "vs ORT int8" = the faster ' +
      'of the two int8 files at the same thread count / ms; "output error" = relative RMS difference from wasm-palette dense on the bench input.',
    '',
    `![speed vs onnxruntime-web dense](${svgName})`,
    '',
    `![speed against file size](${paretoName})`,
    '',
    ...(pareto1Name ? [`![speed against file size, one thread](${pareto1Name})`, ''] : []),
    '## Latency, batch 1, one thread (ms, and speed vs onnxruntime-web dense)',
    '',
    summaryTable(report),
    '',
    ...(moreThreads(report).length
      ? [
          `## Threads: ${(report.threads ?? [1]).join(' and ')} (ms, speed vs onnxruntime-web dense at the same thread count, and speedup over one thread)`,
          '',
          'wasm-palette: `loadModel(file, { threads })`; onnxruntime-web: `env.wasm.numThreads`; TensorFlow.js runs on one thread. ' +
            "wasm-palette's outputs at every thread count are bit-identical to one thread (the bench checks).",
          '',
          threadsTable(report),
          '',
        ]
      : []),
    '## .wpal file sizes (and ratio to the dense float32 file)',
    '',
    sizeTable(report),
    '',
    '## All rows',
    '',
    detailTable(report),
    '',
    '## Targets (reported, not asserted)',
    '',
    targetsText(report),
    '',
    '## Ops on reference (`__ref`) kernels',
    '',
    refOpsText(report),
    ...(skipped.size ? ['', '## Skipped', '', ...[...skipped].map(([c, r]) => `- ${c}: ${r}`)] : []),
    ...(notes.length ? ['', '## Notes', '', ...notes] : []),
    '',
  ].join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Grouped bars: speed vs onnxruntime-web dense (1.0 line), per architecture. */
export function modelsSvg(report: ModelsReport): string {
  const series: Array<{ label: string; pick: (a: ArchResult) => ModelRow | undefined }> = [
    ...ortConfigsOf(report).filter((c) => c !== 'dense f32').map((c) => ({
      label: `onnxruntime-web ${c}`,
      pick: (a: ArchResult) => a.rows.find((r) => r.runtime === 'onnxruntime-web' && r.config === c && oneThread(r)),
    })),
    { label: 'tfjs-wasm dense', pick: (a) => a.rows.find((r) => r.runtime === 'tfjs-wasm') },
    ...configsOf(report).map((c) => ({
      label: `wasm-palette ${c}`,
      pick: (a: ArchResult) => a.rows.find((r) => r.runtime === 'wasm-palette' && r.config === c && oneThread(r)),
    })),
  ];
  const nOrt = series.length - 1 - configsOf(report).length;
  const ortColors = ['#f1948a', '#e74c3c', '#922b21'];
  const colors = [...ortColors.slice(0, nOrt), '#9e9e9e', '#1f4e79', '#2e86c1', '#76b7e5', '#e67e22', '#27ae60', '#8e44ad'];
  const W = 980;
  const H = 460;
  const m = { l: 56, r: 112, t: 78, b: 64 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const values = report.archs.flatMap((a) => series.map((s) => s.pick(a)?.vsOrt ?? 0));
  const top = Math.max(2, Math.ceil(Math.max(...values) * 2) / 2);
  const y = (v: number) => m.t + ph - (v / top) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${m.l}" y="22" font-size="15" font-weight="bold">Batch-1 latency, one thread: speed vs onnxruntime-web dense f32 (higher is faster)</text>`);
  // Legend.
  const legendW = pw / Math.min(series.length, 4);
  series.forEach((s, i) => {
    const lx = m.l + (i % 4) * legendW;
    const ly = 38 + Math.floor(i / 4) * 17;
    out.push(`<rect x="${lx}" y="${ly}" width="11" height="11" fill="${colors[i % colors.length]}"/>`);
    out.push(`<text x="${lx + 16}" y="${ly + 10}">${esc(s.label)}</text>`);
  });
  // Grid and y axis.
  for (let v = 0; v <= top + 1e-9; v += 0.5) {
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(1)}x</text>`);
  }
  out.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + ph}" stroke="#333"/>`);
  // Bars.
  const gw = pw / Math.max(1, report.archs.length);
  const bw = Math.min(28, (gw * 0.82) / series.length);
  report.archs.forEach((a, gi) => {
    const gx = m.l + gi * gw + (gw - bw * series.length) / 2;
    series.forEach((s, si) => {
      const r = s.pick(a);
      if (!r) return;
      const x = gx + si * bw;
      const h = m.t + ph - y(r.vsOrt);
      out.push(
        `<rect x="${x.toFixed(1)}" y="${y(r.vsOrt).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[si % colors.length]}">` +
          `<title>${esc(`${a.label}, ${s.label}: ${fmtMs(r.medianMs)} ms, ${fmtX(r.vsOrt)}`)}</title></rect>`,
      );
      out.push(`<text x="${(x + (bw - 2) / 2).toFixed(1)}" y="${(y(r.vsOrt) - 3).toFixed(1)}" text-anchor="middle" font-size="9">${r.vsOrt.toFixed(2)}</text>`);
    });
    const ort = a.rows.find((r) => isOrtDense(r) && oneThread(r));
    const cx = m.l + gi * gw + gw / 2;
    out.push(`<text x="${cx.toFixed(1)}" y="${m.t + ph + 18}" text-anchor="middle" font-weight="bold">${esc(a.label)}</text>`);
    if (ort) out.push(`<text x="${cx.toFixed(1)}" y="${m.t + ph + 34}" text-anchor="middle" fill="#555">ORT ${fmtMs(ort.medianMs)} ms</text>`);
  });
  // Reference lines: ORT dense = 1.0, stretch 1.5.
  out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(1).toFixed(1)}" y2="${y(1).toFixed(1)}" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="6 4"/>`);
  out.push(`<text x="${W - m.r + 6}" y="${(y(1) - 2).toFixed(1)}" fill="#c0392b">onnxruntime-web</text>`);
  out.push(`<text x="${W - m.r + 6}" y="${(y(1) + 12).toFixed(1)}" fill="#c0392b">dense = 1.0x</text>`);
  out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(1.5).toFixed(1)}" y2="${y(1.5).toFixed(1)}" stroke="#c0392b" stroke-width="1" stroke-dasharray="2 4"/>`);
  out.push(`<text x="${W - m.r + 6}" y="${(y(1.5) + 4).toFixed(1)}" fill="#c0392b">stretch 1.5x</text>`);
  out.push(
    `<text x="${m.l}" y="${H - 10}" fill="#555" font-size="11">${esc(`${report.when.slice(0, 10)}, node ${report.node}, ${report.cpu}; onnxruntime-web ${report.versions.onnxruntimeWeb}, tfjs ${report.versions.tfjs}${report.quick ? ' (quick run)' : ''}`)}</text>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Writes docs/<name>.md, docs/<name>.svg and docs/<name>-pareto.svg (default name: bench-models). */
export function writeModelDocs(report: ModelsReport, name = 'bench-models'): string[] {
  const docs = new URL('../docs/', import.meta.url);
  mkdirSync(docs, { recursive: true });
  writeFileSync(new URL(`${name}.svg`, docs), modelsSvg(report));
  writeFileSync(new URL(`${name}-pareto.svg`, docs), paretoSvg(report));
  const files = [`docs/${name}.md`, `docs/${name}.svg`, `docs/${name}-pareto.svg`];
  if (moreThreads(report).length) {
    writeFileSync(new URL(`${name}-pareto-1t.svg`, docs), paretoSvg(report, 1));
    files.push(`docs/${name}-pareto-1t.svg`);
  }
  writeFileSync(new URL(`${name}.md`, docs), modelsMarkdown(report, `${name}.svg`, `${name}-pareto.svg`, moreThreads(report).length ? `${name}-pareto-1t.svg` : undefined));
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const file = process.argv[2] ?? fileURLToPath(new URL('./results/models-latest.json', import.meta.url));
  const report = JSON.parse(readFileSync(file, 'utf8')) as ModelsReport;
  console.log(`wrote ${writeModelDocs(report, process.argv[3]).join(' and ')} from ${file}`);
}
