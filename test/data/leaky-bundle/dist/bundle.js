// ../../../tmp/alloctrace-test-BhiEZG/leaky-esbuild-cjs-bundle/src/cache.ts
var cache = /* @__PURE__ */ new Map();
function fillCache(entries, width) {
  for (let i = 0; i < entries; i++) {
    const values = new Array(width).fill(i);
    cache.set(`key-${i}`, { key: `key-${i}`, values });
  }
}

// ../../../tmp/alloctrace-test-BhiEZG/leaky-esbuild-cjs-bundle/src/log.ts
var lines = [];
function formatLog(count) {
  for (let i = 0; i < count; i++) {
    lines.push(JSON.stringify({ level: "info", message: `request ${i} served`, at: i }));
  }
}

// ../../../tmp/alloctrace-test-BhiEZG/leaky-esbuild-cjs-bundle/src/main.ts
fillCache(300, 1e4);
formatLog(2e3);
globalThis.__retained = { cache, lines };
console.log(`cached ${cache.size} entries, ${lines.length} log lines`);
//# sourceMappingURL=bundle.js.map
