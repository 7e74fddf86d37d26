/**
 * The trace format's records as data: for each record of `format.ts`, its fields with their type,
 * whether they may be left out, and what they mean. `read.ts` validates by walking these tables,
 * and `test/unit/trace/schema.test.ts` checks them against `format.ts` (a trace built field by
 * field) and against `docs/trace-format.md` (every field documented), so the three cannot drift.
 */
import type { BuiltinFrameRecord, CodeStatus, CollectedFrameRecord, KindRecord, MapStatus, OriginalPosition, PseudoFrameRecord, ScriptFrameRecord, ScriptRecord, ThreadRecord, TraceMeta, TraceReason } from './format';

/** A field's value: the checks `read.ts` makes. */
export type FieldType =
  | { type: 'string' }
  | { type: 'int' }
  | { type: 'number' }
  | { type: 'boolean' }
  | { type: 'string[]' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'record'; fields: RecordSpec }
  | { type: 'object' }
  | { type: 'position' };

export interface FieldSpec {
  of: FieldType;
  /** `null` is a valid value. */
  nullable?: boolean;
  /** The field may be left out (`?` in `format.ts`). */
  optional?: boolean;
  /** Version 1 readers before this field existed ignore it. */
  added?: string;
}

export type RecordSpec = Readonly<Record<string, FieldSpec>>;

/** Every field of `T` (but `kind`), each with its spec: a field added to `format.ts` must be added here. */
type FieldsOf<T> = { readonly [K in Exclude<keyof T, 'kind'>]-?: FieldSpec };

const string: FieldType = { type: 'string' };
const int: FieldType = { type: 'int' };

export const MAP_STATUSES: readonly MapStatus[] = ['none', 'external', 'inline', 'memory', 'error', 'unresolved'];
export const CODE_STATUSES: readonly CodeStatus[] = ['parsed', 'unreadable', 'unparsable', 'skipped'];
export const TRACE_REASONS: readonly TraceReason[] = ['exit', 'signal', 'interval', 'api', 'import', 'peak', 'heap-limit'];

/** `meta.heap` of a `peak` or `heap-limit` trace. */
export const HEAP_FIELDS: RecordSpec = {
  used: { of: { type: 'number' } },
  limit: { of: { type: 'number' } },
  endUsed: { of: { type: 'number' }, nullable: true },
  endTime: { of: string, nullable: true },
};

/** `{ id, name }` of `meta.thread`. */
export const ISOLATE_FIELDS: RecordSpec = { id: { of: int }, name: { of: string } };

/**
 * `meta`. Fields a reader may fill with their default (`trace/meta.ts`) are optional here;
 * `interval`, `argv` and `notes` must be present.
 */
export const META_FIELDS: FieldsOf<TraceMeta> = {
  nodeVersion: { of: string, nullable: true, optional: true },
  v8Version: { of: string, nullable: true, optional: true },
  platform: { of: string, nullable: true, optional: true },
  pid: { of: int, nullable: true, optional: true },
  argv: { of: { type: 'string[]' } },
  execArgv: { of: { type: 'string[]' }, optional: true },
  cwd: { of: string, nullable: true, optional: true },
  root: { of: string, nullable: true, optional: true },
  interval: { of: { type: 'number' }, nullable: true },
  mode: { of: { type: 'enum', values: ['live', 'allocated'] }, nullable: true, optional: true },
  startTime: { of: string, nullable: true, optional: true },
  time: { of: string, nullable: true, optional: true },
  reason: { of: { type: 'enum', values: TRACE_REASONS }, optional: true },
  sequence: { of: int, optional: true },
  thread: { of: { type: 'record', fields: ISOLATE_FIELDS }, optional: true },
  flags: { of: { type: 'string[]' }, optional: true },
  notes: { of: { type: 'string[]' } },
  heap: { of: { type: 'record', fields: HEAP_FIELDS }, optional: true, added: 'peak' },
  objects: { of: { type: 'enum', values: ['tracked', 'census'] }, optional: true, added: 'objects' },
};

/** `kinds[]` of an object trace (`meta.objects`). */
export const KIND_FIELDS: FieldsOf<KindRecord> = {
  name: { of: string },
  external: { of: { type: 'boolean' }, optional: true },
  at: { of: { type: 'record', fields: { url: { of: string }, line: { of: int }, column: { of: int } } }, optional: true },
  original: { of: string, optional: true },
};

export const SCRIPT_FIELDS: FieldsOf<ScriptRecord> = {
  url: { of: string },
  path: { of: string, nullable: true },
  map: { of: { type: 'enum', values: MAP_STATUSES } },
  mapError: { of: string, optional: true },
  memoryMap: { of: { type: 'object' }, optional: true },
  evalOf: { of: int, optional: true },
  memoryCode: { of: string, optional: true },
  code: { of: { type: 'enum', values: CODE_STATUSES }, optional: true },
  codeError: { of: string, optional: true },
  exactLines: { of: { type: 'enum', values: ['wrapped', 'read'] }, optional: true },
};

export const ORIGINAL_FIELDS: FieldsOf<OriginalPosition> = {
  source: { of: string },
  line: { of: int },
  column: { of: int },
  // Older writers left `name` out.
  name: { of: string, nullable: true, optional: true },
};

/** A generated 1-based position (`wrapper`), and a `CodePoint` of a line record with its original. */
export const POSITION_FIELDS: RecordSpec = { line: { of: int }, column: { of: int } };
export const CODE_POINT_FIELDS: RecordSpec = { ...POSITION_FIELDS, original: { of: { type: 'record', fields: ORIGINAL_FIELDS }, optional: true } };

/** Each frame kind's fields besides `kind`. `script` is checked against `scripts` by the reader. */
export const FRAME_FIELDS: {
  script: FieldsOf<ScriptFrameRecord>;
  builtin: FieldsOf<BuiltinFrameRecord>;
  pseudo: FieldsOf<PseudoFrameRecord>;
  collected: FieldsOf<CollectedFrameRecord>;
} = {
  script: {
    name: { of: string },
    script: { of: int },
    line: { of: int },
    column: { of: int },
    topLevel: { of: { type: 'boolean' }, optional: true },
    original: { of: { type: 'record', fields: ORIGINAL_FIELDS }, optional: true },
    self: { of: { type: 'position' }, optional: true },
    wrapper: { of: { type: 'record', fields: POSITION_FIELDS }, optional: true },
  },
  builtin: { name: { of: string } },
  pseudo: { name: { of: string } },
  collected: { name: { of: string }, scriptId: { of: int }, bootstrap: { of: { type: 'boolean' }, optional: true } },
};

export const THREAD_FIELDS: FieldsOf<ThreadRecord> = {
  pid: { of: int, nullable: true },
  id: { of: int },
  name: { of: string },
  argv: { of: { type: 'string[]' } },
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A line record: `{ exact: point }` or `{ candidates: [point, …] }` (at least one). */
export function isLineRecord(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (value['exact'] !== undefined) return checkRecord(value['exact'], CODE_POINT_FIELDS) === null;
  const candidates = value['candidates'];
  return Array.isArray(candidates) && candidates.length > 0 && candidates.every((c) => checkRecord(c, CODE_POINT_FIELDS) === null);
}

function matches(value: unknown, of: FieldType): boolean {
  switch (of.type) {
    case 'string':
      return typeof value === 'string';
    case 'int':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) && value > 0;
    case 'boolean':
      return typeof value === 'boolean';
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'enum':
      return typeof value === 'string' && of.values.includes(value);
    case 'record':
      return checkRecord(value, of.fields) === null;
    case 'object':
      return isObject(value);
    case 'position':
      return isLineRecord(value);
  }
}

/**
 * The first field of `value` that does not fit `spec` (with the nested field's name, `original.line`),
 * `''` when `value` is not an object, or `null` when it fits. Fields the spec does not name are
 * ignored (a newer writer's additions).
 */
export function checkRecord(value: unknown, spec: RecordSpec): string | null {
  if (!isObject(value)) return '';
  for (const [name, field] of Object.entries(spec)) {
    const v = value[name];
    if (v === undefined) {
      if (field.optional === true) continue;
      return name;
    }
    if (v === null && field.nullable === true) continue;
    if (!matches(v, field.of)) {
      if (field.of.type === 'record') {
        const inner = checkRecord(v, field.of.fields);
        return inner === '' || inner === null ? name : `${name}.${inner}`;
      }
      return name;
    }
  }
  return null;
}
