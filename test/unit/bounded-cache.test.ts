/** The byte-bounded LRU behind the source-map and parsed-code caches. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedCache } from '../../src/bounded-cache';

describe('BoundedCache', () => {
  it('lets the least recently used go past its budget, never the key it is told to keep', () => {
    const cache = new BoundedCache<string>(10);
    cache.set('a', 'A', 4);
    cache.set('b', 'B', 4);
    assert.equal(cache.get('a'), 'A'); // a is now the most recent
    cache.set('c', 'C', 4);
    cache.trim('c');
    assert.equal(cache.get('b'), undefined, 'b was least recently used');
    assert.equal(cache.get('a'), 'A');
    assert.equal(cache.get('c'), 'C');
    cache.set('big', 'BIG', 50);
    cache.trim('big');
    assert.equal(cache.get('big'), 'BIG', 'kept although alone over budget');
    assert.equal(cache.get('a'), undefined);
    cache.trim();
    assert.equal(cache.get('big'), undefined, 'without a key to keep, the budget holds');
  });

  it('counts replaced and deleted values once', () => {
    const cache = new BoundedCache<number>(8);
    cache.set('x', 1, 6);
    cache.set('x', 2, 6);
    cache.set('y', 3, 2);
    cache.trim();
    assert.equal(cache.get('x'), 2);
    cache.delete('x');
    cache.set('z', 4, 6);
    cache.trim();
    assert.equal(cache.get('y'), 3);
    assert.equal(cache.get('z'), 4);
  });
});
