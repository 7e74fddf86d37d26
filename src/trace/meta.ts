/** A trace's `meta`, built in one place: every writer (flush, the library, importers) and the reader's defaults. */
import * as os from 'node:os';
import type { TraceMeta } from './format';

/**
 * What a field left out of a (hand-made or older) trace means. `argv`, `notes` and `interval` are
 * required in a file; they have defaults here only for writers that build a meta.
 */
export const META_DEFAULTS: Readonly<TraceMeta> = Object.freeze({
  nodeVersion: null,
  v8Version: null,
  platform: null,
  pid: null,
  argv: [],
  execArgv: [],
  cwd: null,
  root: null,
  interval: null,
  mode: null,
  startTime: null,
  time: null,
  reason: 'exit',
  sequence: 0,
  thread: { id: 0, name: 'main' },
  flags: [],
  notes: [],
});

/** A fresh meta: `fields` over the defaults (no array or object shared with the defaults). */
export function newMeta(fields: Partial<TraceMeta> = {}): TraceMeta {
  return { ...META_DEFAULTS, argv: [], execArgv: [], flags: [], notes: [], thread: { ...META_DEFAULTS.thread }, ...fields };
}

/** A meta for a trace taken in this process: its Node, platform, pid and working directory, then `fields`. */
export function thisProcessMeta(fields: Partial<TraceMeta>): TraceMeta {
  return newMeta({
    nodeVersion: process.version,
    v8Version: process.versions.v8,
    platform: `${os.platform()}-${os.arch()}`,
    pid: process.pid,
    cwd: process.cwd(),
    ...fields,
  });
}
