/**
 * Speed against file size, one panel per architecture (hand-written SVG, no dependencies):
 * docs/bench-models-pareto.svg. x = file bytes (log scale; smaller is left), y = speed vs
 * onnxruntime-web dense f32 at the same thread count (higher is faster), at one thread count (the
 * largest of the run by default; chart.ts also writes one thread). Each point is a runtime and a file; the line joins the points no other point
 * beats on both axes (the Pareto front: up and to the left is better).
 *
 * TensorFlow.js runs on one thread and has no file of its own here (it is fed the dense float32
 * values): it is drawn hollow at the dense float32 file's size, with its one-thread speed against
 * onnxruntime-web dense on one thread.
 */
import type { ArchResult, ModelRow, ModelsReport } from './models.bench.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface Point {
  label: string;
  runtime: ModelRow['runtime'];
  bytes: number;
  speed: number;
  ms: number;
  hollow: boolean;
}

const COLOR: Record<ModelRow['runtime'], string> = { 'onnxruntime-web': '#c0392b', 'wasm-palette': '#1f4e79', 'tfjs-wasm': '#7f8c8d' };

function pointsOf(a: ArchResult, threads: number): Point[] {
  const dense = a.rows.find((r) => r.runtime === 'wasm-palette' && r.config === 'dense f32');
  const pts: Point[] = [];
  for (const r of a.rows) {
    if (r.runtime === 'tfjs-wasm') {
      if (dense?.fileBytes) pts.push({ label: 'tfjs dense (1 thread)', runtime: r.runtime, bytes: dense.fileBytes, speed: r.vsOrt, ms: r.medianMs, hollow: true });
    } else if ((r.threads ?? 1) === threads && r.fileBytes) {
      const label = r.runtime === 'onnxruntime-web' ? `ORT ${r.config}` : r.config;
      pts.push({ label, runtime: r.runtime, bytes: r.fileBytes, speed: r.vsOrt, ms: r.medianMs, hollow: false });
    }
  }
  return pts;
}

/** Points not beaten on both axes (smaller or equal file and faster or equal, one strictly). */
export function front(pts: Point[]): Point[] {
  const solid = pts.filter((p) => !p.hollow);
  return solid
    .filter((p) => !solid.some((q) => q !== p && q.bytes <= p.bytes && q.speed >= p.speed && (q.bytes < p.bytes || q.speed > p.speed)))
    .sort((p, q) => p.bytes - q.bytes);
}

/** At `threads` (default: the largest thread count of the run). */
export function paretoSvg(report: ModelsReport, threads = Math.max(...(report.threads ?? [1]))): string {
  const archs = report.archs;
  const cols = Math.min(3, archs.length);
  const rowsN = Math.ceil(archs.length / cols);
  const PW = 330;
  const PH = 250;
  const m = { l: 52, r: 14, t: 30, b: 42 };
  const top = 64;
  const W = Math.max(cols * PW, 720);
  const H = top + rowsN * PH + 26;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="12" y="22" font-size="15" font-weight="bold">${esc(`Speed against file size, batch 1, ${threads} thread${threads > 1 ? 's' : ''} (up and to the left is better)`)}</text>`);
  out.push(
    `<text x="12" y="40" fill="#444">${esc('y: speed vs onnxruntime-web dense f32 at the same thread count; x: file bytes, log scale. The line is the Pareto front.')}</text>`,
  );
  const legend: Array<[string, string, boolean]> = [
    ['onnxruntime-web (.onnx, dense / quantized)', COLOR['onnxruntime-web'], false],
    ['wasm-palette (.wpal)', COLOR['wasm-palette'], false],
    ['tfjs-wasm (1 thread)', COLOR['tfjs-wasm'], true],
  ];
  let lx = 12;
  legend.forEach(([t, c, hollow]) => {
    const x = lx;
    lx += 30 + t.length * 6;
    out.push(`<circle cx="${x + 5}" cy="54" r="5" fill="${hollow ? 'none' : c}" stroke="${c}" stroke-width="1.5"/>`);
    out.push(`<text x="${x + 14}" y="58">${esc(t)}</text>`);
  });
  archs.forEach((a, i) => {
    const ox = (i % cols) * PW;
    const oy = top + Math.floor(i / cols) * PH;
    const pw = PW - m.l - m.r;
    const ph = PH - m.t - m.b;
    const pts = pointsOf(a, threads);
    if (!pts.length) return;
    const lo = Math.log10(Math.min(...pts.map((p) => p.bytes)) / 1.6);
    const hi = Math.log10(Math.max(...pts.map((p) => p.bytes)) * 1.6);
    const ymax = Math.max(1.2, Math.ceil(Math.max(...pts.map((p) => p.speed)) * 4 + 0.5) / 4);
    const X = (b: number) => ox + m.l + ((Math.log10(b) - lo) / (hi - lo)) * pw;
    const Y = (v: number) => oy + m.t + ph - (v / ymax) * ph;
    out.push(`<text x="${ox + m.l}" y="${oy + 18}" font-size="12" font-weight="bold">${esc(a.label)}</text>`);
    // Grid: decades and 1-2-5 steps of bytes; speed every 0.25 / 0.5.
    for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
      for (const f of [1, 2, 5]) {
        const b = f * 10 ** e;
        if (Math.log10(b) < lo || Math.log10(b) > hi) continue;
        out.push(`<line x1="${X(b).toFixed(1)}" x2="${X(b).toFixed(1)}" y1="${oy + m.t}" y2="${oy + m.t + ph}" stroke="#eeeeee"/>`);
        const lbl = b >= 1e6 ? `${b / 1e6} MB` : b >= 1e3 ? `${b / 1e3} kB` : `${b} B`;
        out.push(`<text x="${X(b).toFixed(1)}" y="${oy + m.t + ph + 14}" text-anchor="middle" fill="#555" font-size="10">${lbl}</text>`);
      }
    }
    const step = ymax > 2 ? 0.5 : 0.25;
    for (let v = 0; v <= ymax + 1e-9; v += step) {
      out.push(`<line x1="${ox + m.l}" x2="${ox + m.l + pw}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}" stroke="#eeeeee"/>`);
      out.push(`<text x="${ox + m.l - 4}" y="${(Y(v) + 3).toFixed(1)}" text-anchor="end" fill="#555" font-size="10">${v.toFixed(2)}x</text>`);
    }
    out.push(`<line x1="${ox + m.l}" x2="${ox + m.l + pw}" y1="${Y(1).toFixed(1)}" y2="${Y(1).toFixed(1)}" stroke="#c0392b" stroke-dasharray="4 3"/>`);
    out.push(`<rect x="${ox + m.l}" y="${oy + m.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
    const f = front(pts);
    if (f.length > 1) out.push(`<polyline points="${f.map((p) => `${X(p.bytes).toFixed(1)},${Y(p.speed).toFixed(1)}`).join(' ')}" fill="none" stroke="#27ae60" stroke-width="1.5"/>`);
    // Labels: right of the point (left in the right part of the panel), moved down past labels already placed.
    const placed: Array<{ x0: number; x1: number; y: number }> = [];
    const sorted = [...pts].sort((p, q) => q.speed - p.speed || p.bytes - q.bytes);
    sorted.forEach((p) => {
      const cx = X(p.bytes);
      const cy = Y(p.speed);
      const c = COLOR[p.runtime];
      out.push(
        `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="4" fill="${p.hollow ? 'none' : c}" stroke="${c}" stroke-width="1.5">` +
          `<title>${esc(`${a.label}, ${p.label}: ${p.ms.toFixed(p.ms >= 10 ? 1 : 3)} ms, ${p.speed.toFixed(2)}x, ${(p.bytes / 1e6).toFixed(2)} MB`)}</title></circle>`,
      );
      const tw = p.label.length * 4.6;
      const right = cx + 6 + tw <= ox + m.l + pw || cx < ox + m.l + pw * 0.4;
      const x0 = right ? cx + 6 : cx - 6 - tw;
      let y = cy + 3;
      while (placed.some((b) => b.x0 < x0 + tw && x0 < b.x1 && Math.abs(b.y - y) < 10)) y += 10;
      placed.push({ x0, x1: x0 + tw, y });
      out.push(`<text x="${x0.toFixed(1)}" y="${y.toFixed(1)}" font-size="9" fill="${c}">${esc(p.label)}</text>`);
    });
  });
  out.push(
    `<text x="12" y="${H - 8}" fill="#555" font-size="10">${esc(`${report.when.slice(0, 10)}, node ${report.node}, ${report.cpu} x${report.cpus}; onnxruntime-web ${report.versions.onnxruntimeWeb}, tfjs ${report.versions.tfjs}${report.quick ? ' (quick run)' : ''}`)}</text>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}
