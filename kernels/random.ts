/**
 * Seeded randomness. TensorFlow.js has no global seed, so every initializer, dropout mask and
 * shuffle in the kernel draws from one of these, derived from the run's seed.
 */

/** Mixes integers into a 32-bit seed (so `derive(seed, layerId, step)` streams do not overlap). */
export function derive(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    const folded = (p | 0) ^ (Math.floor(p / 0x100000000) | 0);
    h ^= Math.imul(folded, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A small, fast, seeded generator (mulberry32): uniform floats, normals, integers, shuffles. */
export class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * Moves past the next `n` draws of `next` and returns the state they start from: draw i hashes
   * state + (i + 1)·0x6d2b79f5 alone, so a vector kernel can compute them all
   * (kernels/tfjs/fused's dropout masks), exactly as `next` would.
   */
  skip(n: number): number {
    const s = this.state;
    this.state = (s + Math.imul(n, 0x6d2b79f5)) >>> 0;
    return s;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[] | Int32Array | Uint32Array): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
  }
}
