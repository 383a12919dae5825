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
  const push = (i: number) => {
    out.xs.push(xs[i]!);
    out.ys.push(ys[i]!);
  };
  // Buckets split the points between the first and the last, which are kept on their own.
  const inner = n - 2;
  for (let k = 0; k < b; k++) {
    const from = 1 + Math.floor((k * inner) / b);
    const to = 1 + Math.floor(((k + 1) * inner) / b);
    let lo = -1;
    let hi = -1;
    for (let i = from; i < to; i++) {
      const y = ys[i]!;
      if (!Number.isFinite(y)) continue;
      if (lo < 0 || y < ys[lo]!) lo = i;
      if (hi < 0 || y > ys[hi]!) hi = i;
    }
    if (lo < 0) continue;
    // Both extremes, in x order (one point when they are the same).
    const [a, b2] = lo < hi ? [lo, hi] : [hi, lo];
    push(a);
    if (b2 !== a) push(b2);
  }
  push(n - 1);
  return out;
}
