// A server-like program. `main.js N` serves N "requests", one every 2 ms, then exits
// (`main.js 0` serves for ever: until memory runs out).
// `main.js --stdin` serves on command: a line "serve N" serves N requests and answers
// "served <total>"; end of input ends the program.
import * as readline from 'node:readline';
import { handleRequest, sessionCount } from './server';

let served = 0;

function serve(n: number): void {
  for (let i = 0; i < n; i++) handleRequest(served++);
}

if (process.argv[2] === '--stdin') {
  const input = readline.createInterface({ input: process.stdin });
  input.on('line', (line) => {
    const [command, count] = line.trim().split(/\s+/);
    if (command === 'serve') serve(Number(count));
    console.log(`served ${served}`);
  });
  input.on('close', () => console.log(`done: ${sessionCount()} sessions`));
} else {
  const total = Number(process.argv[2] ?? '300');
  const timer = setInterval(() => {
    serve(1);
    if (total > 0 && served >= total) {
      clearInterval(timer);
      console.log(`done: ${sessionCount()} sessions`);
    }
  }, 2);
}
