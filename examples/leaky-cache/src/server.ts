// A pretend server: handles 400 "requests", each caching a response and logging a line.
import { LruCache } from './lru';
import { logRequest, recentLines } from './log';

const cache = new LruCache(50);

function handleRequest(id: number): void {
  const path = `/items/${id % 97}`;
  cache.add(id, 8_000); // 64 KB per request: the leak
  logRequest(id, path);
}

for (let id = 0; id < 400; id++) handleRequest(id);

// A live server keeps these until it stops.
(globalThis as { app?: unknown }).app = { cache, recentLines };
console.log(`served 400 requests, cache holds ${cache.size} entries (limit 50)`);
