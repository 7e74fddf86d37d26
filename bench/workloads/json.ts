// JSON round-trips: build a document, stringify it, parse it back, read a field.
import { scaleArg } from './scale.js';

function makeDocument(seed: number): unknown {
  const items = [];
  for (let i = 0; i < 40; i++) {
    items.push({ id: seed + i, title: `item ${seed + i}`, price: (seed % 100) + i / 10, tags: ['a', 'b', String(i % 5)], active: i % 2 === 0 });
  }
  return { seed, page: { size: 40, next: `/items?after=${seed + 40}` }, items };
}

const rounds = Math.round(12_000 * scaleArg());
let checksum = 0;
for (let r = 0; r < rounds; r++) {
  const text = JSON.stringify(makeDocument(r));
  const back = JSON.parse(text) as { items: Array<{ price: number }> };
  checksum += back.items[r % 40]!.price + text.length;
}
console.log(`json ${rounds} ${checksum.toFixed(1)}`);
