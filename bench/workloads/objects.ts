// A live heap of mixed kinds (~40 MB at scale 1): class instances, strings, arrays, a Map and
// Buffers, all alive at exit — what `run --types` partitions.
import { scaleArg } from './scale.js';

class Order {
  constructor(
    readonly id: number,
    readonly customer: string,
    readonly lines: number[],
  ) {}
}

const scale = scaleArg();
const orders: Order[] = [];
const index = new Map<string, Order>();
const blobs: Buffer[] = [];
for (let i = 0; i < 100_000 * scale; i++) {
  const order = new Order(i, `customer-${i % 5000}-${'x'.repeat(40)}`, [i, i + 1, i + 2, i + 3]);
  orders.push(order);
  index.set(`order-${i}`, order);
  if (i % 100 === 0) blobs.push(Buffer.alloc(16 * 1024, i));
}
(globalThis as Record<string, unknown>).__kept = { orders, index, blobs };
