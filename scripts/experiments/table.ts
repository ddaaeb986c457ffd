/**
 * Markdown table rows from the JSON lines the experiment scripts print:
 *   npx tsx scripts/experiments/table.ts build/experiments/*.jsonl
 */
import { readFileSync } from 'node:fs';

console.log('| data | model | setting | accuracy | file bytes | ratio | wall s | command |');
console.log('|---|---|---|---|---|---|---|---|');
for (const f of process.argv.slice(2)) {
  for (const line of readFileSync(f, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line) as Record<string, string | number>;
    console.log(`| MNIST | ${r.model} | ${r.setting} | ${Number(r.accuracy).toFixed(2)}% | ${Number(r.bytes).toLocaleString('en')} | ${r.ratio}x | ${r.wallSeconds} | \`${r.command}\` |`);
  }
}
