/**
 * `alloctrace/test`'s verdicts, repeated: the fixture suite (test/fixtures/testkit: 2 leaky
 * functions, 4 clean ones including a filling cache, lazy initialisation and pooled buffers, 2
 * limitMemory cases) run under node:test N times; every wrong pass or fail is counted.
 */
import { spawnSync } from 'node:child_process';
import { testkitProject } from '../test/helpers/testkit';
import { verdict, type Row } from './report';

const EXPECTED: Record<string, boolean> = {
  'remember leaks': false,
  'handle is clean': true,
  'a bounded cache is clean': true,
  'lazy initialisation is clean': true,
  'pooled buffers are clean': true,
  'an async handler that leaks': false,
  'a big import breaks its limit': false,
  'a small import keeps within its limit': true,
};

export function benchTestingVerdicts(options: { quick: boolean; log: (line: string) => void }): { rows: Row[]; runs: number; wrong: string[] } {
  const fixture = testkitProject();
  const runs = options.quick ? 5 : 20;
  const wrong: string[] = [];
  const { NODE_TEST_CONTEXT: _outer, ...env } = process.env;
  for (let i = 0; i < runs; i++) {
    const out = spawnSync(process.execPath, ['--test', '--test-reporter=tap', 'suites/node.test.cjs'], { cwd: fixture.dir, encoding: 'utf8', env }).stdout;
    for (const [title, passes] of Object.entries(EXPECTED)) {
      const passed = new RegExp(`^ok \\d+ - ${title}$`, 'm').test(out);
      const failed = new RegExp(`^not ok \\d+ - ${title}$`, 'm').test(out);
      if (passed === failed || passed !== passes) wrong.push(`run ${i + 1}: ${title}`);
    }
    options.log(`testing verdicts: run ${i + 1}/${runs}, ${wrong.length} wrong so far`);
  }
  const cases = runs * Object.keys(EXPECTED).length;
  return {
    runs,
    wrong,
    rows: [{ section: 'testing', what: `alloctrace/test wrong verdicts (${runs} runs × ${Object.keys(EXPECTED).length} tests)`, value: `${wrong.length} of ${cases}`, target: '0', verdict: verdict(wrong.length === 0) }],
  };
}

if (require.main === module) {
  const quick = process.argv.includes('--quick');
  const result = benchTestingVerdicts({ quick, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${result.rows.map((r) => `${r.what}: ${r.value} (target ${r.target}, ${r.verdict})`).join('\n')}\n${result.wrong.join('\n')}\n`);
}
