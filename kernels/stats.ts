/**
 * The statistics of `rnnlab.compare`, pure: mean and standard deviation over seeds, paired tests
 * of two variants on their per-seed differences (a paired t-test, which decides, and an exact
 * sign-flip permutation test beside it), Holm's correction over all pairs, the mean difference
 * with its t interval, and the verdict sentence. docs/compare.md explains the method; the output
 * says it too (`METHOD`).
 */
import { Rng } from './random';

/** The adjusted p-value below which a difference is called real. */
export const ALPHA = 0.05;
/** Up to this many seeds the sign-flip test enumerates all 2^n sign patterns (65,536 at 16). */
export const EXACT_SIGN_FLIP_MAX = 16;
/** Beyond EXACT_SIGN_FLIP_MAX seeds, how many random sign patterns it draws (seeded). */
export const SIGN_FLIP_SAMPLES = 65_536;

/** How the verdict is reached, in words, for the output and the docs. */
export const METHOD =
  'Every variant is trained once per seed; a seed gives the runs of all variants the same batch order, ' +
  'and the same initial weights to variants whose trainable weight shapes match. Each pair of variants ' +
  'is compared on the per-seed differences of their best validation loss (the lowest val_loss over the ' +
  'epochs) with a two-sided paired t-test; the p-values are corrected for the number of pairs with ' +
  "Holm's step-down method, and a variant is named best only when it beats every other one at an " +
  `adjusted p below ${ALPHA}. The effect is the mean difference with its 95% t interval (not adjusted). ` +
  'An exact sign-flip permutation test (all 2^n sign patterns of the n differences; 65,536 random ' +
  'ones beyond 16 seeds), which does not assume normal differences, is reported beside it. The ' +
  'baseline is the validation loss of a constant prediction: the mean of the training targets ' +
  '(regression), or the class frequencies of the training targets (classification; its accuracy is ' +
  "the majority class's).";

// ---- descriptive ------------------------------------------------------------------------------

/** The finite values of a list (diverged runs report NaN). */
const finite = (xs: readonly number[]) => xs.filter((x) => Number.isFinite(x));

/** The mean; NaN for no values. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** The sample standard deviation (n − 1 in the denominator); 0 for one value, NaN for none. */
export function std(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  if (xs.length === 1) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** Mean and standard deviation over seeds as the output saves them (null where there are none). */
export interface Spread {
  mean: number | null;
  std: number | null;
  /** How many finite values they are over. */
  n: number;
}

/** The spread of the finite values of a list. */
export function spread(xs: readonly number[]): Spread {
  const f = finite(xs);
  return f.length === 0
    ? { mean: null, std: null, n: 0 }
    : { mean: mean(f), std: std(f), n: f.length };
}

// ---- Student's t distribution -----------------------------------------------------------------

/** Godfrey's Lanczos coefficients (g = 607/128, 15 terms): ln Γ to about 1e-15. */
const LANCZOS_G = 607 / 128;
const LANCZOS = [
  0.9999999999999971, 57.15623566586292, -59.59796035547549, 14.136097974741746,
  -0.4919138160976202, 3.399464998481189e-5, 4.652362892704858e-5, -9.837447530487956e-5,
  0.0001580887032249125, -0.00021026444172410488, 0.00021743961811521265, -0.0001643181065367639,
  8.441822398385275e-5, -2.6190838401581408e-5, 3.6899182659531625e-6,
];

/** ln Γ(x) for x > 0. */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (x + i);
  const t = x + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const nonZero = (v: number) => (Math.abs(v) < tiny ? tiny : v);
  let c = 1;
  let d = 1 / nonZero(1 - ((a + b) * x) / (a + 1));
  let h = d;
  /** One term `aa` of the fraction; returns the factor it changed h by. */
  const term = (aa: number): number => {
    d = 1 / nonZero(1 + aa * d);
    c = nonZero(1 + aa / c);
    h *= d * c;
    return d * c;
  };
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    term((m * (b - m) * x) / ((a + m2 - 1) * (a + m2)));
    const step = term((-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1)));
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x),
  );
  // The fraction converges fast on this side of the mean; the other side by symmetry.
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(x, a, b)) / a
    : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom: the two-sided p-value. */
export function tTwoSided(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** The quantile of Student's t: the t with P(T ≤ t) = p (0 < p < 1). */
export function tQuantile(p: number, df: number): number {
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  // P(T > t) = tail, found by bisection on the two-sided p (monotone in t).
  const target = 2 * (1 - p);
  let lo = 0;
  let hi = 1;
  while (tTwoSided(hi, df) > target && hi < 1e12) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (tTwoSided(mid, df) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// ---- paired tests -----------------------------------------------------------------------------

/** A two-sided paired t-test on differences, with the 95% t interval of their mean. */
export interface TTest {
  n: number;
  /** The mean difference (the effect). */
  mean: number;
  /** The differences' standard deviation. */
  sd: number;
  t: number;
  p: number;
  /** The 95% t interval of the mean difference. */
  ci: [number, number];
}

/** The paired t-test of per-seed differences (at least two). */
export function pairedTTest(diffs: readonly number[]): TTest {
  const n = diffs.length;
  const m = mean(diffs);
  const sd = std(diffs);
  if (n < 2) return { n, mean: m, sd, t: NaN, p: NaN, ci: [NaN, NaN] };
  const se = sd / Math.sqrt(n);
  // All differences equal: the t statistic is infinite (or 0/0 when they are all zero).
  const t = se === 0 ? (m === 0 ? 0 : Math.sign(m) * Infinity) : m / se;
  const half = tQuantile(0.975, n - 1) * se;
  return { n, mean: m, sd, t, p: tTwoSided(t, n - 1), ci: [m - half, m + half] };
}

/** A sign-flip permutation test of per-seed differences. */
export interface SignFlip {
  p: number;
  /** Whether every sign pattern was enumerated (else SIGN_FLIP_SAMPLES random ones). */
  exact: boolean;
  /** The smallest p-value this many differences can give: 2 / 2^n when exact. */
  minP: number;
}

/**
 * The two-sided sign-flip test: under "no difference" each per-seed difference is as likely
 * negative as positive, so the p-value is the share of sign patterns whose |sum| is at least the
 * observed one. Exact up to EXACT_SIGN_FLIP_MAX differences; beyond, SIGN_FLIP_SAMPLES patterns
 * drawn from `seed`, p = (1 + hits) / (1 + samples).
 */
export function signFlipTest(diffs: readonly number[], seed = 0): SignFlip {
  const n = diffs.length;
  if (n === 0) return { p: NaN, exact: true, minP: NaN };
  const observed = Math.abs(diffs.reduce((s, d) => s + d, 0));
  // Sums equal to the observed one up to rounding count as ties (at least as extreme).
  const tolerance = 1e-12 * diffs.reduce((s, d) => s + Math.abs(d), 0);
  const extreme = (sum: number) => Math.abs(sum) >= observed - tolerance;
  if (n <= EXACT_SIGN_FLIP_MAX) {
    const patterns = 2 ** n;
    let hits = 0;
    for (let mask = 0; mask < patterns; mask++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += mask & (1 << i) ? -diffs[i]! : diffs[i]!;
      if (extreme(sum)) hits++;
    }
    return { p: hits / patterns, exact: true, minP: 2 / patterns };
  }
  const rng = new Rng(seed);
  let hits = 0;
  for (let k = 0; k < SIGN_FLIP_SAMPLES; k++) {
    let sum = 0;
    for (const d of diffs) sum += rng.next() < 0.5 ? -d : d;
    if (extreme(sum)) hits++;
  }
  return {
    p: (1 + hits) / (1 + SIGN_FLIP_SAMPLES),
    exact: false,
    minP: 1 / (1 + SIGN_FLIP_SAMPLES),
  };
}

/**
 * Holm's step-down adjustment: the i-th smallest of m p-values (counting from 1) times
 * m − i + 1, made monotone and capped at 1. NaN (a pair that could not be tested) stays NaN and does not count in m.
 */
export function holm(ps: readonly number[]): number[] {
  const order = ps
    .map((p, i) => ({ p, i }))
    .filter((x) => !Number.isNaN(x.p))
    .sort((a, b) => a.p - b.p);
  const m = order.length;
  const out = ps.map(() => NaN);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}

// ---- comparing variants -----------------------------------------------------------------------

/** One variant's results: its best validation loss at each seed it finished. */
export interface VariantResult {
  name: string;
  /** seed → best validation loss (NaN for a run that diverged). */
  bySeed: ReadonlyMap<number, number>;
}

/** A paired comparison of two variants, `a` − `b` (negative: `a` has the lower loss). */
export interface PairComparison {
  a: string;
  b: string;
  /** The seeds both finished with a finite value. */
  n: number;
  mean_diff: number | null;
  ci: [number | null, number | null];
  t: number | null;
  p: number | null;
  /** The t-test's p adjusted by Holm over all pairs: what the verdict reads. */
  p_holm: number | null;
  p_sign_flip: number | null;
  p_sign_flip_holm: number | null;
  sign_flip_exact: boolean;
}

/** The baseline for the verdict: its validation loss and what it predicts. */
export interface BaselineResult {
  val_loss: number | null;
  predicts: string;
}

/** What the verdict is drawn from: all pairs, the variant with the lowest mean, and who is best. */
export interface Comparison {
  pairs: PairComparison[];
  /** The variant with the lowest mean best validation loss (null with no finished run). */
  lowest: string | null;
  /** `lowest`, when it beats every other variant at adjusted p < ALPHA; else null. */
  best: string | null;
  verdict: string;
}

const nullable = (x: number) => (Number.isFinite(x) ? x : null);

/** The paired differences of two variants' results, on the seeds both have a finite value of. */
function differences(a: VariantResult, b: VariantResult): number[] {
  const out: number[] = [];
  for (const [seed, va] of a.bySeed) {
    const vb = b.bySeed.get(seed);
    if (vb !== undefined && Number.isFinite(va) && Number.isFinite(vb)) out.push(va - vb);
  }
  return out;
}

/** Every pair of variants (in the order given), tested and Holm-corrected. */
export function comparePairs(variants: readonly VariantResult[]): PairComparison[] {
  const pairs: PairComparison[] = [];
  for (let i = 0; i < variants.length; i++) {
    for (let j = i + 1; j < variants.length; j++) {
      const d = differences(variants[i]!, variants[j]!);
      const t = d.length >= 2 ? pairedTTest(d) : null;
      const flip = d.length >= 1 ? signFlipTest(d, i * variants.length + j) : null;
      pairs.push({
        a: variants[i]!.name,
        b: variants[j]!.name,
        n: d.length,
        mean_diff: d.length ? nullable(mean(d)) : null,
        ci: t ? [nullable(t.ci[0]), nullable(t.ci[1])] : [null, null],
        t: t && !Number.isNaN(t.t) ? t.t : null,
        p: t ? nullable(t.p) : null,
        p_holm: null,
        p_sign_flip: flip && d.length >= 2 ? nullable(flip.p) : null,
        p_sign_flip_holm: null,
        sign_flip_exact: flip?.exact ?? true,
      });
    }
  }
  const adjusted = holm(pairs.map((p) => p.p ?? NaN));
  const flips = holm(pairs.map((p) => p.p_sign_flip ?? NaN));
  pairs.forEach((p, k) => {
    p.p_holm = nullable(adjusted[k]!);
    p.p_sign_flip_holm = nullable(flips[k]!);
  });
  return pairs;
}

/** A loss or a difference as the verdict prints it (3 significant digits). */
const num = (v: number | null) => (v === null ? '?' : Number(v.toPrecision(3)).toString());
/** A p-value as the verdict prints it: `0.012`, `< 0.001`. */
export function formatP(p: number | null): string {
  if (p === null) return '?';
  if (p < 0.001) return '< 0.001';
  return `= ${Number(p.toPrecision(2))}`;
}
const code = (name: string) => `\`${name}\``;
const seedsText = (n: number) => `${n} seed${n === 1 ? '' : 's'}`;

/** `a`, `a` and `b`, `a`, `b` and `c`. */
function list(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

/** The pair of `x` and `y`, oriented so that the difference reads `x` − `y`. */
function oriented(pair: PairComparison, x: string): PairComparison {
  if (pair.a === x) return pair;
  const flip = (v: number | null) => (v === null ? null : -v);
  return {
    ...pair,
    a: pair.b,
    b: pair.a,
    mean_diff: flip(pair.mean_diff),
    ci: [flip(pair.ci[1]), flip(pair.ci[0])],
    t: flip(pair.t),
  };
}

/**
 * How much lower `x`'s loss is than the other's, with the interval, for a pair oriented `x` − other:
 * `0.0123 lower than \`b\` (95% CI 0.0051 to 0.0195`, the parenthesis left open for the test.
 */
function lowerThan(p: PairComparison, rival = ''): string {
  const neg = (v: number | null) => (v === null ? null : -v);
  const below = neg(p.mean_diff);
  const amount =
    below === null || below === 0
      ? 'the same as'
      : below > 0
        ? `${num(below)} lower than`
        : `${num(-below)} higher than`;
  return `${amount} ${rival}${code(p.b)} (95% CI ${num(neg(p.ci[1]))} to ${num(neg(p.ci[0]))}`;
}

/** The fewest seeds with which the sign-flip test can reach ALPHA after Holm over m pairs. */
function seedsForSignFlip(m: number): number {
  // The smallest exact p is 2 / 2^n, and Holm multiplies the smallest by m.
  return Math.floor(Math.log2((2 * m) / ALPHA)) + 1;
}

const significant = (p: PairComparison) => p.p_holm !== null && p.p_holm < ALPHA;

/**
 * The comparison of variants by best validation loss: all pairs tested, the best named only
 * when it beats every other at a Holm-adjusted p below ALPHA, and the verdict in one paragraph.
 */
export function compareVariants(
  variants: readonly VariantResult[],
  baseline: BaselineResult | null,
): Comparison {
  const pairs = comparePairs(variants);
  const means = variants.map((v) => ({
    name: v.name,
    mean: mean(finite([...v.bySeed.values()])),
  }));
  const ranked = means.filter((m) => Number.isFinite(m.mean)).sort((a, b) => a.mean - b.mean);
  const lowest = ranked[0]?.name ?? null;
  const sentences: string[] = [];
  let best: string | null = null;
  if (!lowest) {
    sentences.push('No run finished: there is nothing to compare.');
  } else if (variants.length === 1) {
    sentences.push(`One variant, ${code(lowest)}: nothing to compare it with.`);
  } else if (pairs.every((p) => p.n < 2)) {
    sentences.push(
      'One seed per variant cannot tell a difference from noise: pass seeds=5 or more to compare the variants.',
    );
  } else {
    const others = pairs
      .filter((p) => p.a === lowest || p.b === lowest)
      .map((p) => oriented(p, lowest));
    const beaten = others.filter((p) => significant(p) && (p.mean_diff ?? 0) < 0);
    if (beaten.length === others.length) {
      best = lowest;
      // The closest rival: the smallest difference.
      const closest = [...others].sort((x, y) => (y.mean_diff ?? 0) - (x.mean_diff ?? 0))[0]!;
      const n = closest.n;
      sentences.push(
        variants.length === 2
          ? `${code(lowest)} generalises better: its best validation loss is ${lowerThan(closest)}; paired t-test over ${seedsText(n)}, Holm-adjusted p ${formatP(closest.p_holm)}).`
          : `${code(lowest)} generalises best of the ${variants.length} variants: in paired t-tests over ${seedsText(n)} it beats each of the others; its best validation loss is ${lowerThan(closest, 'the closest, ')}, Holm-adjusted p ${formatP(closest.p_holm)}).`,
      );
      const unconfirmed = others.some(
        (p) => p.p_sign_flip_holm === null || p.p_sign_flip_holm >= ALPHA,
      );
      if (unconfirmed) {
        const m = pairs.length;
        const floor = signFlipTest(new Array<number>(n).fill(1)).minP * m >= ALPHA;
        sentences.push(
          `The sign-flip permutation test, which does not assume normal differences, does not confirm it${floor ? `: with ${seedsText(n)} and ${m} comparison${m === 1 ? '' : 's'} it cannot reach p < ${ALPHA}; ${seedsForSignFlip(m)} seeds would let it` : ''}.`,
        );
      }
    } else {
      // The rival that stops the verdict: the least significant comparison with the lowest.
      const blocking = others
        .filter((p) => !beaten.includes(p))
        .sort(
          (x, y) =>
            (y.p_holm ?? 1) - (x.p_holm ?? 1) ||
            Math.abs(x.mean_diff ?? 0) - Math.abs(y.mean_diff ?? 0),
        )[0]!;
      const before =
        blocking.p !== null && blocking.p < ALPHA
          ? `; p ${formatP(blocking.p)} before Holm's correction for ${pairs.length} comparisons`
          : '';
      sentences.push(
        `Within the noise of ${seedsText(blocking.n)}: no variant is clearly best. The lowest mean, ${code(lowest)}, has a best validation loss ${lowerThan(blocking)}; paired t-test, Holm-adjusted p ${formatP(blocking.p_holm)}${before}).`,
      );
      const holds = pairs.filter(significant).map((p) => {
        const o = (p.mean_diff ?? 0) < 0 ? p : oriented(p, p.b);
        return `${code(o.a)} beats ${code(o.b)} (adjusted p ${formatP(o.p_holm)})`;
      });
      if (holds.length) sentences.push(`Differences that hold: ${list(holds)}.`);
    }
  }
  if (baseline && baseline.val_loss !== null && ranked.length) {
    const losing = ranked.filter((m) => m.mean >= baseline.val_loss!).map((m) => code(m.name));
    const base = `the trivial baseline (val_loss ${num(baseline.val_loss)}, predicting ${baseline.predicts})`;
    sentences.push(
      losing.length === 0
        ? `${ranked.length === 1 ? 'It beats' : 'Every variant beats'} ${base}.`
        : `${list(losing)} ${losing.length === 1 ? 'does' : 'do'} not beat ${base}: it learned nothing a constant prediction does not know.`,
    );
  }
  return { pairs, lowest, best, verdict: sentences.join(' ') };
}
