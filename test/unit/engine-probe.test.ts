/**
 * The engine's parameter probe, against this process's real V8 (the matrix runs it on every
 * line): what the probe says must match what V8 then does.
 */
import assert from 'node:assert/strict';
import { Session } from 'node:inspector';
import { after, describe, it } from 'node:test';
import { knowsSamplingParam } from '../../src/capture/engine';
import type { V8ProfileNode, V8SamplingProfile } from '../../src/trace/v8-profile';

function post<T>(session: Session, method: string, params: object = {}): T {
  let out: { err: Error | null; value: T | undefined } = { err: null, value: undefined };
  session.post(method, params, (err, value) => {
    out = { err: err ?? null, value: value as T | undefined };
  });
  if (out.err !== null) throw out.err;
  return out.value as T;
}

function depthOf(node: V8ProfileNode): number {
  return 1 + Math.max(0, ...node.children.map(depthOf));
}

function nest(depth: number, hold: unknown[]): void {
  if (depth === 0) {
    for (let i = 0; i < 2000; i++) hold.push(new Array(64).fill(i));
    return;
  }
  nest(depth - 1, hold);
}

describe(`sampling parameter probe on ${process.version}`, () => {
  const session = new Session();
  session.connect();
  after(() => session.disconnect());

  it('knows the collected-objects flags, and no made-up parameter', () => {
    assert.equal(knowsSamplingParam(session, 'includeObjectsCollectedByMajorGC'), true);
    assert.equal(knowsSamplingParam(session, 'includeObjectsCollectedByMinorGC'), true);
    assert.equal(knowsSamplingParam(session, 'alloctraceNoSuchParameter'), false);
  });

  it('says stackDepth is known exactly where V8 honours it (Node 26: yes; 20-24: no)', () => {
    const known = knowsSamplingParam(session, 'stackDepth');
    const hold: unknown[] = [];
    post(session, 'HeapProfiler.startSampling', { samplingInterval: 512, stackDepth: 4 });
    nest(20, hold);
    const { profile } = post<{ profile: V8SamplingProfile }>(session, 'HeapProfiler.getSamplingProfile');
    post(session, 'HeapProfiler.stopSampling');
    // The root node counts as one level.
    const frames = depthOf(profile.head) - 1;
    assert.equal(frames <= 4, known, `probe says ${known}, deepest stack has ${frames} frames`);
    assert.ok(hold.length > 0);
  });
});
