/**
 * Child process of test/cli/integrity.test.ts: writes `argv[3]` MiB through writeOutput() to
 * argv[2], saying "writing" just before, so the test can send SIGINT in the middle of the write.
 */
import { writeOutput } from '../../src/cli/util/output.js';

const [target, mib] = process.argv.slice(2);
const bytes = new Uint8Array(Number(mib) * 1024 * 1024).fill(0x5a);
process.stdout.write('writing\n', () => {
  void writeOutput(target!, bytes).then(() => process.stdout.write('done\n'));
});
