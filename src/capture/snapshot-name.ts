/** The file name of a snapshot in a series: shared by the program's side and the CLI's. */

/** `snapshot-0001.trace`: zero-padded so a shell glob lists them in order. */
export function snapshotFileName(sequence: number): string {
  return `snapshot-${String(sequence).padStart(4, '0')}.trace`;
}
