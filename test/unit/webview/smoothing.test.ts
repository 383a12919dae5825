/** TensorBoard's debiased exponential moving average. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../../kernels/random';
import { smooth, Smoother } from '../../../webview/smoothing';

const close = (a: number[], b: number[]) =>
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-12, `${i}: ${v} vs ${b[i]}`));

test('weight 0 keeps the values; the first smoothed value is the first value (debiased)', () => {
  assert.deepEqual(smooth([3, 1, 2], 0), [3, 1, 2]);
  const s = smooth([10, 0, 0], 0.5);
  assert.equal(s[0], 10, 'not pulled towards the zero the average starts at');
});

test('matches TensorBoard: last = last*w + (1-w)*v, divided by 1 - w^n', () => {
  const w = 0.6;
  const values = [1, 2, 4, 3];
  let last = 0;
  const expected = values.map((v, i) => {
    last = last * w + (1 - w) * v;
    return last / (1 - w ** (i + 1));
  });
  close(smooth(values, w), expected);
});

test('non-finite values pass through and do not enter the average', () => {
  const s = smooth([1, NaN, 1, Infinity, 1], 0.9);
  assert.ok(Number.isNaN(s[1]));
  assert.equal(s[3], Infinity);
  close([s[0]!, s[2]!, s[4]!], [1, 1, 1]);
});

test('a constant series stays as it is; an empty one is empty', () => {
  assert.deepEqual(smooth([0.5, 0.5, 0.5], 0.99), [0.5, 0.5, 0.5]);
  assert.deepEqual(smooth([], 0.6), []);
});

test('the incremental smoother equals smooth over the same values, cut anywhere', () => {
  const rng = new Rng(7_211);
  for (let trial = 0; trial < 200; trial++) {
    const n = Math.floor(rng.uniform(0, 300));
    const weight = [0, 0.6, 0.99, 1, rng.next()][trial % 5]!;
    // Some streams stay constant for a while (passed through, then smoothed once).
    const constantFor = rng.next() < 0.4 ? Math.floor(rng.uniform(0, n + 2)) : 0;
    const c = [0.5, Infinity, 0, NaN][trial % 4]!;
    const values = Array.from({ length: n }, (_, i) => {
      if (i < constantFor) return c;
      const r = rng.next();
      return r < 0.05 ? NaN : r < 0.08 ? -Infinity : r < 0.3 ? c : rng.normal();
    });
    const s = new Smoother(weight);
    let i = 0;
    while (i < n) {
      const to = Math.min(n, i + 1 + Math.floor(rng.uniform(0, 20)));
      for (; i < to; i++) s.push(values[i]!);
      assert.deepEqual(s.values, smooth(values.slice(0, i), weight), `trial ${trial}: ${i} values`);
    }
    assert.equal(s.values.length, n);
  }
});

test('a constant stream is passed through, then smoothed once when it changes', () => {
  const s = new Smoother(0.5);
  for (const v of [2, 2, 2]) s.push(v);
  assert.deepEqual(s.values, [2, 2, 2]);
  assert.equal(s.restarts, 0);
  s.push(4);
  assert.equal(s.restarts, 1);
  assert.deepEqual(s.values, smooth([2, 2, 2, 4], 0.5));
});
