/** TensorBoard's debiased exponential moving average. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smooth } from '../../../webview/smoothing';

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
