/** Min/max downsampling keeps spikes and the ends. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bucketWidth,
  downsample,
  Downsampler,
  downsampleFixed,
} from '../../../analyzer/downsample';
import { Rng } from '../../../kernels/random';

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

test('fixed-width buckets: a power of two, at most `buckets` of them, spikes and both ends kept', () => {
  assert.equal(bucketWidth(2, 10), 1);
  assert.equal(bucketWidth(12, 10), 1);
  assert.equal(bucketWidth(13, 10), 2);
  assert.equal(bucketWidth(100_002, 500), 256);
  const n = 100_000;
  const xs = range(n);
  const ys = xs.map((i) => Math.sin(i / 500) * 0.1 + 1);
  ys[31_337] = 50;
  ys[77_777] = -40;
  const out = downsampleFixed(xs, ys, 500);
  assert.ok(out.xs.length <= 2 * 500 + 2, `${out.xs.length} points`);
  assert.deepEqual([out.xs[0], out.xs.at(-1)], [0, n - 1]);
  assert.ok(out.xs.includes(31_337) && out.xs.includes(77_777), 'the spike and the dip survive');
  for (let i = 1; i < out.xs.length; i++) assert.ok(out.xs[i]! > out.xs[i - 1]!, 'x in order');
  assert.deepEqual(downsampleFixed([0, 1, 2], [5, NaN, 7], 10), { xs: [0, 1, 2], ys: [5, NaN, 7] });
});

/** A random stream: noise, plateaus (ties), spikes and non-finite values. */
function stream(rng: Rng, n: number): number[] {
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    ys.push(
      r < 0.05
        ? NaN
        : r < 0.07
          ? Infinity
          : r < 0.1
            ? rng.uniform(-100, 100)
            : r < 0.4
              ? Math.round(rng.uniform(0, 3))
              : rng.normal(),
    );
  }
  return ys;
}

test('the incremental downsampler equals downsampleFixed over the same points, cut anywhere', () => {
  const rng = new Rng(20_240_611);
  for (let trial = 0; trial < 60; trial++) {
    const n = Math.floor(rng.uniform(0, trial < 50 ? 400 : 5000));
    const buckets = Math.floor(rng.uniform(1, 40));
    const ys = stream(rng, n);
    const xs = ys.map((_, i) => (i + 1) / 7);
    const d = new Downsampler(buckets);
    let i = 0;
    while (i < n) {
      // Cut at a random place: a few points, or many at once.
      const to = Math.min(
        n,
        i + 1 + Math.floor(rng.next() < 0.7 ? rng.uniform(0, 5) : rng.uniform(0, 300)),
      );
      for (; i < to; i++) d.push(xs[i]!, ys[i]!);
      const got = d.points();
      const want = downsampleFixed(xs.slice(0, i), ys.slice(0, i), buckets);
      assert.deepEqual(
        { xs: [...got.xs], ys: [...got.ys] },
        want,
        `trial ${trial}: ${i} points, ${buckets} buckets`,
      );
    }
    assert.equal(d.length, n);
  }
});
