// Object churn: many short-lived objects of a few shapes, a small rolling window kept alive.
import { scaleArg } from './scale.js';

interface Order {
  id: number;
  customer: { name: string; tier: number };
  lines: Array<{ sku: number; quantity: number; price: number }>;
}

function makeOrder(id: number): Order {
  const lines = [];
  for (let i = 0; i < 4; i++) lines.push({ sku: (id * 31 + i) % 9973, quantity: 1 + (i % 3), price: 9.99 + i });
  return { id, customer: { name: `customer-${id % 1000}`, tier: id % 4 }, lines };
}

function total(order: Order): number {
  let sum = 0;
  for (const line of order.lines) sum += line.quantity * line.price;
  return sum;
}

const rounds = Math.round(3_000_000 * scaleArg());
const window: Order[] = new Array<Order>(1024);
let checksum = 0;
for (let i = 0; i < rounds; i++) {
  const order = makeOrder(i);
  window[i & 1023] = order;
  checksum += total(order);
}
console.log(`churn ${rounds} ${checksum.toFixed(2)}`);
