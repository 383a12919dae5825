/**
 * The training backend: wasm initialisation and cpu fallback, the wasm fallbacks for the missing
 * training kernels (UnsortedSegmentSum, Conv2DBackpropFilter) and the transposed-matmul fix.
 * Results on wasm are compared with the cpu backend's.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { initBackend, type BackendInfo } from '../../../../kernels/tfjs/backend';
import {
  setTransposedMatMulFix,
  transposedMatMulFixEnabled,
} from '../../../../kernels/tfjs/kernels-wasm';
import { Rng } from '../../../../kernels/random';
import { relaxedSimdValidates } from '../../../../kernels/tfjs/fused/kernels';

let info: BackendInfo;

before(async () => {
  info = await initBackend();
});

const rng = new Rng(1234);

function randn(shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal()),
    shape,
  );
}

/** Runs `f` on one backend and returns its outputs' values (tensors are disposed). */
async function on(
  backend: 'wasm' | 'cpu',
  f: () => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  assert.ok(await tf.setBackend(backend));
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  assert.ok(await tf.setBackend('wasm'));
  return values;
}

/** max |a - b| <= tol * max(floor, max |b|), and everything finite. */
function assertClose(
  a: Float32Array,
  b: Float32Array,
  tol: number,
  floor: number,
  what: string,
): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let scale = floor;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    assert.ok(Number.isFinite(a[i]!), `${what}: non-finite value at ${i}`);
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  }
  assert.ok(worst <= tol * scale, `${what}: max diff ${worst} > ${tol} * ${scale}`);
}

describe('initBackend', () => {
  it('selects wasm with SIMD, single-threaded, with the matmul fix', () => {
    assert.deepEqual(info, {
      name: 'wasm',
      simd: true,
      threads: false,
      transposedMatMulFix: true,
      fallbackReason: null,
      // The fused kernels: one thread unless asked (pool.test.ts), relaxed SIMD where it validates.
      kernelThreads: { asked: 1, threads: 1, reason: null, relaxedSimd: relaxedSimdValidates() },
    });
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('is idempotent and switches backend and fix on request', async () => {
    assert.deepEqual(await initBackend(), info);
    const cpu = await initBackend({ prefer: 'cpu' });
    assert.equal(cpu.name, 'cpu');
    assert.equal(cpu.fallbackReason, null);
    assert.equal(cpu.transposedMatMulFix, false);
    assert.equal(tf.getBackend(), 'cpu');
    const stock = await initBackend({ transposedMatMulFix: false });
    assert.equal(stock.name, 'wasm');
    assert.equal(stock.transposedMatMulFix, false);
    assert.equal(transposedMatMulFixEnabled(), false);
    assert.deepEqual(await initBackend(), info);
    assert.equal(transposedMatMulFixEnabled(), true);
  });

  /** Runs initBackend in a fresh process (a failed wasm init cannot be undone in this one). */
  function initInChild(wasmDir: string): BackendInfo {
    const backend = resolve('kernels/tfjs/backend.ts');
    const code = `require(${JSON.stringify(backend)}).initBackend({ wasmDir: ${JSON.stringify(wasmDir)} })
      .then((i) => process.stdout.write(JSON.stringify(i)))`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as BackendInfo;
  }

  it('falls back to cpu with a reason when the folder has no wasm binaries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnlab-nowasm-'));
    try {
      const child = initInChild(dir);
      assert.equal(child.name, 'cpu');
      assert.equal(child.transposedMatMulFix, false);
      assert.match(child.fallbackReason ?? '', /no tfjs-backend-wasm\*\.wasm binaries in .*\/$/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("falls back to cpu when setBackend('wasm') resolves false (corrupt binary)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnlab-badwasm-'));
    try {
      for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
        writeFileSync(join(dir, f), 'not a wasm module');
      }
      const child = initInChild(dir); // no trailing slash: initBackend adds it
      assert.equal(child.name, 'cpu');
      assert.match(child.fallbackReason ?? '', /setBackend\('wasm'\) returned false/);
      assert.match(child.fallbackReason ?? '', /CompileError|magic word/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('missing wasm training kernels', () => {
  it('are registered on wasm', () => {
    assert.ok(tf.getKernel(tf.UnsortedSegmentSum, 'wasm'));
    assert.ok(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm'));
  });

  it('UnsortedSegmentSum matches cpu, drops out-of-range ids', async () => {
    const x = randn([6, 4, 3]);
    const ids = tf.tensor1d([2, 0, 2, 5, -1, 1], 'int32');
    const f = () => tf.unsortedSegmentSum(x, ids, 4);
    const [w] = await on('wasm', f);
    const [c] = await on('cpu', f);
    assertClose(w!, c!, 1e-6, 1, 'unsortedSegmentSum');
    tf.dispose([x, ids]);
  });

  it('UnsortedSegmentSum takes segment ids of any rank (a prefix of x)', () => {
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const ids = tf.tensor2d(
      [
        [1, 0],
        [1, 7],
      ],
      undefined,
      'int32',
    );
    const out = tf.engine().runKernel(
      tf.UnsortedSegmentSum,
      { x, segmentIds: ids },
      {
        numSegments: 3,
      },
    ) as tf.Tensor;
    assert.deepEqual(out.shape, [3, 2]);
    assert.deepEqual(Array.from(out.dataSync()), [3, 4, 6, 8, 0, 0]);
    tf.dispose([x, ids, out]);
  });

  it('Conv2DBackpropFilter matches cpu (NHWC/NCHW, strides, same/valid/explicit padding)', async () => {
    const cases: Array<{
      x: number[];
      f: number[];
      strides: [number, number];
      pad: unknown;
      fmt: 'NHWC' | 'NCHW';
    }> = [
      { x: [2, 1, 12, 3], f: [1, 3, 3, 4], strides: [1, 1], pad: 'same', fmt: 'NHWC' },
      { x: [2, 1, 12, 3], f: [1, 4, 3, 5], strides: [1, 2], pad: 'valid', fmt: 'NHWC' },
      { x: [3, 7, 6, 2], f: [3, 2, 2, 4], strides: [2, 1], pad: 'same', fmt: 'NHWC' },
      { x: [2, 2, 5, 7], f: [2, 3, 2, 3], strides: [1, 2], pad: 'valid', fmt: 'NCHW' },
      {
        x: [1, 5, 5, 2],
        f: [3, 3, 2, 2],
        strides: [1, 1],
        pad: [
          [0, 0],
          [1, 0],
          [0, 2],
          [0, 0],
        ],
        fmt: 'NHWC',
      },
    ];
    for (const c of cases) {
      const x = randn(c.x);
      const info = tf.backend_util.computeConv2DInfo(
        c.x as [number, number, number, number],
        c.f as [number, number, number, number],
        c.strides,
        1,
        c.pad as 'same',
        undefined,
        false,
        c.fmt === 'NHWC' ? 'channelsLast' : 'channelsFirst',
      );
      const dy = randn(info.outShape);
      const attrs = {
        strides: c.strides,
        pad: c.pad,
        dataFormat: c.fmt,
        filterShape: c.f,
      } as unknown as tf.NamedAttrMap;
      const f = () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as tf.Tensor;
      const [w] = await on('wasm', f);
      const [cpu] = await on('cpu', f);
      assertClose(w!, cpu!, 1e-5, 1, `conv ${JSON.stringify(c)}`);
      tf.dispose([x, dy]);
    }
  });

  /** Gradients of the MSE loss with respect to every trainable weight, by weight name. */
  function lossGrads(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): tf.Tensor[] {
    const { value, grads } = tf.variableGrads(
      () =>
        tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
    );
    value.dispose();
    return Object.keys(grads)
      .sort()
      .map((k) => grads[k]!);
  }

  async function checkModel(
    model: tfl.LayersModel,
    x: tf.Tensor,
    y: tf.Tensor,
    what: string,
  ): Promise<void> {
    const wasmGrads = await on('wasm', () => lossGrads(model, x, y));
    const cpuGrads = await on('cpu', () => lossGrads(model, x, y));
    assert.equal(wasmGrads.length, model.trainableWeights.length);
    wasmGrads.forEach((g, i) => assertClose(g, cpuGrads[i]!, 1e-5, 1, `${what} grad ${i}`));
    assert.ok(
      wasmGrads.some((g) => g.some((v) => v !== 0)),
      `${what}: all-zero gradients`,
    );

    model.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError' });
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let i = 0; i < 8; i++) losses.push((await model.trainOnBatch(x, y)) as number);
    assert.ok(losses.every(Number.isFinite), `${what}: losses ${losses}`);
    assert.ok(losses[losses.length - 1]! < losses[0]!, `${what}: loss did not decrease: ${losses}`);
    // Adam creates its moment variables on the first step; nothing else may accumulate.
    const after = tf.memory().numTensors;
    const again = await model.trainOnBatch(x, y);
    assert.ok(Number.isFinite(again as number));
    assert.equal(tf.memory().numTensors, after, `${what}: tensors leak per step`);
    assert.ok(after >= before);
  }

  it('an Embedding model trains on wasm and its gradients match cpu', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 12, outputDim: 5, inputLength: 7 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 1 }),
      ],
    });
    const ids = Array.from({ length: 16 * 7 }, () => rng.int(12)); // repeats: segments really sum
    const x = tf.tensor2d(ids, [16, 7]);
    const y = randn([16, 1]);
    await checkModel(model, x, y, 'embedding');
    model.dispose();
    tf.dispose([x, y]);
  });

  it('a Conv1D model trains on wasm and its gradients match cpu', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [20, 3] }),
        tfl.layers.conv1d({ filters: 3, kernelSize: 4, strides: 2, padding: 'valid' }),
        tfl.layers.conv1d({ filters: 2, kernelSize: 2, padding: 'same', activation: 'relu' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 1 }),
      ],
    });
    const x = randn([8, 20, 3]);
    const y = randn([8, 1]);
    await checkModel(model, x, y, 'conv1d');
    model.dispose();
    tf.dispose([x, y]);
  });
});

describe('transposed-matmul fix', () => {
  const combos: Array<[boolean, boolean]> = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ];

  /** [m, k, n] with the operand shapes for a transpose combination and leading batch dims. */
  function operands(
    m: number,
    k: number,
    n: number,
    ta: boolean,
    tb: boolean,
    batchA: number[],
    batchB: number[],
  ) {
    const a = randn([...batchA, ...(ta ? [k, m] : [m, k])]);
    const b = randn([...batchB, ...(tb ? [n, k] : [k, n])]);
    return { a, b };
  }

  it('is registered and replaces the stock kernels, and can be toggled', () => {
    assert.equal(transposedMatMulFixEnabled(), true);
    const fixed = tf.getKernel(tf.BatchMatMul, 'wasm')!.kernelFunc;
    setTransposedMatMulFix(false);
    const stock = tf.getKernel(tf.BatchMatMul, 'wasm')!.kernelFunc;
    assert.notEqual(fixed, stock);
    setTransposedMatMulFix(true);
    assert.equal(tf.getKernel(tf.BatchMatMul, 'wasm')!.kernelFunc, fixed);
  });

  it('BatchMatMul matches cpu for all transpose combinations, batch dims included', async () => {
    const batches: Array<[number[], number[]]> = [
      [[], []],
      [[1], [1]],
      [[1, 1], []],
      [[3], [3]],
      [[2, 3], [3]],
      [[4], []],
    ];
    for (const [batchA, batchB] of batches) {
      for (const [ta, tb] of combos) {
        const m = 1 + rng.int(40);
        const k = 1 + rng.int(70);
        const n = 1 + rng.int(40);
        const { a, b } = operands(m, k, n, ta, tb, batchA, batchB);
        const f = () => tf.matMul(a, b, ta, tb);
        const [w] = await on('wasm', f);
        const [c] = await on('cpu', f);
        setTransposedMatMulFix(false);
        const [stock] = await on('wasm', f);
        setTransposedMatMulFix(true);
        const what = `matMul a${JSON.stringify(a.shape)} b${JSON.stringify(b.shape)} ta=${ta} tb=${tb}`;
        assertClose(w!, c!, 1e-4, 1e-3, what);
        assertClose(stock!, c!, 1e-4, 1e-3, `${what} (stock)`);
        tf.dispose([a, b]);
      }
    }
  });

  it('handles size-1 dimensions (Transpose short-cuts them to a copy)', async () => {
    for (const [m, k, n] of [
      [1, 5, 3],
      [4, 1, 3],
      [4, 5, 1],
      [1, 1, 1],
    ] as const) {
      for (const [ta, tb] of combos) {
        const { a, b } = operands(m, k, n, ta, tb, [], []);
        const f = () => tf.matMul(a, b, ta, tb);
        const [w] = await on('wasm', f);
        const [c] = await on('cpu', f);
        assertClose(w!, c!, 1e-4, 1e-3, `matMul ${m}x${k}x${n} ta=${ta} tb=${tb}`);
        tf.dispose([a, b]);
      }
    }
  });

  it('_FusedMatMul matches cpu with and without bias and activation', async () => {
    const activations = [
      'linear',
      'relu',
      'relu6',
      'elu',
      'sigmoid',
      'leakyrelu',
      'prelu',
    ] as const;
    for (const batch of [[], [1], [3]]) {
      for (const [ta, tb] of combos) {
        for (const withBias of [false, true]) {
          for (const activation of activations) {
            const m = 1 + rng.int(30);
            const k = 1 + rng.int(120); // over and under the 48-wide blocks of wasm's slow loop
            const n = 1 + rng.int(30);
            const { a, b } = operands(m, k, n, ta, tb, batch, batch);
            const bias = withBias ? randn([n]) : undefined;
            const prelu = activation === 'prelu' ? randn([n]) : undefined;
            const f = () =>
              tf.fused.matMul({
                a,
                b,
                transposeA: ta,
                transposeB: tb,
                bias,
                activation,
                preluActivationWeights: prelu,
                leakyreluAlpha: 0.3,
              });
            const [w] = await on('wasm', f);
            const [c] = await on('cpu', f);
            const what = `fused a${JSON.stringify(a.shape)} b${JSON.stringify(b.shape)} ta=${ta} tb=${tb} bias=${withBias} ${activation}`;
            assertClose(w!, c!, 1e-4, 1e-3, what);
            tf.dispose([a, b]);
            tf.dispose([bias, prelu].filter((t): t is tf.Tensor => t !== undefined));
          }
        }
      }
    }
  });

  it('gives the same gradients as cpu through a fused dense layer', async () => {
    const x = randn([17, 23]);
    const w = randn([23, 11]);
    const bias = randn([11]);
    const f = () => {
      const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.fused
          .matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb, activation: 'relu' })
          .square()
          .sum(),
      );
      return g([x, w, bias]);
    };
    const wasmGrads = await on('wasm', f);
    const cpuGrads = await on('cpu', f);
    wasmGrads.forEach((g, i) => assertClose(g, cpuGrads[i]!, 1e-4, 1e-3, `grad ${i}`));
    tf.dispose([x, w, bias]);
  });

  it('LSTM and GRU gradients with the fix match cpu and the stock kernels', async () => {
    for (const cell of ['lstm', 'gru'] as const) {
      const rnn = { units: 16, recurrentInitializer: 'glorotUniform' as const, inputShape: [6, 5] };
      const model = tfl.sequential({
        layers: [
          cell === 'lstm' ? tfl.layers.lstm(rnn) : tfl.layers.gru(rnn),
          tfl.layers.dense({ units: 1 }),
        ],
      });
      const x = randn([9, 6, 5]);
      const y = randn([9, 1]);
      const f = () => {
        const { value, grads } = tf.variableGrads(
          () =>
            tf.losses.meanSquaredError(
              y,
              model.apply(x, { training: true }) as tf.Tensor,
            ) as tf.Scalar,
        );
        value.dispose();
        return Object.keys(grads)
          .sort()
          .map((k) => grads[k]!);
      };
      const fixed = await on('wasm', f);
      setTransposedMatMulFix(false);
      const stock = await on('wasm', f);
      setTransposedMatMulFix(true);
      const cpu = await on('cpu', f);
      assert.equal(fixed.length, model.trainableWeights.length);
      fixed.forEach((g, i) => {
        assertClose(g, cpu[i]!, 1e-5, 1, `${cell} grad ${i} vs cpu`);
        assertClose(g, stock[i]!, 1e-5, 1, `${cell} grad ${i} vs stock`);
      });
      model.dispose();
      tf.dispose([x, y]);
    }
  });

  it('leaks neither tensors nor wasm buffers', () => {
    const a = randn([37, 29]);
    const b = randn([41, 29]);
    const c = randn([29, 41]);
    const bias = randn([41]);
    const a3 = randn([3, 37, 29]);
    const b3 = randn([3, 29, 41]);
    const run = () => {
      const batched = tf.fused.matMul({ a: a3, b: b3, bias, activation: 'relu' });
      batched.dataSync();
      batched.dispose();
      for (const [ta, tb] of combos) {
        const aa = ta ? a.transpose() : a;
        const bb = tb ? b : c;
        const out = tf.matMul(aa, bb, ta, tb);
        const fused = tf.fused.matMul({
          a: aa as tf.Tensor2D,
          b: bb as tf.Tensor2D,
          transposeA: ta,
          transposeB: tb,
          bias,
          activation: 'relu',
        });
        out.dataSync();
        fused.dataSync();
        tf.dispose([out, fused]);
        if (aa !== a) aa.dispose();
      }
    };
    run(); // warm
    const before = tf.memory();
    for (let i = 0; i < 5; i++) run();
    const after = tf.memory();
    assert.equal(after.numTensors, before.numTensors);
    assert.equal(after.numDataBuffers, before.numDataBuffers);
    assert.equal(after.numBytes, before.numBytes);
    tf.dispose([a, b, c, bias, a3, b3]);
  });
});
