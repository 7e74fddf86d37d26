// Request log lines, kept in memory "for debugging".
export const recentLines: string[] = [];

export function logRequest(id: number, path: string): void {
  recentLines.push(JSON.stringify({ id, path, at: new Date(1_700_000_000_000 + id).toISOString() }));
}
