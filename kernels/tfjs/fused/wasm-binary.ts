/**
 * A minimal WebAssembly binary writer: one module that imports its memory (`env.memory`) and
 * exports functions, and the instructions the fused kernels use (i32, f32 and 128-bit SIMD).
 *
 * Why written here: the kernels are generated at load time from TypeScript (./elementwise,
 * ./kernels), so the build needs no compiler toolchain and ships no binary; the module is
 * validated and compiled by the engine that runs it. WebAssembly SIMD is on in every engine the
 * project runs on (PERF.md); relaxed SIMD's multiply-add is used where the engine validates it
 * (Node 20 needs a flag for it; see ./kernels).
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;

/** Bytes under construction. */
export class Bytes {
  private buf: number[] = [];

  byte(...bs: number[]): this {
    for (const b of bs) this.buf.push(b & 0xff);
    return this;
  }
  u32(v: number): this {
    let x = v >>> 0;
    do {
      let b = x & 0x7f;
      x >>>= 7;
      if (x !== 0) b |= 0x80;
      this.buf.push(b);
    } while (x !== 0);
    return this;
  }
  s32(v: number): this {
    let x = v | 0;
    for (;;) {
      const b = x & 0x7f;
      x >>= 7;
      const done = (x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0);
      this.buf.push(done ? b : b | 0x80);
      if (done) return this;
    }
  }
  f32(v: number): this {
    const f = new Float32Array([v]);
    return this.byte(...new Uint8Array(f.buffer));
  }
  name(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.u32(b.length).byte(...b);
  }
  bytes(b: Bytes): this {
    for (const x of b.buf) this.buf.push(x);
    return this;
  }
  /** A length-prefixed copy of `b`. */
  sized(b: Bytes): this {
    return this.u32(b.length).bytes(b);
  }
  get length(): number {
    return this.buf.length;
  }
  toArray(): Uint8Array {
    return Uint8Array.from(this.buf);
  }
}

/** SIMD opcodes (after the 0xfd prefix). */
export const SIMD = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  i32x4Shl: 0xab,
  i32x4Add: 0xae,
  f32x4Neg: 0xe1,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  f32x4Pmin: 0xea,
  f32x4Pmax: 0xeb,
  /** v128.load32_splat: one float broadcast to four lanes. */
  load32Splat: 0x09,
  /** Relaxed SIMD: a·b + c, fused or not (the engine's choice). */
  f32x4RelaxedMadd: 0x105,
} as const;

/** The body of one function: parameters are locals 0..n−1, then `local()`s. */
export class FunctionBuilder {
  readonly code = new Bytes();
  private readonly locals: ValType[] = [];

  constructor(readonly params: readonly ValType[]) {}

  /** A new local of type `t`; returns its index. */
  local(t: ValType): number {
    this.locals.push(t);
    return this.params.length + this.locals.length - 1;
  }

  op(...bs: number[]): this {
    this.code.byte(...bs);
    return this;
  }
  simd(opcode: number): this {
    this.code.byte(0xfd).u32(opcode);
    return this;
  }
  get(i: number): this {
    this.code.byte(0x20).u32(i);
    return this;
  }
  set(i: number): this {
    this.code.byte(0x21).u32(i);
    return this;
  }
  i32(v: number): this {
    this.code.byte(0x41).s32(v);
    return this;
  }
  f32(v: number): this {
    this.code.byte(0x43).f32(v);
    return this;
  }
  /** i8x16.shuffle of the two vectors on the stack, picking float lanes (0-3 a, 4-7 b). */
  shuffleF32(lanes: readonly [number, number, number, number]): this {
    this.simd(0x0d);
    for (const l of lanes) for (let b = 0; b < 4; b++) this.code.byte(4 * l + b);
    return this;
  }
  v128f32(v: number): this {
    this.simd(SIMD.const);
    for (let i = 0; i < 4; i++) this.code.f32(v);
    return this;
  }
  /** f32.load / f32.store / v128.load / v128.store with a 4-byte alignment hint. */
  f32Load(offset = 0): this {
    this.op(0x2a, 2).code.u32(offset);
    return this;
  }
  f32Store(offset = 0): this {
    this.op(0x38, 2).code.u32(offset);
    return this;
  }
  v128Load(offset = 0): this {
    this.simd(SIMD.load);
    this.code.u32(2).u32(offset);
    return this;
  }
  v128Load32Splat(offset = 0): this {
    this.simd(SIMD.load32Splat);
    this.code.u32(2).u32(offset);
    return this;
  }
  v128Store(offset = 0): this {
    this.simd(SIMD.store);
    this.code.u32(2).u32(offset);
    return this;
  }
  /** block … end with `body` inside; `br 0` inside leaves it. */
  block(body: () => void): this {
    this.op(0x02, 0x40);
    body();
    return this.op(0x0b);
  }
  /** loop … end; `br 0` inside repeats it. */
  loop(body: () => void): this {
    this.op(0x03, 0x40);
    body();
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c).u(depth);
  }
  brIf(depth: number): this {
    return this.op(0x0d).u(depth);
  }
  private u(v: number): this {
    this.code.u32(v);
    return this;
  }

  /**
   * for (i = from; i < to; i += step) body(), with `i`, `to` locals; `step` a constant.
   * (block (loop (br_if 1 (i >= to)) body (i += step) (br 0)))
   */
  forLoop(i: number, to: () => void, step: number, body: () => void): this {
    return this.block(() =>
      this.loop(() => {
        this.get(i);
        to();
        this.op(0x4e); // i32.ge_s
        this.brIf(1);
        body();
        this.get(i).i32(step).op(0x6a).set(i); // i += step
        this.br(0);
      }),
    );
  }

  /** Local declarations, code, end. */
  encode(): Bytes {
    const body = new Bytes();
    const groups: Array<[ValType, number]> = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[0] === t) last[1]++;
      else groups.push([t, 1]);
    }
    body.u32(groups.length);
    for (const [t, n] of groups) body.u32(n).byte(t);
    body.bytes(this.code).byte(0x0b);
    return body;
  }
}

interface FunctionDef {
  name: string;
  params: readonly ValType[];
  body: FunctionBuilder;
}

/**
 * A module importing `env.memory` and exporting its functions (no results). A shared memory (a
 * threaded wasm build's heap) must be imported as shared, with a maximum: 65536 pages, the most
 * there can be, so any heap's own maximum fits.
 */
export class ModuleBuilder {
  private readonly fns: FunctionDef[] = [];

  constructor(private readonly sharedMemory = false) {}

  func(name: string, params: readonly ValType[], build: (f: FunctionBuilder) => void): void {
    const body = new FunctionBuilder(params);
    build(body);
    this.fns.push({ name, params, body });
  }

  encode(): Uint8Array {
    const out = new Bytes().byte(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
    const section = (id: number, content: Bytes) => out.byte(id).sized(content);
    // Types: one per function, (params) -> ().
    const types = new Bytes().u32(this.fns.length);
    for (const f of this.fns)
      types
        .byte(0x60)
        .u32(f.params.length)
        .byte(...f.params)
        .u32(0);
    section(1, types);
    // Imports: env.memory, at least one page; no maximum unless shared.
    const memory = new Bytes().u32(1).name('env').name('memory').byte(0x02);
    if (this.sharedMemory) memory.byte(0x03).u32(1).u32(65536);
    else memory.byte(0x00).u32(1);
    section(2, memory);
    const funcs = new Bytes().u32(this.fns.length);
    this.fns.forEach((_, i) => funcs.u32(i));
    section(3, funcs);
    const exps = new Bytes().u32(this.fns.length);
    this.fns.forEach((f, i) => exps.name(f.name).byte(0x00).u32(i));
    section(7, exps);
    const code = new Bytes().u32(this.fns.length);
    for (const f of this.fns) code.sized(f.body.encode());
    section(10, code);
    return out.toArray();
  }
}
