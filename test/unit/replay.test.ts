/**
 * Golden replays of real V8 profiles, one per Node line (test/data/): the pipeline (maps, proven
 * lines, grouping) over each must say what it said when recorded. Fast and deterministic: no V8
 * run. A change of behaviour shows as a readable diff; re-record as test/data/README.md says.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { scratchDir } from '../helpers/fixtures';
import { DATA, dumpReport, loadRecorded } from '../helpers/replay';

const recorded = fs.existsSync(DATA) ? fs.readdirSync(DATA).filter((f) => f.endsWith('.trace')).map((f) => f.slice(0, -'.trace'.length)).sort() : [];

describe('recorded V8 profiles, replayed', () => {
  it('one recording per supported Node line', () => {
    assert.deepEqual(recorded.map((n) => n.split('-')[0]), ['node20', 'node22', 'node24', 'node26']);
  });

  for (const name of recorded) {
    it(`${name}: the report says what it said when recorded`, () => {
      const dir = fs.mkdtempSync(path.join(scratchDir(), `${name}-`));
      const trace = loadRecorded(name, name.slice(name.indexOf('-') + 1), dir);
      assert.equal(trace.scripts.some((s) => s.map === 'unresolved'), true, 'recorded as the preload wrote it');
      const dump = dumpReport(trace);
      assert.equal(dump, fs.readFileSync(path.join(DATA, `${name}.golden.txt`), 'utf8'));
      // What the golden file must keep saying, whatever else changes: the leak is the first row.
      assert.match(dump.split('lineno')[1] ?? '', /^ \(rows[^\n]*\n  1\. src\/cache\.ts:\d+ \((?:in )?fillCache/);
    });
  }
});
