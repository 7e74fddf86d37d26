/**
 * How the program ended, when an uncaught exception or an unhandled rejection ended it: one line
 * for the trace's notes. Watched through `uncaughtExceptionMonitor`, which observes without
 * handling, so the program's own output and exit code stay Node's.
 */

/** A property's value when it is a plain data property (no getter of the program's runs). */
function dataProperty(value: object, key: string): unknown {
  for (let o: object | null = value; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(o, key);
    if (descriptor !== undefined) return 'value' in descriptor ? descriptor.value : undefined;
  }
  return undefined;
}

const LIMIT = 200;

function clip(text: string): string {
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  return line.length > LIMIT || line.length < text.length ? `${line.slice(0, LIMIT)}…` : line;
}

/** `TypeError: x is not a function`; a thrown non-error as its type and value. */
export function describeThrown(value: unknown): string {
  try {
    if (typeof value === 'object' && value !== null) {
      const name = dataProperty(value, 'name');
      const message = dataProperty(value, 'message');
      if (typeof message === 'string') return clip(typeof name === 'string' && name !== '' ? `${name}: ${message}` : message);
      const ctor = dataProperty(value, 'constructor');
      const ctorName = typeof ctor === 'function' ? dataProperty(ctor, 'name') : undefined;
      return `a thrown ${typeof ctorName === 'string' && ctorName !== '' ? ctorName : 'object'}`;
    }
    if (typeof value === 'string') return clip(`a thrown string ${JSON.stringify(value)}`);
    if (typeof value === 'function') return 'a thrown function';
    return `a thrown ${typeof value} ${String(value)}`;
  } catch {
    return 'a thrown value that could not be described';
  }
}

/** Starts watching; the returned function gives the note, or `undefined` while the program has not ended so. */
export function watchEnding(): () => string | undefined {
  let ending: string | undefined;
  process.on('uncaughtExceptionMonitor', (error: unknown, origin: string) => {
    // A listener of the program's (or a domain's capture callback) handles it: the program goes on.
    if (process.listenerCount('uncaughtException') > 0 || process.hasUncaughtExceptionCaptureCallback()) return;
    const how = origin === 'unhandledRejection' ? 'an unhandled promise rejection' : 'an uncaught exception';
    ending = `program ended by ${how}: ${describeThrown(error)}`;
  });
  return () => ending;
}
