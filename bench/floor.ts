/** The floor of any report on traces: read each file and parse its JSON. Usage: node floor.js <file>... */
import * as fs from 'node:fs';

const files = process.argv.slice(2);
if (files.length === 0) throw new Error('usage: floor.js <file>...');
let samples = 0;
for (const file of files) {
  const value = JSON.parse(fs.readFileSync(file, 'utf8')) as { samples?: { stack?: unknown[] } };
  samples += value.samples?.stack?.length ?? 0;
}
process.stdout.write(`${samples}\n`);
