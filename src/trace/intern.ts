/** Values numbered in order of first appearance, by a string key: frames, scripts, threads. */
export class Interner<T> {
  readonly values: T[] = [];
  private readonly index = new Map<string, number>();

  /** Index of the value under `key`; `make` builds it the first time. */
  indexOf(key: string, make: () => T): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(make());
      this.index.set(key, i);
    }
    return i;
  }
}
