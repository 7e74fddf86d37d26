/** Kept apart from v8-profile.ts: the preload holds one from the start, and loads nothing else with it. */

/**
 * Estimates of the samples whose object size was not known exactly, per call-tree node and V8
 * product, as first given in a profiling session. V8 keeps its node ids for the whole session; a
 * new session needs a new memo. Entries no reading uses any more are dropped.
 */
export class EstimateMemo {
  private byNode = new Map<number, Map<number, { size: number; count: number }>>();

  /** The estimate first given to `(nodeId, v8Size)`, computing and keeping it when there is none. */
  estimate(nodeId: number, v8Size: number, compute: () => { size: number; count: number }, used: EstimateMemo): { size: number; count: number } {
    let e = this.byNode.get(nodeId)?.get(v8Size);
    if (e === undefined) e = compute();
    let kept = used.byNode.get(nodeId);
    if (kept === undefined) used.byNode.set(nodeId, (kept = new Map()));
    kept.set(v8Size, e);
    return e;
  }

  /** Keeps only what `used` (the entries the last reading used) holds. */
  replaceWith(used: EstimateMemo): void {
    this.byNode = used.byNode;
  }
}
