/**
 * Run in a fresh process by the bench: starts the observer worker exactly as the preload does
 * (with hooks that do nothing) and prints one JSON line: ms until it first calls the main thread
 * (less its first tick's wait), and the RSS
 * it added once settled. Usage: node observer-start.js <observer.js>
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';

const [observer] = process.argv.slice(2);
if (observer === undefined) throw new Error('usage: observer-start.js <observer.js>');
const { startObserver } = require(observer) as typeof import('../src/capture/observer');
const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  await settle(300);
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const keepAlive = setInterval(() => undefined, 1000);
  let firstCall: (ms: number) => void = () => undefined;
  const online = new Promise<number>((resolve) => {
    firstCall = resolve;
  });
  const TICK_MS = 100;
  startObserver(
    { signal: () => 'none', interval: () => undefined, capture: () => ({ live: 0, wrote: false }), probe: () => firstCall(performance.now() - started - TICK_MS) },
    { control: null, snapshotEveryMs: null, heap: { limit: Number.MAX_SAFE_INTEGER, peak: false }, tickMs: TICK_MS },
  );
  const onlineMs = await online;
  await settle(1000);
  // Written at once: process.exit() right after would cut an asynchronous pipe write short.
  fs.writeSync(1, `${JSON.stringify({ onlineMs, rssBytes: process.memoryUsage().rss - before })}\n`);
  clearInterval(keepAlive);
  process.exit(0);
}

void main();
