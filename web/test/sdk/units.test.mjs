// Unit tests of the SDK parts that need no server: backoff and seq ordering with gap fill.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, SeqOrderer } from '../../sdk/index.js';

test('backoff grows exponentially, is capped and jittered', () => {
  assert.equal(backoffDelay(0, { minMs: 100, maxMs: 1000, random: () => 1 }), 100);
  assert.equal(backoffDelay(3, { minMs: 100, maxMs: 1000, random: () => 1 }), 800);
  assert.equal(backoffDelay(20, { minMs: 100, maxMs: 1000, random: () => 1 }), 1000);
  assert.equal(backoffDelay(20, { minMs: 100, maxMs: 1000, random: () => 0 }), 50);
  const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(5, { minMs: 100, maxMs: 10000 })));
  assert.ok(spread.size > 10, 'delays are jittered');
});

test('orderer hands messages on in seq order, once, and fills a gap from history', async () => {
  const delivered = [];
  const fetched = [];
  const orderer = new SeqOrderer({
    deliver: (m) => delivered.push(m.seq),
    fetchAfter: async (conv, after) => {
      fetched.push(after);
      // seq 3 is missing for good (a gap the server allows); 2 and 4 exist.
      return { messages: [{ seq: 2 }, { seq: 4 }].filter((m) => m.seq > after), hasMore: false };
    },
    gapWaitMs: 10,
  });
  assert.equal(orderer.accept({ conv: 'c', seq: 1 }), true);
  assert.equal(orderer.accept({ conv: 'c', seq: 1 }), false, 'duplicate');
  orderer.accept({ conv: 'c', seq: 5 });
  orderer.accept({ conv: 'c', seq: 4 });
  assert.deepEqual(delivered, [1]);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(fetched, [1]);
  assert.deepEqual(delivered, [1, 2, 4, 5]);
  assert.equal(orderer.cursor('c'), 5);
  orderer.accept({ conv: 'c', seq: 6 });
  assert.deepEqual(delivered, [1, 2, 4, 5, 6]);
});

test('a gap that closes by itself is not fetched', async () => {
  const delivered = [];
  const orderer = new SeqOrderer({ deliver: (m) => delivered.push(m.seq), fetchAfter: async () => assert.fail('fetched'), gapWaitMs: 30 });
  orderer.accept({ conv: 'c', seq: 2 });
  orderer.accept({ conv: 'c', seq: 1 });
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(delivered, [1, 2]);
});

test('console metrics: Prometheus text, bucket deltas and quantiles', async () => {
  const { parse, buckets, quantile } = await import('../../admin/metrics.js');
  const before = parse('im_x_bucket{le="0.01"} 1\nim_x_bucket{le="0.1"} 2\nim_x_bucket{le="+Inf"} 2\n# HELP y\nim_sent_total 5.0\n');
  const after = parse('im_x_bucket{le="0.01"} 91\nim_x_bucket{le="0.1"} 101\nim_x_bucket{le="+Inf"} 102\nim_sent_total 9.0\n');
  assert.equal(after.get('im_sent_total'), 9);
  assert.equal(quantile(buckets(before, 'im_x'), buckets(after, 'im_x'), 0.5), 0.01);
  assert.equal(quantile(buckets(before, 'im_x'), buckets(after, 'im_x'), 0.99), 0.1);
  assert.equal(quantile(buckets(after, 'im_x'), buckets(after, 'im_x'), 0.5), null);
});
