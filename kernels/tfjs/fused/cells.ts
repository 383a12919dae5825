/**
 * One step of SimpleRNN, LSTM and GRU (both reset_after modes), forward and backward, as Keras 3
 * defines the cells (see ../layers/recurrent for the weight layout and gate order): the step's
 * recurrent product(s) and one call of a gate kernel (./kernels) over the batch. The time loop,
 * masks and weight gradients are ./sequence's.
 *
 * Operands are passed as (element offset, row stride) pairs: a gate's block of a (B, G·u) row is
 * its column offset with stride G·u.
 */
import type { Region } from './device';
import { FusedSequence, type FusedSpec, type Group } from './sequence';

type Dims = readonly [number, number, number];

/** Keras `SimpleRNN`: h = act(x·W + b + a·U). */
export class SimpleRNNSequence extends FusedSequence {
  constructor(spec: FusedSpec, dims: Dims) {
    super(spec, dims, 1, 1, 0);
  }

  protected forwardStep(s: number): void {
    const { B, u } = this;
    const z = this.tmp('z', B * u);
    this.project(s, 0, u, z, false);
    const p = this.p(s);
    this.row['simpleForward']!(B, u, p.off, u, z.off, u, this.h(s + 1).off, u, ...this.act);
  }

  protected backwardStep(s: number): void {
    const { B, u } = this;
    const dz = this.dzx(s);
    const [dn, dp] = [this.dHn.off, this.dHp.off];
    this.row['simpleBackward']!(B, u, dn, u, this.p(s).off, u, dz.off, u, dp, u, ...this.act);
    this.zeroMasked(s, [[dz, u, u]]);
  }
}

/** Keras `LSTM`: gates i, f, c, o; states h, c. */
export class LSTMSequence extends FusedSequence {
  constructor(spec: FusedSpec, dims: Dims) {
    super(spec, dims, 4, 2, 0);
  }

  protected forwardStep(s: number): void {
    const { B, u, GU } = this;
    const z = this.tmp('z', B * GU);
    this.project(s, 0, GU, z, false);
    const p = this.p(s).off;
    const zo = z.off;
    this.row['lstmForward']!(
      B,
      u,
      ...[p, GU, p + u, GU, p + 2 * u, GU, p + 3 * u, GU],
      ...[zo, GU, zo + u, GU, zo + 2 * u, GU, zo + 3 * u, GU],
      ...[this.c(s).off, u, this.c(s + 1).off, u, this.tc(s).off, u, this.h(s + 1).off, u],
      ...this.act,
    );
  }

  protected backwardStep(s: number): void {
    const { B, u, GU } = this;
    const p = this.p(s).off;
    const dz = this.dzx(s);
    const z = dz.off;
    this.row['lstmBackward']!(
      B,
      u,
      ...[this.dHn.off, u, this.tc(s).off, u],
      ...[p, GU, p + u, GU, p + 2 * u, GU, p + 3 * u, GU],
      ...[this.c(s).off, u, this.dC.off, u],
      ...[z, GU, z + u, GU, z + 2 * u, GU, z + 3 * u, GU],
      ...[this.dCp.off, u, this.dHp.off, u],
      ...this.act,
    );
    this.zeroMasked(s, [[dz, GU, GU]]);
  }
}

/**
 * Keras `GRU`, gates z, r, h; h' = hh + z·(h − hh), with the unmasked previous state.
 * reset_after (default): hh = act(x_h + r ⊙ (a·U_h + b_rec,h)), one recurrent product per step.
 * Otherwise: hh = act(x_h + (r ⊙ a_h)·U_h), a second product after r.
 */
export class GRUSequence extends FusedSequence {
  constructor(spec: FusedSpec, dims: Dims) {
    // One (B, u) buffer per step: r_h (reset_after) or the h gate's product input (otherwise).
    super(spec, dims, 3, 1, 1);
  }

  protected override separateRecurrentGrad(): boolean {
    return this.spec.resetAfter;
  }

  protected override recurrentColumns(): Array<[number, number]> {
    return this.spec.resetAfter ? [[0, this.GU]] : [[0, 2 * this.u]];
  }

  protected override recurrentGroups(): Group[] {
    if (this.spec.resetAfter) return super.recurrentGroups();
    const u = this.u;
    const zr =
      this.recurrentMaskCount > 1
        ? [
            { c0: 0, c1: u, rows: this.aAll(0), bias: false, mask: null },
            { c0: u, c1: 2 * u, rows: this.aAll(1), bias: false, mask: null },
          ]
        : [{ c0: 0, c1: 2 * u, rows: this.aAll(0), bias: false, mask: null }];
    return [...zr, { c0: 2 * u, c1: 3 * u, rows: this.extraAll(0), bias: false, mask: null }];
  }

  protected forwardStep(s: number): void {
    const { B, u, GU } = this;
    const p = this.p(s).off;
    const hp = this.h(s).off;
    const hn = this.h(s + 1).off;
    const e = this.extra(0, s);
    if (this.spec.resetAfter) {
      const z = this.tmp('z', B * GU);
      this.project(s, 0, GU, z, true);
      const zo = z.off;
      this.row['gruForward']!(
        B,
        u,
        ...[p, GU, p + u, GU, p + 2 * u, GU],
        ...[zo, GU, zo + u, GU, zo + 2 * u, GU],
        ...[hp, u, e.off, u, hn, u],
        ...this.act,
      );
      return;
    }
    const w = 2 * u;
    const z = this.tmp('z', B * w);
    this.project(s, 0, w, z, false);
    const a = this.a(2, s).off;
    this.row['gruGates']!(
      B,
      u,
      p,
      GU,
      p + u,
      GU,
      z.off,
      w,
      z.off + u,
      w,
      a,
      u,
      e.off,
      u,
      ...this.act,
    );
    const zh = this.tmp('zh', B * u);
    this.dev.gemm(zh, e, this.uBlock(2 * u, 3 * u), B, u, u);
    this.row['gruCandidate']!(B, u, p + 2 * u, GU, zh.off, u, p, GU, hp, u, hn, u, ...this.act);
  }

  protected backwardStep(s: number): void {
    const { B, u, GU } = this;
    const p = this.p(s).off;
    const hp = this.h(s).off;
    const e = this.extra(0, s).off;
    const dzx = this.dzx(s);
    const x = dzx.off;
    const dn = this.dHn.off;
    const dp = this.dHp.off;
    if (this.spec.resetAfter) {
      const dzr = this.dzr(s);
      const r = dzr.off;
      this.row['gruBackward']!(
        B,
        u,
        ...[dn, u, p, GU, p + u, GU, p + 2 * u, GU, hp, u, e, u],
        ...[x, GU, x + u, GU, x + 2 * u, GU],
        ...[r, GU, r + u, GU, r + 2 * u, GU],
        ...[dp, u],
        ...this.act,
      );
      this.zeroMasked(s, [
        [dzx, GU, GU],
        [dzr, GU, GU],
        [this.dHp, u, u],
      ]);
      return;
    }
    // reset_after=False: back through (r ⊙ a_h)·U_h before the z and r gates.
    const dph = this.tmp('dph', B * u);
    this.row['gruBackwardCandidate']!(
      B,
      u,
      ...[dn, u, p, GU, p + 2 * u, GU, hp, u],
      ...[x, GU, x + 2 * u, GU, dph.off, u, dp, u],
      ...this.act,
    );
    this.zeroMasked(s, [
      [dzx, GU, GU],
      [dph, u, u],
      [this.dHp, u, u],
    ]);
    const dah: Region = this.tmp('dah', B * u);
    this.dev.gemm(dah, dph, this.uBlockT(2 * u, 3 * u), B, u, u);
    const a = this.a(2, s).off;
    const m = this.recMask(2).off;
    this.row['gruBackwardReset']!(
      B,
      u,
      dah.off,
      u,
      a,
      u,
      p + u,
      GU,
      m,
      u,
      x + u,
      GU,
      dp,
      u,
      ...this.act,
    );
  }
}
