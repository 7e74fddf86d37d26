// An "LRU" cache whose eviction never runs: every entry ever added stays alive.
export interface CacheEntry {
  id: number;
  payload: number[];
  createdAt: number;
}

export class LruCache {
  private readonly entries = new Map<number, CacheEntry>();

  constructor(private readonly limit: number) {}

  add(id: number, size: number): CacheEntry {
    const entry: CacheEntry = { id, payload: new Array<number>(size).fill(id), createdAt: Date.now() };
    this.entries.set(id, entry);
    if (this.entries.size > this.limit) this.evict();
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    // Bug: the limit is checked but nothing is ever deleted.
  }
}
