/**
 * The statistics of `rnnlab.compare` on constructed results: Student's t against published
 * values, the paired t-test and the sign-flip test by hand, Holm's correction, and the verdict
 * for a clear difference, one within the noise, and several variants where only Holm's
 * correction changes it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ALPHA,
  compareVariants,
  comparePairs,
  holm,
  mean,
  pairedTTest,
  signFlipTest,
  spread,
  std,
  tQuantile,
  tTwoSided,
  type VariantResult,
} from '../../../kernels/stats';

const close = (actual: number, expected: number, tolerance: number, what = '') =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what} ${actual} is not within ${tolerance} of ${expected}`,
  );

/** A variant's best validation losses, seed i at index i. */
const variant = (name: string, values: number[]): VariantResult => ({
  name,
  bySeed: new Map(values.map((v, i) => [i, v])),
});

const BASELINE = { val_loss: 0.167, predicts: "the training targets' mean" };

test('mean, sample standard deviation and spread (non-finite values left out)', () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
  close(std([1, 2, 3, 4]), Math.sqrt(5 / 3), 1e-12);
  assert.equal(std([7]), 0);
  assert.ok(Number.isNaN(mean([])));
  assert.deepEqual(spread([1, NaN, 3]), { mean: 2, std: Math.SQRT2, n: 2 });
  assert.deepEqual(spread([NaN]), { mean: null, std: null, n: 0 });
});

test("Student's t: quantiles and two-sided p-values match the published tables", () => {
  // t(0.975) for 1, 2, 4, 9 and 30 degrees of freedom (any statistics table).
  for (const [df, t] of [
    [1, 12.7062],
    [2, 4.3027],
    [4, 2.7764],
    [9, 2.2622],
    [30, 2.0423],
  ] as const)
    close(tQuantile(0.975, df), t, 1e-4, `t(0.975, ${df})`);
  close(tQuantile(0.025, 4), -2.7764, 1e-4);
  // P(|T| > 2) with 5 df is 0.1019; with 1 df, P(|T| > 1) is exactly 0.5.
  close(tTwoSided(2, 5), 0.101939, 1e-5);
  close(tTwoSided(1, 1), 0.5, 1e-9);
  close(tTwoSided(2.228139, 10), 0.05, 1e-5);
  assert.equal(tTwoSided(0, 3), 1);
  assert.equal(tTwoSided(Infinity, 3), 0);
});

test('the paired t-test of differences, with its 95% t interval', () => {
  const r = pairedTTest([1, 2, 3, 4, 5]);
  assert.equal(r.n, 5);
  assert.equal(r.mean, 3);
  // sd = sqrt(2.5), se = sd / sqrt(5), t = 3 / se = 4.2426, df 4: p = 0.01324.
  close(r.t, 4.242641, 1e-6);
  close(r.p, 0.013236, 1e-5);
  const half = 2.776445 * Math.sqrt(2.5 / 5);
  close(r.ci[0], 3 - half, 1e-5);
  close(r.ci[1], 3 + half, 1e-5);
  // Identical differences: no spread, an infinite t; all zero: no difference at all.
  assert.equal(pairedTTest([0.01, 0.01, 0.01]).p, 0);
  assert.equal(pairedTTest([0, 0, 0]).p, 1);
  assert.ok(Number.isNaN(pairedTTest([0.3]).p), 'one difference cannot be tested');
});

test('the sign-flip test enumerates every sign pattern up to 16 differences', () => {
  // All 3 positive: only the identity and the all-flipped pattern reach |sum| = 6 of 8.
  assert.deepEqual(signFlipTest([1, 2, 3]), { p: 0.25, exact: true, minP: 0.25 });
  // {1, 2, -3}: |sum| 0; every pattern is at least as extreme.
  assert.equal(signFlipTest([1, 2, -3]).p, 1);
  // 6 equal positive differences: 2 of 64 patterns.
  assert.equal(signFlipTest([1, 1, 1, 1, 1, 1]).p, 2 / 64);
  // By hand for [1, 2, 3, 4]: sums of ±1±2±3±4 with |sum| ≥ 10 are 2 of 16; ≥ 8 (flip 1) 4.
  assert.equal(signFlipTest([1, 2, 3, 4]).p, 2 / 16);
  assert.equal(signFlipTest([-1, 2, 3, 4]).p, 4 / 16);
  assert.equal(signFlipTest(new Array<number>(16).fill(0.1)).exact, true);
});

test('beyond 16 differences the sign-flip test samples 65,536 patterns, seeded', () => {
  const diffs = Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? -0.01 : 0.02));
  const a = signFlipTest(diffs, 7);
  assert.equal(a.exact, false);
  assert.deepEqual(signFlipTest(diffs, 7), a, 'the same seed, the same p');
  // 15 of 20 differences positive by twice as much: far in the tail, but never 0.
  assert.ok(a.p > 0 && a.p < 0.01, String(a.p));
  const noise = signFlipTest(
    Array.from({ length: 20 }, (_, i) => (i % 2 ? 0.01 : -0.01)),
    7,
  );
  assert.equal(noise.p, 1);
});

test("Holm's step-down correction: ordered, multiplied, monotone, capped; NaN stays out", () => {
  // m = 3: 0.01 × 3 = 0.03; 0.03 × 2 = 0.06; 0.04 × 1 = 0.04 → raised to 0.06.
  assert.deepEqual(holm([0.04, 0.01, 0.03]), [0.06, 0.03, 0.06]);
  assert.deepEqual(holm([0.5, 0.9]), [1, 1]);
  const withNaN = holm([0.01, NaN, 0.02]);
  assert.deepEqual(
    withNaN.map((p) => (Number.isNaN(p) ? 'nan' : p)),
    [0.02, 'nan', 0.02],
  );
});

test('a clear difference: the better variant is named, with the effect and its interval', () => {
  const c = compareVariants(
    [
      variant('dropout_layer', [0.151, 0.149, 0.152, 0.15, 0.153]),
      variant('gru_dropout', [0.121, 0.124, 0.119, 0.122, 0.12]),
    ],
    BASELINE,
  );
  assert.equal(c.best, 'gru_dropout');
  assert.equal(c.pairs.length, 1);
  const pair = c.pairs[0]!;
  assert.equal(pair.n, 5);
  close(pair.mean_diff!, 0.0298, 1e-9);
  assert.ok(pair.ci[0]! > 0, 'the interval excludes 0');
  assert.ok(pair.p_holm! < ALPHA);
  assert.equal(pair.p_holm, pair.p, 'one comparison: Holm changes nothing');
  assert.match(
    c.verdict,
    /^`gru_dropout` generalises better: its best validation loss is 0\.0298 lower than `dropout_layer` \(95% CI 0\.02\d+ to 0\.03\d+; paired t-test over 5 seeds, Holm-adjusted p < 0\.001\)\./,
  );
  // Five seeds: the sign-flip test cannot go below 2/32 = 0.0625, and the verdict says so.
  assert.match(
    c.verdict,
    /does not confirm it: with 5 seeds and 1 comparison .* 6 seeds would let it/,
  );
  assert.match(c.verdict, /Every variant beats the trivial baseline \(val_loss 0\.167/);
});

test('enough seeds: the sign-flip test confirms a clear difference and the verdict says no more', () => {
  const a = [0.151, 0.149, 0.152, 0.15, 0.153, 0.148, 0.15];
  const c = compareVariants(
    [
      variant('a', a),
      variant(
        'b',
        a.map((v, i) => v - 0.03 + 0.001 * (i % 3)),
      ),
    ],
    null,
  );
  assert.equal(c.best, 'b');
  assert.ok(c.pairs[0]!.p_sign_flip! < ALPHA);
  assert.doesNotMatch(c.verdict, /sign-flip/);
});

test('a difference within the noise: nobody is named, and the verdict says so', () => {
  const c = compareVariants(
    [
      variant('dropout_layer', [0.151, 0.139, 0.162, 0.148, 0.155]),
      variant('gru_dropout', [0.149, 0.147, 0.153, 0.151, 0.152]),
    ],
    BASELINE,
  );
  assert.equal(c.best, null);
  assert.equal(c.lowest, 'gru_dropout');
  assert.ok(c.pairs[0]!.p! > ALPHA);
  assert.match(
    c.verdict,
    /^Within the noise of 5 seeds: no variant is clearly best\. The lowest mean, `gru_dropout`, has a best validation loss 0\.0006 lower than `dropout_layer` \(95% CI -0\.0\d+ to 0\.0\d+; paired t-test, Holm-adjusted p = 0\.\d+\)\./,
  );
  assert.doesNotMatch(c.verdict, /before Holm/);
});

test("several variants where only Holm's correction changes the verdict", () => {
  // `a` beats `b` and `c` at p = 0.030 and 0.031 on their own, but there are 3 comparisons:
  // Holm makes them 0.090 (0.030 × 3, and 0.031 × 2 raised to keep the order).
  const a = [0.1, 0.11, 0.12, 0.1, 0.11];
  const b = [0.106, 0.112, 0.129, 0.101, 0.117];
  const c = [0.108, 0.111, 0.126, 0.102, 0.119];
  const result = compareVariants([variant('a', a), variant('b', b), variant('c', c)], BASELINE);
  const ab = result.pairs.find((p) => p.a === 'a' && p.b === 'b')!;
  const ac = result.pairs.find((p) => p.a === 'a' && p.b === 'c')!;
  close(ab.p!, 0.03002, 1e-4, 'a − b unadjusted');
  close(ac.p!, 0.031, 1e-4, 'a − c unadjusted');
  close(ab.p_holm!, 3 * ab.p!, 1e-12, 'a − b adjusted');
  close(ac.p_holm!, 3 * ab.p!, 1e-12, 'a − c adjusted, raised to keep the order');
  assert.equal(result.best, null, 'the correction takes the verdict away');
  assert.match(
    result.verdict,
    /^Within the noise of 5 seeds: no variant is clearly best\. The lowest mean, `a`, has a best validation loss 0\.005 lower than `b` \(95% CI 0\.000\d+ to 0\.0\d+; paired t-test, Holm-adjusted p = 0\.09; p = 0\.03 before Holm's correction for 3 comparisons\)\./,
  );
  assert.doesNotMatch(result.verdict, /Differences that hold/);
  // Without the third variant there is one comparison, and `a` is named.
  assert.equal(compareVariants([variant('a', a), variant('b', b)], null).best, 'a');
});

test('differences that hold are listed when no variant beats all the others', () => {
  const worse = [0.2, 0.21, 0.22, 0.2, 0.21];
  const result = compareVariants(
    [
      variant('a', [0.1, 0.11, 0.12, 0.1, 0.11]),
      variant('b', [0.101, 0.112, 0.118, 0.103, 0.109]),
      variant('c', worse),
    ],
    BASELINE,
  );
  assert.equal(result.best, null);
  assert.match(
    result.verdict,
    /Differences that hold: `a` beats `c` \(adjusted p < 0\.001\) and `b` beats `c` \(adjusted p < 0\.001\)\./,
  );
  assert.match(
    result.verdict,
    /`c` does not beat the trivial baseline \(val_loss 0\.167, predicting/,
  );
});

test('several variants with a clear winner: named, with the closest rival', () => {
  const c = compareVariants(
    [
      variant('none', [0.2, 0.21, 0.22, 0.2, 0.21]),
      variant('layer', [0.15, 0.152, 0.149, 0.151, 0.15]),
      variant('arg', [0.12, 0.121, 0.119, 0.122, 0.12]),
    ],
    null,
  );
  assert.equal(c.best, 'arg');
  assert.match(
    c.verdict,
    /^`arg` generalises best of the 3 variants: in paired t-tests over 5 seeds it beats each of the others; its best validation loss is 0\.03 lower than the closest, `layer`/,
  );
  assert.equal(c.pairs.length, 3);
});

test('one seed cannot tell; diverged runs are left out of the pairs', () => {
  const one = compareVariants([variant('a', [0.1]), variant('b', [0.2])], BASELINE);
  assert.equal(one.best, null);
  assert.match(one.verdict, /^One seed per variant cannot tell a difference from noise/);
  const pairs = comparePairs([variant('a', [0.1, NaN, 0.12]), variant('b', [0.2, 0.21, 0.2])]);
  assert.equal(pairs[0]!.n, 2, 'the seed where a diverged is not a pair');
});
