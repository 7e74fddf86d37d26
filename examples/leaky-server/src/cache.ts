// A bounded cache: it fills up during the first requests, then replaces entries and stays level.
// Sampling makes its estimate wobble; it must never be reported as a leak.
const slots: Array<number[] | undefined> = [];

export function remember(slot: number, value: number): number[] {
  const entry = new Array<number>(8000).fill(value);
  slots[slot % 40] = entry;
  return entry;
}

export function cachedEntries(): number {
  return slots.filter((s) => s !== undefined).length;
}
