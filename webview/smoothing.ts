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

/**
 * `smooth` over a growing series, value by value: the average runs on as values arrive. While
 * every value so far is the same, they pass through as `smooth` leaves a constant series; at
 * the first different value the earlier ones are smoothed once (`restarts` then goes up, so a
 * consumer of `values` knows that earlier entries changed).
 */
export class Smoother {
  /** The smoothed values so far: what `smooth` gives for the values pushed. */
  readonly values: number[] = [];
  restarts = 0;
  private readonly w: number;
  private last = 0;
  private count = 0;
  private constant = true;
  private first = NaN;

  constructor(weight: number) {
    this.w = Math.min(Math.max(weight, 0), 1);
  }

  push(v: number): void {
    const out = this.values;
    if (out.length === 0) this.first = v;
    if (this.constant && out.length > 0 && v !== this.first) {
      this.constant = false;
      this.restarts++;
      // The values so far were all `first`: smoothed now, as `smooth` does.
      for (let i = 0; i < out.length; i++) out[i] = this.next(this.first);
    }
    out.push(this.constant ? v : this.next(v));
  }

  private next(v: number): number {
    if (!Number.isFinite(v)) return v;
    const w = this.w;
    this.last = this.last * w + (1 - w) * v;
    this.count++;
    return w === 1 ? this.last : this.last / (1 - w ** this.count);
  }
}
