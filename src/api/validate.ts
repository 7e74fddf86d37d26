/**
 * Argument checks at the library API's edge, in Node's style (`lib/internal/validators`): a value
 * of the wrong type is a `TypeError` with code `ERR_INVALID_ARG_TYPE` naming the argument, thrown
 * before anything runs; a value of the right type but out of range stays an `AlloctraceError`.
 */

function received(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'object') return `an instance of ${(value as object).constructor?.name ?? 'Object'}`;
  return `${typeof value} ${String(value)}`;
}

export function invalidArgType(name: string, expected: string, value: unknown): TypeError {
  return Object.assign(new TypeError(`The "${name}" argument must be ${expected}. Received ${received(value)}`), { code: 'ERR_INVALID_ARG_TYPE' as const });
}

/** A plain options object, or `undefined` (then `{}`). */
export function validateOptions<T extends object>(value: T | undefined, name: string): T {
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidArgType(name, 'an object', value);
  return value;
}

export function validateString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw invalidArgType(name, 'a string', value);
}

export function validateOptionalString(value: unknown, name: string): void {
  if (value !== undefined) validateString(value, name);
}

export function validateOptionalBoolean(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'boolean') throw invalidArgType(name, 'a boolean', value);
}

/** `filters` of `Snapshot.filter`: an array of `{ inclusive, pattern, line?, allFrames? }`. */
export function validateFilters(value: unknown, name: string): void {
  if (!Array.isArray(value)) throw invalidArgType(name, 'an array of filters', value);
  value.forEach((filter: unknown, i) => {
    const at = `${name}[${i}]`;
    if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) throw invalidArgType(at, 'an object { inclusive, pattern }', filter);
    const f = filter as Record<string, unknown>;
    if (typeof f['inclusive'] !== 'boolean') throw invalidArgType(`${at}.inclusive`, 'a boolean', f['inclusive']);
    validateString(f['pattern'], `${at}.pattern`);
    const line = f['line'];
    if (line !== undefined && line !== null && !(Number.isInteger(line) && (line as number) >= 1)) throw invalidArgType(`${at}.line`, 'a line number (an integer >= 1) or null', line);
    validateOptionalBoolean(f['allFrames'], `${at}.allFrames`);
  });
}
