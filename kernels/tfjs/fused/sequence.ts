/**
 * The time loop of a fused recurrent layer, forward and backpropagation through time, over a
 * `Device`'s memory. The cells (./cells) run the gate arithmetic of one step (a WebAssembly
 * kernel, ./kernels); everything shared lives here: the input projection, the recurrent products
 * with their dropout masks, sequence masks, outputs, and the weight gradients.
 *
 * Every buffer is indexed by processing step s (s = t, or T−1−t with go_backwards) and is
 * time-major: step s of a (T, B, n) buffer is the contiguous (B, n) block at s·B·n.
 *
 * Forward: the inputs are gathered in processing order with their dropout masks applied
 * (Xp, one copy per gate with per-gate masks), projected in one product P = Xp·W + b (one per gate
 * with per-gate masks), then each step runs one product A_s·U (one per gate with per-gate
 * recurrent masks, where A_s is the state with its mask applied) and the cell's gates, written
 * over P_s. What the backward pass needs (P with the gates, the states, the masked states) is
 * kept in one buffer, `keep`, a tensor the caller saves for the gradient.
 *
 * Backward: per step (in reverse) the cell turns dh (and dc) into dZ_s, the gradient of the
 * gates' pre-activations, and one product dZ_s·Uᵀ carries it to the previous state. The weight
 * gradients come after the loop from whole-sequence products, dZᵀ·[A | Xp | 1], which give dU, dW
 * and db at once (XNNPACK packs its right operand, a few ns a float, so the narrow side is it);
 * dx = dZ·Wᵀ.
 *
 * Sequence masks (Keras masking): a masked step keeps the previous states; its output is the
 * previous output (or zeros with zero_output_for_mask), as the layers in ../layers/recurrent do.
 * Masked samples are handled by small JS loops over the memory; everything else is kernels.
 */
import { sub, type Device, type Output, type Region } from './device';
import type { KernelFn } from './kernels';

/** Gate activations the fused path computes (both through the logistic function). */
export type GateActivation = 'sigmoid' | 'tanh';

export interface FusedSpec {
  kind: 'simple' | 'lstm' | 'gru';
  units: number;
  activation: GateActivation;
  recurrentActivation: GateActivation;
  /** GRU only. */
  resetAfter: boolean;
  goBackwards: boolean;
  returnSequences: boolean;
  returnState: boolean;
  zeroOutputForMask: boolean;
  useBias: boolean;
  /** Whether initial states are inputs (and get gradients). */
  initialState: boolean;
  /** Input dropout masks (batch·features each): none, one shared, or one per gate. */
  inputMasks: readonly Float32Array[];
  /** Recurrent dropout masks (batch·units each): none, one shared, or one per gate. */
  recurrentMasks: readonly Float32Array[];
  /** Keras sequence mask, (batch, timesteps): 1 keeps a step, 0 masks it; null for none. */
  sequenceMask: Uint8Array | null;
}

/** The tensors of one call, as regions. */
export interface SequenceInputs {
  x: Region;
  kernel: Region;
  recurrentKernel: Region;
  bias: Region | null;
  /** [h0] or [h0, c0], or empty (zeros). */
  initial: Region[];
}

/** The backward pass's results; dx comes later (`inputGradient`), only if it is asked for. */
export interface SequenceGrads {
  kernel: Output;
  recurrentKernel: Output;
  bias: Output | null;
  initial: Output[];
  /** d loss / d the input projection (T, B, G·u), for `inputGradient`. */
  dZx: Output;
}

/** A range of gate columns [c0, c1) of the kernels, with the input rows of its product. */
export interface Group {
  c0: number;
  c1: number;
  /** Rows (T·B, n) feeding these columns: an Xp copy (kernel) or masked states (recurrent). */
  rows: Region;
  /** Whether a bias column (ones) is added to get the bias gradient. */
  bias: boolean;
  /** Input mask of these columns (kernel groups, on the device), for dx. */
  mask: Region | null;
}

const LO: Record<GateActivation, number> = { sigmoid: 0, tanh: -1 };
const SPAN: Record<GateActivation, number> = { sigmoid: 1, tanh: 2 };

/** Offsets into `keep`, the buffer the backward pass reads. */
interface Layout {
  xp: number;
  p: number;
  hs: number;
  cs: number;
  tc: number;
  hm: number;
  extra: number;
  total: number;
}

export abstract class FusedSequence {
  readonly spec: FusedSpec;
  readonly B: number;
  readonly T: number;
  readonly F: number;
  readonly u: number;
  readonly G: number;
  readonly GU: number;
  readonly stateCount: number;
  /** Rows of the output (batch, rows, units): T with return_sequences, else 1. */
  readonly outSteps: number;
  /** keep[s·B + b]: step s of sample b is not masked; null without a sequence mask. */
  readonly keepFlags: Uint8Array | null;
  /** Input groups: 1, or G with per-gate input masks. */
  readonly inputCopies: number;
  readonly recurrentMaskCount: number;
  readonly layout: Layout;
  /** The activations' constants, the kernels' trailing scalars: rec lo, span; act lo, span. */
  readonly act: readonly [number, number, number, number];

  // Per phase (forward or backward).
  protected dev!: Device;
  protected row!: Readonly<Record<string, KernelFn>>;
  protected keep!: Region;
  protected inputs!: SequenceInputs;
  /** The dropout masks on the device; `ones` stands for no mask. */
  protected inMasks: Region[] = [];
  protected recMasks: Region[] = [];
  protected ones!: Region;
  private uCols = new Map<string, Region>();
  private scratchPool = new Map<string, Region>();

  protected constructor(
    spec: FusedSpec,
    [B, T, F]: readonly [number, number, number],
    gates: number,
    stateCount: number,
    extraPerStep: number,
  ) {
    this.spec = spec;
    this.B = B;
    this.T = T;
    this.F = F;
    this.u = spec.units;
    this.G = gates;
    this.GU = gates * spec.units;
    this.stateCount = stateCount;
    this.outSteps = spec.returnSequences ? T : 1;
    this.act = [
      LO[spec.recurrentActivation],
      SPAN[spec.recurrentActivation],
      LO[spec.activation],
      SPAN[spec.activation],
    ];
    const nIn = spec.inputMasks.length;
    const nRec = spec.recurrentMasks.length;
    if ((nIn !== 0 && nIn !== 1 && nIn !== gates) || (nRec !== 0 && nRec !== 1 && nRec !== gates)) {
      throw new Error(`fused kernel: ${nIn} input and ${nRec} recurrent masks for ${gates} gates`);
    }
    this.inputCopies = nIn > 1 ? nIn : 1;
    this.recurrentMaskCount = nRec;
    let keepFlags: Uint8Array | null = null;
    if (spec.sequenceMask) {
      keepFlags = new Uint8Array(T * B);
      for (let s = 0; s < T; s++) {
        const t = this.time(s);
        for (let b = 0; b < B; b++) keepFlags[s * B + b] = spec.sequenceMask[b * T + t]! ? 1 : 0;
      }
    }
    this.keepFlags = keepFlags;
    const u = this.u;
    const step = B * u;
    const xp = 0;
    const p = xp + this.inputCopies * T * B * F;
    const hs = p + T * B * this.GU;
    const cs = hs + (T + 1) * step;
    const tc = cs + (stateCount === 2 ? (T + 1) * step : 0);
    const hm = tc + (stateCount === 2 ? T * step : 0);
    const extra = hm + nRec * T * step;
    const total = extra + extraPerStep * T * step;
    this.layout = { xp, p, hs, cs, tc, hm, extra, total };
  }

  /** The time index step s reads. */
  time(s: number): number {
    return this.spec.goBackwards ? this.T - 1 - s : s;
  }

  /** Shape of the output: (B, T, u) with return_sequences, else (B, u). */
  outShape(): number[] {
    return this.spec.returnSequences ? [this.B, this.T, this.u] : [this.B, this.u];
  }

  // ---- regions of keep -----------------------------------------------------------------------

  protected xp(k: number): Region {
    const n = this.T * this.B * this.F;
    return sub(this.keep, this.layout.xp + k * n, n);
  }
  /** P (T, B, GU): the input projection, overwritten by each step's gates. */
  protected pAll(): Region {
    return sub(this.keep, this.layout.p, this.T * this.B * this.GU);
  }
  protected p(s: number): Region {
    const n = this.B * this.GU;
    return sub(this.keep, this.layout.p + s * n, n);
  }
  /** The state before step s (s = 0..T), (B, u). */
  protected h(s: number): Region {
    const n = this.B * this.u;
    return sub(this.keep, this.layout.hs + s * n, n);
  }
  protected c(s: number): Region {
    const n = this.B * this.u;
    return sub(this.keep, this.layout.cs + s * n, n);
  }
  /** LSTM: tanh of the new cell state of step s. */
  protected tc(s: number): Region {
    const n = this.B * this.u;
    return sub(this.keep, this.layout.tc + s * n, n);
  }
  /** Cell-specific per-step buffer `i` of (B, u). */
  protected extra(i: number, s: number): Region {
    const n = this.B * this.u;
    return sub(this.keep, this.layout.extra + (i * this.T + s) * n, n);
  }
  protected extraAll(i: number): Region {
    const n = this.T * this.B * this.u;
    return sub(this.keep, this.layout.extra + i * n, n);
  }
  /** The masked state feeding gate g's recurrent product at step s (the state if unmasked). */
  protected a(g: number, s: number): Region {
    const nRec = this.recurrentMaskCount;
    if (nRec === 0) return this.h(s);
    const n = this.B * this.u;
    const k = nRec === 1 ? 0 : g;
    return sub(this.keep, this.layout.hm + (k * this.T + s) * n, n);
  }
  /** All T steps of `a(g, ·)`, (T·B, u). */
  protected aAll(g: number): Region {
    const nRec = this.recurrentMaskCount;
    const n = this.T * this.B * this.u;
    if (nRec === 0) return sub(this.keep, this.layout.hs, n);
    return sub(this.keep, this.layout.hm + (nRec === 1 ? 0 : g) * n, n);
  }
  /** Recurrent mask of gate g on the device (`ones` without one). */
  protected recMask(g: number): Region {
    const m = this.recMasks;
    return m.length === 0 ? this.ones : m.length === 1 ? m[0]! : m[g]!;
  }

  /** Scratch memory reused within a phase, by name. */
  protected tmp(name: string, n: number): Region {
    let r = this.scratchPool.get(name);
    if (!r || r.len < n) {
      r = this.dev.scratch(n);
      this.scratchPool.set(name, r);
    }
    return r.len === n ? r : sub(r, 0, n);
  }

  private beginPhase(dev: Device, keep: Region, inputs: SequenceInputs): void {
    this.dev = dev;
    this.row = dev.k.row;
    this.keep = keep;
    this.inputs = inputs;
    this.uCols.clear();
    this.scratchPool.clear();
    const onDevice = (m: Float32Array): Region => {
      const r = dev.scratch(m.length);
      dev.f32().set(m, r.off);
      return r;
    };
    this.inMasks = this.spec.inputMasks.map(onDevice);
    this.recMasks = this.spec.recurrentMasks.map(onDevice);
    const n = this.B * this.u;
    this.ones = dev.scratch(n);
    this.row['fill']!(1, n, this.ones.off, 0, 1);
  }

  /** Zeroes rows b of the given (B, width) blocks where step s of sample b is masked. */
  protected zeroMasked(s: number, blocks: ReadonlyArray<[Region, number, number]>): void {
    const keep = this.keepFlags;
    if (!keep) return;
    const M = this.dev.f32();
    for (let b = 0; b < this.B; b++) {
      if (keep[s * this.B + b]) continue;
      for (const [r, stride, width] of blocks) {
        M.fill(0, r.off + b * stride, r.off + b * stride + width);
      }
    }
  }

  // ---- kernel column blocks --------------------------------------------------------------------

  /** Columns [c0, c1) of a (rows, GU) matrix, contiguous and frozen (the matrix itself if all). */
  private columns(m: Region, rows: number, c0: number, c1: number, transposed: boolean): Region {
    const key = `${m === this.inputs.kernel ? 'w' : 'u'}${transposed ? 'T' : ''}:${c0}:${c1}`;
    const known = this.uCols.get(key);
    if (known) return known;
    const GU = this.GU;
    const w = c1 - c0;
    let out: Region;
    if (!transposed && c0 === 0 && c1 === GU) out = m;
    else {
      out = this.dev.scratch(rows * w);
      if (transposed) this.dev.k.transpose(out.off, m.off + c0, rows, w, GU, rows);
      else this.row['copy']!(rows, w, out.off, w, m.off + c0, GU);
    }
    out = this.dev.freeze(out);
    this.uCols.set(key, out);
    return out;
  }
  /** U[:, c0:c1] (u, w). */
  protected uBlock(c0: number, c1: number): Region {
    return this.columns(this.inputs.recurrentKernel, this.u, c0, c1, false);
  }
  /** U[:, c0:c1]ᵀ (w, u). */
  protected uBlockT(c0: number, c1: number): Region {
    return this.columns(this.inputs.recurrentKernel, this.u, c0, c1, true);
  }
  private wBlock(c0: number, c1: number): Region {
    return this.columns(this.inputs.kernel, this.F, c0, c1, false);
  }
  private wBlockT(c0: number, c1: number): Region {
    return this.columns(this.inputs.kernel, this.F, c0, c1, true);
  }
  /** The part of the bias added to x·W (all of it, or GRU reset_after's row 0), frozen. */
  protected inputBias(c0: number, c1: number): Region | null {
    const b = this.inputs.bias;
    if (!b) return null;
    if (c0 === 0 && c1 === this.GU && b.len === this.GU) return b;
    return this.frozenSub(b, c0, c1 - c0);
  }
  /** GRU reset_after's recurrent bias (row 1) columns [c0, c1), frozen. */
  protected recurrentBias(c0: number, c1: number): Region | null {
    const b = this.inputs.bias;
    if (!b) return null;
    return this.frozenSub(b, this.GU + c0, c1 - c0);
  }
  private frozenSub(b: Region, off: number, len: number): Region {
    const key = `b:${off}:${len}`;
    let r = this.uCols.get(key);
    if (!r) {
      r = this.dev.freeze(sub(b, off, len));
      this.uCols.set(key, r);
    }
    return r;
  }

  // ---- forward ---------------------------------------------------------------------------------

  /**
   * Runs the sequence: [output, final states when return_state] and the buffer the backward
   * pass needs.
   */
  forward(dev: Device, inputs: SequenceInputs): { ys: Output[]; keep: Output } {
    const keep = dev.output([this.layout.total]);
    const y = dev.output(this.outShape());
    const states = this.spec.returnState
      ? Array.from({ length: this.stateCount }, () => dev.output([this.B, this.u]))
      : [];
    this.beginPhase(dev, keep.region, inputs);
    this.gatherInputs();
    this.projectInputs();
    this.initialStates();
    for (let s = 0; s < this.T; s++) {
      this.maskStates(s);
      this.forwardStep(s);
      this.finishStep(s, y.region);
    }
    this.writeFinal(y.region, states);
    return { ys: [y, ...states], keep };
  }

  /** Xp_k (T, B, F) = x at time(s), times input mask k. */
  private gatherInputs(): void {
    const { B, T, F } = this;
    const x = this.inputs.x;
    for (let k = 0; k < this.inputCopies; k++) {
      const dst = this.xp(k);
      const m = this.inMasks[k];
      for (let s = 0; s < T; s++) {
        const d = dst.off + s * B * F;
        const src = x.off + this.time(s) * F;
        if (m) this.row['mul']!(B, F, d, F, src, T * F, m.off, F);
        else this.row['copy']!(B, F, d, F, src, T * F);
      }
    }
  }

  /** P = Xp·W + b, one product (or one per gate, interleaved, with per-gate input masks). */
  private projectInputs(): void {
    const { B, T, F, u, GU } = this;
    const rows = T * B;
    const P = this.pAll();
    if (this.inputCopies === 1) {
      this.dev.gemm(P, this.xp(0), this.inputs.kernel, rows, F, GU, this.inputBias(0, GU));
      return;
    }
    const tmp = this.tmp('pg', rows * u);
    for (let g = 0; g < this.G; g++) {
      const c0 = g * u;
      this.dev.gemm(
        tmp,
        this.xp(g),
        this.wBlock(c0, c0 + u),
        rows,
        F,
        u,
        this.inputBias(c0, c0 + u),
      );
      this.row['copy']!(rows, u, P.off + c0, GU, tmp.off, u);
    }
  }

  private initialStates(): void {
    const n = this.B * this.u;
    const given = this.inputs.initial;
    for (let i = 0; i < this.stateCount; i++) {
      const dst = i === 0 ? this.h(0) : this.c(0);
      const src = given[i];
      if (src) this.row['copy']!(1, n, dst.off, 0, src.off, 0);
      else this.row['fill']!(1, n, dst.off, 0, 0);
    }
  }

  /** a(k, s) = h(s) ⊙ recurrent mask k. */
  private maskStates(s: number): void {
    const n = this.B * this.u;
    const h = this.h(s);
    this.recMasks.forEach((m, k) =>
      this.row['mul']!(1, n, this.a(k, s).off, 0, h.off, 0, m.off, 0),
    );
  }

  /**
   * out (B, c1 − c0) = the recurrent product of step s for gate columns [c0, c1), plus the
   * recurrent bias when `withBias` (GRU reset_after).
   */
  protected project(s: number, c0: number, c1: number, out: Region, withBias: boolean): void {
    const { B, u } = this;
    const w = c1 - c0;
    if (this.recurrentMaskCount <= 1) {
      const bias = withBias ? this.recurrentBias(c0, c1) : null;
      this.dev.gemm(out, this.a(0, s), this.uBlock(c0, c1), B, u, w, bias);
      return;
    }
    const tmp = this.tmp('proj', B * u);
    for (let g0 = c0; g0 < c1; g0 += u) {
      const g = g0 / u;
      const bias = withBias ? this.recurrentBias(g0, g0 + u) : null;
      this.dev.gemm(tmp, this.a(g, s), this.uBlock(g0, g0 + u), B, u, u, bias);
      this.row['copy']!(B, u, out.off + (g0 - c0), w, tmp.off, u);
    }
  }

  /** The cell's arithmetic for step s: reads h(s) (and c(s)), writes h(s+1) (and c(s+1)). */
  protected abstract forwardStep(s: number): void;

  /** Sequence mask (masked samples keep their states) and the step's output. */
  private finishStep(s: number, y: Region): void {
    const { B, u } = this;
    const R = this.outSteps;
    const next = this.h(s + 1);
    const keep = this.keepFlags;
    if (!keep) {
      if (this.spec.returnSequences) this.row['copy']!(B, u, y.off + s * u, R * u, next.off, u);
      return; // without return_sequences the output is h(T), written at the end
    }
    const M = this.dev.f32();
    for (let i = 0; i < this.stateCount; i++) {
      const prev = i === 0 ? this.h(s) : this.c(s);
      const cur = i === 0 ? next : this.c(s + 1);
      for (let b = 0; b < B; b++) {
        if (!keep[s * B + b])
          M.copyWithin(cur.off + b * u, prev.off + b * u, prev.off + (b + 1) * u);
      }
    }
    // Without return_sequences, row 0 holds the running output.
    const seq = this.spec.returnSequences;
    const q = seq ? s : 0;
    const zero = this.spec.zeroOutputForMask;
    for (let b = 0; b < B; b++) {
      const di = y.off + (b * R + q) * u;
      if (keep[s * B + b]) M.copyWithin(di, next.off + b * u, next.off + (b + 1) * u);
      else if (zero || s === 0) M.fill(0, di, di + u);
      else if (seq) M.copyWithin(di, di - u, di);
      // (else: row 0 already holds the previous output)
    }
  }

  private writeFinal(y: Region, states: Output[]): void {
    const { T } = this;
    const n = this.B * this.u;
    if (!this.spec.returnSequences && !this.keepFlags)
      this.row['copy']!(1, n, y.off, 0, this.h(T).off, 0);
    states.forEach((o, i) => {
      this.row['copy']!(1, n, o.region.off, 0, (i === 0 ? this.h(T) : this.c(T)).off, 0);
    });
  }

  // ---- backward --------------------------------------------------------------------------------

  /** Per-phase backward buffers, (B, u) unless said. */
  protected dH!: Region; // d loss / d h(s+1): states after the step being processed
  protected dC!: Region;
  protected dHn!: Region; // d loss / d (the cell's new h) at this step
  protected dHp!: Region; // d loss / d h(s): written by the cell (direct terms), then products
  protected dCp!: Region;
  /** (T, B, GU): d loss / d the input projection's pre-activations; and the recurrent one. */
  protected dZx!: Region;
  protected dZr!: Region;

  /** Whether the recurrent pre-activation gradient differs from the input one (GRU reset_after). */
  protected separateRecurrentGrad(): boolean {
    return false;
  }

  protected dzx(s: number): Region {
    const n = this.B * this.GU;
    return sub(this.dZx, s * n, n);
  }
  protected dzr(s: number): Region {
    const n = this.B * this.GU;
    return sub(this.dZr, s * n, n);
  }

  /** The cell's backward step: from dHn (and dC), write dzx(s), dzr(s), dHp's direct terms, dCp. */
  protected abstract backwardStep(s: number): void;

  /** The recurrent column ranges the driver carries back (the cell handles the rest). */
  protected recurrentColumns(): Array<[number, number]> {
    return [[0, this.GU]];
  }

  /** Kernel and recurrent-kernel column groups for the weight gradients. */
  protected recurrentGroups(): Group[] {
    const { u, G, GU } = this;
    const rb = this.separateRecurrentGrad() && this.spec.useBias;
    if (this.recurrentMaskCount <= 1) {
      return [{ c0: 0, c1: GU, rows: this.aAll(0), bias: rb, mask: null }];
    }
    return Array.from({ length: G }, (_, g) => ({
      c0: g * u,
      c1: (g + 1) * u,
      rows: this.aAll(g),
      bias: rb,
      mask: null,
    }));
  }

  /** The kernel's column groups: all of it, or one per gate with per-gate input masks. */
  private kernelColumns(): Array<{ c0: number; c1: number; mask: Region | null }> {
    const { u, GU } = this;
    if (this.inputCopies === 1) return [{ c0: 0, c1: GU, mask: this.inMasks[0] ?? null }];
    return this.inMasks.map((mask, g) => ({ c0: g * u, c1: (g + 1) * u, mask }));
  }

  private kernelGroups(): Group[] {
    return this.kernelColumns().map((k, i) => ({
      ...k,
      rows: this.xp(i),
      bias: this.spec.useBias,
    }));
  }

  /**
   * Gradients of the loss w.r.t. the weights and initial states, given the gradients of the
   * output and (with return_state) of the final states.
   */
  backward(dev: Device, inputs: SequenceInputs, keep: Region, dys: Region[]): SequenceGrads {
    this.beginPhase(dev, keep, inputs);
    const { B, T, u, GU } = this;
    const n = B * u;
    const total = T * B * GU;
    const dy = dys[0]!;
    const dZx = dev.output([total]);
    this.dZx = dZx.region;
    this.dZr = this.separateRecurrentGrad() ? dev.scratch(total) : this.dZx;
    const two = this.stateCount === 2;
    let dH = dev.scratch(n);
    let dHp = dev.scratch(n);
    let dC = two ? dev.scratch(n) : dH;
    let dCp = two ? dev.scratch(n) : dHp;
    this.dHn = dev.scratch(n);
    const keepFlags = this.keepFlags;
    const carry = keepFlags && !this.spec.zeroOutputForMask ? dev.scratch(n) : null;
    // Gradients of the final states (return_state), else zeros.
    for (let i = 0; i < this.stateCount; i++) {
      const dst = i === 0 ? dH : dC;
      const given = dys[1 + i];
      if (given) this.row['copy']!(1, n, dst.off, 0, given.off, 0);
      else this.row['fill']!(1, n, dst.off, 0, 0);
    }
    if (carry) this.row['fill']!(1, n, carry.off, 0, 0);
    for (let s = T - 1; s >= 0; s--) {
      this.dH = dH;
      this.dC = dC;
      this.dHp = dHp;
      this.dCp = dCp;
      this.stepOutputGrad(s, dy, carry);
      this.backwardStep(s);
      for (const [c0, c1] of this.recurrentColumns()) this.backproject(s, c0, c1);
      if (keepFlags) {
        // Masked samples: the states passed through unchanged.
        const M = dev.f32();
        for (let i = 0; i < this.stateCount; i++) {
          const from = i === 0 ? dH : dC;
          const to = i === 0 ? dHp : dCp;
          for (let b = 0; b < B; b++) {
            if (!keepFlags[s * B + b]) {
              M.copyWithin(to.off + b * u, from.off + b * u, from.off + (b + 1) * u);
            }
          }
        }
      }
      [dH, dHp] = [dHp, dH];
      if (two) [dC, dCp] = [dCp, dC];
    }
    return { ...this.weightGrads(dH, two ? dC : null), dZx };
  }

  /** dHn = dH + the step's output gradient (masked samples: 0, their output flows back). */
  private stepOutputGrad(s: number, dy: Region, carry: Region | null): void {
    const { B, u } = this;
    const R = this.outSteps;
    const seq = this.spec.returnSequences;
    const hasOut = seq || s === this.T - 1;
    const yOff = dy.off + (seq ? s : 0) * u;
    const keep = this.keepFlags;
    if (!keep) {
      if (hasOut) this.row['add']!(B, u, this.dHn.off, u, this.dH.off, u, yOff, R * u);
      else this.row['copy']!(B, u, this.dHn.off, u, this.dH.off, u);
      return;
    }
    const M = this.dev.f32();
    const dH = this.dH.off;
    const dN = this.dHn.off;
    for (let b = 0; b < B; b++) {
      const yi = yOff + b * R * u;
      const o = b * u;
      if (keep[s * B + b]) {
        for (let j = 0; j < u; j++) M[dN + o + j] = M[dH + o + j]! + (hasOut ? M[yi + j]! : 0);
        if (carry) {
          const ci = carry.off + o;
          for (let j = 0; j < u; j++) M[dN + o + j]! += M[ci + j]!;
          M.fill(0, ci, ci + u);
        }
      } else {
        M.fill(0, dN + o, dN + o + u);
        if (carry && hasOut) {
          const ci = carry.off + o;
          for (let j = 0; j < u; j++) M[ci + j]! += M[yi + j]!;
        }
      }
    }
  }

  /** Whether step s of sample b runs the cell (no sequence mask, or not masked). */
  protected kept(s: number, b: number): boolean {
    return !this.keepFlags || this.keepFlags[s * this.B + b] === 1;
  }

  /** dHp += (dzr(s)[:, c0:c1] · U[:, c0:c1]ᵀ) ⊙ mask, per gate with per-gate masks. */
  private backproject(s: number, c0: number, c1: number): void {
    const { B, u, GU } = this;
    const n = B * u;
    const dz = this.dzr(s);
    const perGate = this.recurrentMaskCount > 1;
    const w = perGate ? u : c1 - c0;
    const prod = this.tmp('bp', n);
    for (let g0 = c0; g0 < c1; g0 += w) {
      let src: Region = dz;
      if (w !== GU) {
        src = this.tmp('bpin', B * w);
        this.row['copy']!(B, w, src.off, w, dz.off + g0, GU);
      }
      this.dev.gemm(prod, src, this.uBlockT(g0, g0 + w), B, w, u);
      if (this.recurrentMaskCount === 0) this.row['acc']!(1, n, this.dHp.off, 0, prod.off, 0);
      else {
        const m = this.recMask(perGate ? g0 / u : 0);
        this.row['fma']!(1, n, this.dHp.off, 0, prod.off, 0, m.off, 0);
      }
    }
  }

  /** dW, dU, db from whole-sequence products; the initial states' gradients. */
  private weightGrads(dH0: Region, dC0: Region | null): Omit<SequenceGrads, 'dZx'> {
    const dev = this.dev;
    const row = this.row;
    const { B, T, F, u, GU } = this;
    const rows = T * B;
    const gw = dev.output([F, GU]);
    const gu = dev.output([u, GU]);
    const gb = this.spec.useBias ? dev.output([this.inputs.bias!.len]) : null;

    const kernelGroups = this.kernelGroups();
    const recGroups = this.recurrentGroups();
    const shared = this.dZr === this.dZx;
    type Job = { c0: number; c1: number; w: Group | null; r: Group | null };
    const jobs: Job[] = [];
    for (const k of kernelGroups) {
      const r = shared ? recGroups.find((g) => g.c0 === k.c0 && g.c1 === k.c1) : undefined;
      jobs.push({ c0: k.c0, c1: k.c1, w: k, r: r ?? null });
    }
    for (const r of recGroups) {
      if (!jobs.some((j) => j.r === r)) jobs.push({ c0: r.c0, c1: r.c1, w: null, r });
    }
    for (const job of jobs) {
      const { c0, c1 } = job;
      const wdt = c1 - c0;
      // The kernel part reads dZx, the recurrent part dZr (the same buffer unless GRU reset_after).
      const parts: Array<{ g: Group; dz: Region; kind: 'w' | 'u' }> = [];
      if (job.r) parts.push({ g: job.r, dz: this.dZr, kind: 'u' });
      if (job.w) parts.push({ g: job.w, dz: this.dZx, kind: 'w' });
      const byDz = new Map<Region, typeof parts>();
      for (const p of parts) byDz.set(p.dz, [...(byDz.get(p.dz) ?? []), p]);
      for (const [dzAll, ps] of byDz) {
        // dZ[:, c0:c1]ᵀ · [rows of each part | 1].
        const widths = ps.map((p) => (p.kind === 'u' ? u : F));
        const withBias = ps.some((p) => p.g.bias);
        const m = widths.reduce((a, b) => a + b, 0) + (withBias ? 1 : 0);
        const dzT = this.tmp('dzT', wdt * rows);
        dev.k.transpose(dzT.off, dzAll.off + c0, rows, wdt, GU, rows);
        const cat = this.tmp('cat', rows * m);
        let col = 0;
        ps.forEach((p, i) => {
          row['copy']!(rows, widths[i]!, cat.off + col, m, p.g.rows.off, widths[i]!);
          col += widths[i]!;
        });
        if (withBias) row['fill']!(rows, 1, cat.off + col, m, 1);
        const prod = this.tmp('wprod', wdt * m);
        dev.gemm(prod, dzT, cat, wdt, rows, m);
        col = 0;
        ps.forEach((p, i) => {
          const out = p.kind === 'u' ? gu.region : gw.region;
          dev.k.transpose(out.off + c0, prod.off + col, wdt, widths[i]!, m, GU);
          col += widths[i]!;
        });
        if (withBias && gb) {
          const kindOfBias = ps.find((p) => p.g.bias)!.kind;
          // GRU reset_after: the recurrent bias is row 1 of (2, GU).
          const base = kindOfBias === 'u' && this.separateRecurrentGrad() ? GU : 0;
          row['copy']!(wdt, 1, gb.region.off + base + c0, 1, prod.off + col, m);
        }
      }
    }
    const initial: Output[] = [];
    if (this.spec.initialState) {
      for (const src of dC0 ? [dH0, dC0] : [dH0]) {
        const o = dev.output([B, u]);
        row['copy']!(1, B * u, o.region.off, 0, src.off, 0);
        initial.push(o);
      }
    }
    return { kernel: gw, recurrentKernel: gu, bias: gb, initial };
  }

  /** dx = dZx·Wᵀ (⊙ input masks), scattered back to (B, T, F): only when a gradient needs it. */
  inputGradient(dev: Device, inputs: SequenceInputs, dZx: Region): Output {
    this.beginPhase(dev, { off: 0, len: 0, id: 0 }, inputs);
    this.dZx = dZx;
    const { B, T, F } = this;
    const gx = dev.output([B, T, F]);
    this.row['fill']!(1, gx.region.len, gx.region.off, 0, 0);
    for (const g of this.kernelColumns()) {
      this.inputGrad(g, this.columnsOf(dZx, T * B, g.c0, g.c1), gx.region);
    }
    return gx;
  }

  /** dZ[:, c0:c1] contiguous (the buffer itself for all columns). */
  private columnsOf(dz: Region, rows: number, c0: number, c1: number): Region {
    if (c0 === 0 && c1 === this.GU) return dz;
    const w = c1 - c0;
    const out = this.tmp('dzc', rows * w);
    this.row['copy']!(rows, w, out.off, w, dz.off + c0, this.GU);
    return out;
  }

  /** dx[b, time(s), :] += (dZ[:, c0:c1] · W[:, c0:c1]ᵀ)[s, b, :] ⊙ input mask. */
  private inputGrad(
    group: { c0: number; c1: number; mask: Region | null },
    dz: Region,
    gx: Region,
  ): void {
    const { B, T, F } = this;
    const rows = T * B;
    const w = group.c1 - group.c0;
    const prod = this.tmp('dx', rows * F);
    this.dev.gemm(prod, dz, this.wBlockT(group.c0, group.c1), rows, w, F);
    const m = group.mask;
    for (let s = 0; s < T; s++) {
      const dst = gx.off + this.time(s) * F;
      const src = prod.off + s * B * F;
      if (m) this.row['fma']!(B, F, dst, T * F, src, F, m.off, F);
      else this.row['acc']!(B, F, dst, T * F, src, F);
    }
  }
}
