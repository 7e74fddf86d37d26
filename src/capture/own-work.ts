/**
 * Whether alloctrace's own work (reading and writing a trace) is running on this thread. The
 * observer interrupts whatever JavaScript runs: in the middle of a snapshot it must not take that
 * for the program's busy code and start another snapshot inside it (in `allocated` mode each
 * nested snapshot sampled the one around it, and a program never got back to its event loop).
 */
let depth = 0;

export function inOwnWork(): boolean {
  return depth > 0;
}

export function asOwnWork<T>(work: () => T): T {
  depth += 1;
  try {
    return work();
  } finally {
    depth -= 1;
  }
}
