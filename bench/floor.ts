/** The floor of any report on a trace: read the file and parse its JSON. Usage: node floor.js <file> */
import * as fs from 'node:fs';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: floor.js <file>');
const value = JSON.parse(fs.readFileSync(file, 'utf8')) as { samples?: { stack?: unknown[] } };
process.stdout.write(`${value.samples?.stack?.length ?? 0}\n`);
