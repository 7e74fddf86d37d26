/** V8's own numbers for a function, to hold alloctrace's estimates against (bench and tests). */

interface HeapProfileNode {
  callFrame: { functionName: string };
  selfSize: number;
  children: HeapProfileNode[];
}

/**
 * V8's raw sum per function name in a `.heapprofile`: Σ `selfSize` of its nodes and every node
 * under them (a function's own bytes and its callees': Map.set, a library's code), as
 * alloctrace's `--cumulative --group-by function` counts them.
 */
export function inclusiveRawSums(profileJson: string): Map<string, number> {
  const sums = new Map<string, number>();
  const walk = (node: HeapProfileNode, onStack: ReadonlySet<string>): void => {
    const names = new Set(onStack).add(node.callFrame.functionName);
    for (const name of names) sums.set(name, (sums.get(name) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child, names);
  };
  walk((JSON.parse(profileJson) as { head: HeapProfileNode }).head, new Set());
  return sums;
}
