/**
 * A per-run cache bounded by the bytes its values hold, least recently used let go first: the
 * source-map and parsed-code caches of one report, where holding everything cost gigabytes.
 */
export class BoundedCache<V> {
  /** Most recently used last. */
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private bytes = 0;
  /** Lookups come in runs on one key: only a change of key reorders. */
  private last: string | null = null;

  constructor(private readonly maxBytes: number) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && this.last !== key) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.last = key;
    }
    return entry?.value;
  }

  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    this.last = key;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    if (this.last === key) this.last = null;
  }

  /** Lets the least recently used values go until the budget holds, never `keep`. */
  trim(keep?: string): void {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      if (key === keep) continue;
      this.entries.delete(key);
      this.bytes -= entry.bytes;
      if (this.last === key) this.last = null;
    }
  }
}
