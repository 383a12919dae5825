/**
 * Min/max downsampling for line charts: per bucket (about a pixel column) the lowest and the
 * highest point, in x order, so spikes survive; the first and last points are always kept.
 * Non-finite values are dropped inside a bucket (a NaN would hide the bucket's extremes).
 */
export interface Points {
  xs: number[];
  ys: number[];
}

export function downsample(xs: ArrayLike<number>, ys: ArrayLike<number>, buckets: number): Points {
  const n = Math.min(xs.length, ys.length);
  const b = Math.max(1, Math.floor(buckets));
  if (n <= 2 * b + 2) return { xs: Array.from(xs).slice(0, n), ys: Array.from(ys).slice(0, n) };
  const out: Points = { xs: [xs[0]!], ys: [ys[0]!] };
  // Buckets split the points between the first and the last, which are kept on their own.
  const inner = n - 2;
  for (let k = 0; k < b; k++) {
    const from = 1 + Math.floor((k * inner) / b);
    const to = 1 + Math.floor(((k + 1) * inner) / b);
    pushExtremes(out, xs, ys, ...extremes(ys, from, to));
  }
  out.xs.push(xs[n - 1]!);
  out.ys.push(ys[n - 1]!);
  return out;
}

/** The indices of the lowest and the highest finite value in [from, to), -1 when none is finite. */
function extremes(ys: ArrayLike<number>, from: number, to: number): [number, number] {
  let lo = -1;
  let hi = -1;
  for (let i = from; i < to; i++) {
    const y = ys[i]!;
    if (!Number.isFinite(y)) continue;
    if (lo < 0 || y < ys[lo]!) lo = i;
    if (hi < 0 || y > ys[hi]!) hi = i;
  }
  return [lo, hi];
}

/**
 * The width of the buckets `downsampleFixed` uses for `n` points: the smallest power of two
 * that splits the inner points (all but the first and the last) into at most `buckets`.
 */
export function bucketWidth(n: number, buckets: number): number {
  const b = Math.max(1, Math.floor(buckets));
  const inner = Math.max(0, n - 2);
  let w = 1;
  while (Math.ceil(inner / w) > b) w *= 2;
  return w;
}

/**
 * Min/max downsampling with buckets of a fixed width (`bucketWidth`): the inner point i falls
 * in bucket ⌊(i - 1) / width⌋, so a bucket, once full, never changes as points are appended.
 * This is what `Downsampler` computes incrementally; the rules are `downsample`'s (at most two
 * points a bucket, spikes and both ends kept, non-finite values dropped inside a bucket, every
 * point kept while there are at most 2 × buckets + 2).
 */
export function downsampleFixed(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  buckets: number,
): Points {
  const n = Math.min(xs.length, ys.length);
  const b = Math.max(1, Math.floor(buckets));
  if (n <= 2 * b + 2) return { xs: Array.from(xs).slice(0, n), ys: Array.from(ys).slice(0, n) };
  const w = bucketWidth(n, b);
  const out: Points = { xs: [xs[0]!], ys: [ys[0]!] };
  for (let from = 1; from < n - 1; from += w) {
    pushExtremes(out, xs, ys, ...extremes(ys, from, Math.min(from + w, n - 1)));
  }
  out.xs.push(xs[n - 1]!);
  out.ys.push(ys[n - 1]!);
  return out;
}

/** A bucket's lowest and highest points, in x order (one point when they are the same). */
function pushExtremes(
  out: Points,
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  lo: number,
  hi: number,
): void {
  if (lo < 0) return;
  const a = Math.min(lo, hi);
  const z = Math.max(lo, hi);
  out.xs.push(xs[a]!);
  out.ys.push(ys[a]!);
  if (z !== a) {
    out.xs.push(xs[z]!);
    out.ys.push(ys[z]!);
  }
}

/**
 * `downsampleFixed` over a growing series, point by point: the points are kept in growable
 * typed arrays, a full bucket keeps its extremes (two indices) for good, and only the open,
 * last bucket takes the new points. When the bucket width must double, the kept buckets are
 * merged in pairs (no point is read again), so the work per point is amortised constant.
 */
export class Downsampler {
  private xs = new Float64Array(1024);
  private ys = new Float64Array(1024);
  private n = 0;
  private width = 1;
  /** The extremes (indices, -1 when none is finite) of the full buckets, in order. */
  private los: number[] = [];
  private his: number[] = [];
  /** The extremes of the open bucket (the inner points after the full buckets). */
  private openLo = -1;
  private openHi = -1;
  private openCount = 0;
  /** The drawn points of the first point and the full buckets, appended to as buckets fill. */
  private out: Points = { xs: [], ys: [] };
  private committed = { buckets: 0, length: 0, width: 0 };
  readonly buckets: number;

  constructor(buckets: number) {
    this.buckets = Math.max(1, Math.floor(buckets));
  }

  get length(): number {
    return this.n;
  }

  push(x: number, y: number): void {
    if (this.n === this.xs.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.xs = grow(this.xs);
      this.ys = grow(this.ys);
    }
    this.xs[this.n] = x;
    this.ys[this.n] = y;
    this.n++;
    // The point that was the last one is now an inner point, in the open bucket.
    if (this.n >= 3) this.enter(this.n - 2);
  }

  private enter(i: number): void {
    const y = this.ys[i]!;
    if (Number.isFinite(y)) {
      if (this.openLo < 0 || y < this.ys[this.openLo]!) this.openLo = i;
      if (this.openHi < 0 || y > this.ys[this.openHi]!) this.openHi = i;
    }
    this.openCount++;
    this.closeIfFull();
    while (this.los.length + (this.openCount > 0 ? 1 : 0) > this.buckets) this.double();
  }

  /** A full open bucket becomes a kept one. */
  private closeIfFull(): void {
    if (this.openCount === this.width) {
      this.los.push(this.openLo);
      this.his.push(this.openHi);
      this.openLo = this.openHi = -1;
      this.openCount = 0;
    }
  }

  private lower(a: number, b: number): number {
    return a < 0 ? b : b < 0 ? a : this.ys[b]! < this.ys[a]! ? b : a;
  }

  private higher(a: number, b: number): number {
    return a < 0 ? b : b < 0 ? a : this.ys[b]! > this.ys[a]! ? b : a;
  }

  /** Doubles the bucket width: full buckets merge in pairs; an odd one joins the open bucket. */
  private double(): void {
    const full = this.los.length;
    const los: number[] = [];
    const his: number[] = [];
    for (let k = 0; k + 1 < full; k += 2) {
      los.push(this.lower(this.los[k]!, this.los[k + 1]!));
      his.push(this.higher(this.his[k]!, this.his[k + 1]!));
    }
    if (full % 2 === 1) {
      this.openLo = this.lower(this.los[full - 1]!, this.openLo);
      this.openHi = this.higher(this.his[full - 1]!, this.openHi);
      this.openCount += this.width;
    }
    this.los = los;
    this.his = his;
    this.width *= 2;
    this.closeIfFull();
  }

  /**
   * What `downsampleFixed` gives for the points so far. The arrays are the downsampler's own,
   * valid until the next push: copy them to keep them.
   */
  points(): Points {
    const { xs, ys, n } = this;
    if (n <= 2 * this.buckets + 2) {
      const all = { xs: Array.from(xs.subarray(0, n)), ys: Array.from(ys.subarray(0, n)) };
      this.out = { xs: [], ys: [] };
      this.committed = { buckets: 0, length: 0, width: 0 };
      return all;
    }
    const out = this.out;
    if (this.committed.width !== this.width) {
      out.xs.length = out.ys.length = 0;
      out.xs.push(xs[0]!);
      out.ys.push(ys[0]!);
      this.committed = { buckets: 0, length: 1, width: this.width };
    }
    out.xs.length = out.ys.length = this.committed.length;
    for (let k = this.committed.buckets; k < this.los.length; k++)
      pushExtremes(out, xs, ys, this.los[k]!, this.his[k]!);
    this.committed.buckets = this.los.length;
    this.committed.length = out.xs.length;
    pushExtremes(out, xs, ys, this.openLo, this.openHi);
    out.xs.push(xs[n - 1]!);
    out.ys.push(ys[n - 1]!);
    return out;
  }
}
