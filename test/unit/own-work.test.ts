/**
 * alloctrace's own trace writing is never taken for the program's code, and snapshots never nest:
 * the observer interrupts whatever runs, and in `allocated` mode at small intervals a snapshot
 * taken inside another sampled the one around it, over and over (a 1.2 s program ran for minutes
 * at gigabytes). Real V8 stacks and a real sampling engine, in this process.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { SamplingEngine } from '../../src/capture/engine';
import { interruptedProgram } from '../../src/capture/observer';
import { asOwnWork } from '../../src/capture/own-work';
import { installSnapshots } from '../../src/capture/snapshots';
import { scratchDir } from '../helpers/fixtures';

describe('own work', () => {
  it('code on the stack is the program’s, unless it is alloctrace writing a trace', () => {
    const hook = (): boolean => interruptedProgram(hook);
    const program = (): boolean => hook();
    assert.equal(program(), true);
    assert.equal(asOwnWork(() => program()), false);
    assert.equal(program(), true);
  });

  it('a snapshot asked for while one is written is skipped; the next one after it is taken', () => {
    const dir = path.join(scratchDir(), 'own-work-snapshots');
    fs.mkdirSync(dir);
    const engine = new SamplingEngine();
    engine.start({ interval: 32768, mode: 'live' });
    try {
      const config = { output: path.join(dir, 'final.trace'), interval: 32768, mode: 'live' as const, root: dir, argv: ['x.js'], producer: 'test' };
      const snapshots = installSnapshots({ engine, config, snapshots: { dir, everyMs: null, signal: null }, startTime: new Date().toISOString(), notes: () => [] });
      asOwnWork(() => snapshots.take('signal'));
      assert.deepEqual(fs.readdirSync(dir), []);
      snapshots.take('signal');
      assert.deepEqual(fs.readdirSync(dir), ['snapshot-0001.trace']);
    } finally {
      engine.stop();
    }
  });
});
