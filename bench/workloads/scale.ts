/** The amount of work: the first argument of a workload script (1 = full size). */
export function scaleArg(): number {
  const value = Number(process.argv[2] ?? '1');
  return Number.isFinite(value) && value > 0 ? value : 1;
}
