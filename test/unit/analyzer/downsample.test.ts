/** Min/max downsampling keeps spikes and the ends. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { downsample } from '../../../analyzer/downsample';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('few points are kept as they are', () => {
  assert.deepEqual(downsample([0, 1, 2], [5, 6, 7], 10), { xs: [0, 1, 2], ys: [5, 6, 7] });
});

test('100k points become at most two a bucket, with the first and last points and every spike', () => {
  const n = 100_000;
  const xs = range(n);
  const ys = xs.map((i) => Math.sin(i / 500) * 0.1 + 1);
  ys[31_337] = 50; // a spike
  ys[77_777] = -40; // a dip
  const out = downsample(xs, ys, 500);
  assert.ok(out.xs.length <= 2 * 500 + 2, `${out.xs.length} points`);
  assert.equal(out.xs[0], 0);
  assert.equal(out.ys[0], ys[0]);
  assert.equal(out.xs.at(-1), n - 1);
  assert.equal(out.ys.at(-1), ys[n - 1]);
  assert.ok(out.xs.includes(31_337) && out.ys.includes(50), 'the spike survives');
  assert.ok(out.xs.includes(77_777) && out.ys.includes(-40), 'the dip survives');
  assert.equal(Math.max(...out.ys), 50);
  assert.equal(Math.min(...out.ys), -40);
  for (let i = 1; i < out.xs.length; i++)
    assert.ok(out.xs[i]! > out.xs[i - 1]!, 'x stays in order');
});

test('non-finite values do not hide a bucket’s extremes', () => {
  const xs = range(1000);
  const ys = xs.map((i) => (i % 3 === 0 ? NaN : i));
  const out = downsample(xs, ys, 10);
  assert.ok(out.ys.slice(1, -1).every(Number.isFinite));
  assert.ok(out.ys.includes(998), 'the largest finite value is kept');
});
