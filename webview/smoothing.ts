/**
 * TensorBoard's smoothing: an exponential moving average, debiased so that the first points are
 * not pulled towards zero (the average starts at 0; dividing by 1 - weight^n undoes that).
 * Non-finite values pass through and do not enter the average; a constant series stays as is.
 */
export function smooth(values: ArrayLike<number>, weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), 1);
  const out = new Array<number>(values.length);
  const first = values[0];
  let constant = true;
  for (let i = 1; i < values.length && constant; i++) constant = values[i] === first;
  let last = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (constant || !Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * w + (1 - w) * v;
    count++;
    out[i] = w === 1 ? last : last / (1 - w ** count);
  }
  return out;
}
