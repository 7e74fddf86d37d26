/**
 * Run in a fresh process by the bench: times `require(preload)` with a capture config set (so it
 * starts sampling, as in a traced program) and lists the modules it loaded. Prints one JSON line.
 * Usage: node preload-cost.js <preload.js> <trace output>
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { CONFIG_ENV } from '../src/capture/config';

// Not imported as a value: that would load the config module before the measurement.
const CONFIG: typeof CONFIG_ENV = 'ALLOCTRACE_CAPTURE';

const [preload, output] = process.argv.slice(2);
if (preload === undefined || output === undefined) throw new Error('usage: preload-cost.js <preload.js> <output>');
process.env[CONFIG] = JSON.stringify({ output, interval: 32768, mode: 'live', root: process.cwd(), argv: [], producer: 'bench' });
const before = new Set(Object.keys(require.cache));
const started = performance.now();
require(preload);
const importMs = performance.now() - started;
const modules = Object.keys(require.cache).filter((m) => !before.has(m));
const bytes = modules.reduce((sum, m) => sum + fs.statSync(m).size, 0);
process.stdout.write(`${JSON.stringify({ importMs, modules, bytes })}\n`);
process.on('exit', () => fs.rmSync(output, { force: true }));
