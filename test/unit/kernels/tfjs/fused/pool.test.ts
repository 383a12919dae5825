/**
 * The fused kernels' thread pool (kernels/tfjs/fused/pool): results on two threads equal one
 * thread's at the workloads' sizes (where the default thresholds split the calls) and over a
 * 5-epoch training run; a worker that fails is reported and the op reruns on one thread; without
 * SharedArrayBuffer the kernel runs on one thread and says why; an open pool does not keep a
 * process alive. ../fused.test.ts runs its random configurations on two threads too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../../../../kernels/tfjs/backend';
import { Rng } from '../../../../../kernels/random';
import { Dropout, GRU, LSTM } from '../../../../../kernels/tfjs/layers/index';
import { SeededInitializer } from '../../../../../kernels/tfjs/initializers';
import { kernelThreads } from '../../../../../kernels/tfjs/fused/index';
import { currentDevice } from '../../../../../kernels/tfjs/fused/device';
import { nodeThreads } from '../../../../../kernels/tfjs/fused/pool-node';
import { browserThreads } from '../../../../../kernels/tfjs/fused/pool-browser';
import {
  setSharedMemoryPages,
  WORKER_SOURCE,
  type ThreadHost,
} from '../../../../../kernels/tfjs/fused/pool';

before(async () => {
  await initBackend();
});
after(async () => {
  await initBackend();
});

const two = { threads: 2, threadHost: nodeThreads } as const;

function normals(rng: Rng, n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** |a − ref| ≤ 1e-4 + 1e-3·|ref| element by element (issue 11's tolerance). */
function assertClose(a: Float32Array, ref: Float32Array, what: string): void {
  assert.equal(a.length, ref.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) {
    const tol = 1e-4 + 1e-3 * Math.abs(ref[i]!);
    assert.ok(Math.abs(a[i]! - ref[i]!) <= tol, `${what}[${i}]: ${a[i]} vs ${ref[i]}`);
  }
}

/** Output and gradients of sum(y·w) for a layer made by `make`, on the current settings. */
function outputAndGrads(make: () => tfl.layers.Layer, x: tf.Tensor3D): Float32Array[] {
  const layer = make();
  layer.apply(x);
  const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  let out: Float32Array = new Float32Array();
  const { value, grads } = tf.variableGrads(() => {
    const y = layer.call(x, { training: true }) as tf.Tensor;
    out = y.dataSync() as Float32Array;
    const w = tf.sin(tf.range(0, y.size).reshape(y.shape));
    return tf.sum(tf.mul(y, w)) as tf.Scalar;
  }, vars);
  const g = vars.map((v) => grads[v.name]!.dataSync() as Float32Array);
  const dx = tf.grad((t: tf.Tensor) => tf.sum(layer.call(t, { training: true }) as tf.Tensor))(x);
  const result = [out, ...g, dx.dataSync() as Float32Array];
  tf.dispose([value, dx, ...Object.values(grads)]);
  layer.dispose();
  return result;
}

describe('the fused kernels on two threads', () => {
  test('the workload sizes give one thread’s outputs and gradients', async () => {
    const rng = new Rng(3);
    const cases: Array<[string, () => tfl.layers.Layer, [number, number, number]]> = [
      [
        'LSTM(128, dropout, recurrent_dropout)',
        () => new LSTM({ units: 128, dropout: 0.2, recurrent_dropout: 0.2, seed: 1 }),
        [64, 12, 32],
      ],
      ['GRU(128)', () => new GRU({ units: 128, seed: 2 }), [64, 12, 32]],
      ['GRU(32, seq)', () => new GRU({ units: 32, return_sequences: true, seed: 3 }), [64, 40, 2]],
    ];
    for (const [what, make, shape] of cases) {
      const x = tf.tensor3d(normals(rng, shape[0] * shape[1] * shape[2]), shape);
      await initBackend();
      const one = outputAndGrads(make, x);
      const info = await initBackend(two);
      assert.equal(info.kernelThreads.threads, 2, info.kernelThreads.reason ?? '');
      const dev = currentDevice();
      assert.equal(dev.name, 'shared');
      dev.release();
      const both = outputAndGrads(make, x);
      one.forEach((ref, k) => assertClose(both[k]!, ref, `${what}: tensor ${k}`));
      x.dispose();
    }
  });

  test('5 epochs of training: per-epoch losses within 1% of one thread', async () => {
    const losses = async (threads: number): Promise<number[]> => {
      const info = await initBackend({ threads, threadHost: nodeThreads });
      assert.equal(info.kernelThreads.threads, threads);
      const model = tfl.sequential({
        layers: [
          new GRU({ units: 48, return_sequences: true, input_shape: [20, 8], seed: 1 }),
          new Dropout({ rate: 0.3, seed: 2 }),
          new LSTM({ units: 64, dropout: 0.1, recurrent_dropout: 0.2, seed: 3 }),
          tfl.layers.dense({
            units: 1,
            kernelInitializer: new SeededInitializer('glorot_uniform', 4),
          }),
        ],
      });
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
      const rng = new Rng(5);
      const x = tf.tensor3d(normals(rng, 128 * 20 * 8), [128, 20, 8]);
      const y = tf.tensor2d(normals(rng, 128), [128, 1]);
      const h = await model.fit(x, y, { epochs: 5, batchSize: 64, shuffle: false, verbose: 0 });
      tf.dispose([x, y]);
      model.dispose();
      return h.history['loss'] as number[];
    };
    const one = await losses(1);
    const both = await losses(2);
    for (let e = 0; e < 5; e++) {
      assert.ok(
        Math.abs(both[e]! - one[e]!) <= 0.01 * Math.abs(one[e]!),
        `epoch ${e + 1}: 2 threads ${both[e]} vs 1 thread ${one[e]}`,
      );
    }
    assert.ok(both[4]! < both[0]!, 'the model trains');
  });

  test('an op too large for the shared memory runs on one thread; the pool stays', async () => {
    const rng = new Rng(7);
    const shape: [number, number, number] = [64, 50, 32];
    const x = tf.tensor3d(normals(rng, shape[0] * shape[1] * shape[2]), shape);
    const make = () => new LSTM({ units: 128, return_sequences: true, seed: 4 });
    await initBackend();
    const one = outputAndGrads(make, x);
    // 3 MB of shared memory: less than this layer's saved buffer (64 x 50 x 6 x 128 floats).
    setSharedMemoryPages(48);
    try {
      const info = await initBackend(two);
      assert.equal(info.kernelThreads.threads, 2, info.kernelThreads.reason ?? '');
      const both = outputAndGrads(make, x);
      one.forEach((ref, k) => assertClose(both[k]!, ref, `tensor ${k}`));
      assert.equal(kernelThreads().threads, 2, 'the pool is still there for smaller ops');
    } finally {
      setSharedMemoryPages();
      x.dispose();
      await initBackend();
    }
  });

  test('a worker that fails: the op reruns on one thread, and the reason is reported', async () => {
    // The same worker, whose kernel calls throw.
    const failing: ThreadHost = {
      ...nodeThreads,
      start: (run, data, onError) =>
        nodeThreads.start(
          run.replace('fn.apply(null, a);', 'throw new Error("injected failure");'),
          data,
          onError,
        ),
    };
    assert.ok(WORKER_SOURCE.includes('fn.apply(null, a);'), 'the replaced call exists');
    const rng = new Rng(8);
    const x = tf.tensor3d(normals(rng, 64 * 6 * 16), [64, 6, 16]);
    const make = () => new LSTM({ units: 64, return_sequences: true, seed: 4 });
    await initBackend();
    const one = outputAndGrads(make, x);
    const info = await initBackend({ threads: 2, threadHost: failing });
    assert.equal(info.kernelThreads.threads, 2);
    // The caller takes the chunks the worker has not claimed yet: run until the worker has
    // claimed one (and failed); every result is right all the same.
    for (let i = 0; i < 50 && kernelThreads().threads === 2; i++) {
      const after = outputAndGrads(make, x);
      one.forEach((ref, k) => assertClose(after[k]!, ref, `call ${i}: tensor ${k}`));
    }
    const now = kernelThreads();
    assert.equal(now.threads, 1);
    assert.match(now.reason ?? '', /thread 1 failed: injected failure; running on one thread/);
    x.dispose();
  });

  test('without SharedArrayBuffer: one thread, and why', async () => {
    const g = globalThis as { SharedArrayBuffer?: unknown };
    const saved = g.SharedArrayBuffer;
    delete g.SharedArrayBuffer;
    try {
      const info = await initBackend(two);
      assert.equal(info.kernelThreads.threads, 1);
      assert.match(info.kernelThreads.reason ?? '', /no SharedArrayBuffer/);
      assert.match(browserThreads.unavailable() ?? '', /not cross-origin isolated/);
    } finally {
      g.SharedArrayBuffer = saved;
    }
    assert.equal(currentDevice().name, 'wasm');
    const none = await initBackend({ threads: 2, threadHost: null });
    assert.equal(none.kernelThreads.threads, 1);
    assert.match(none.kernelThreads.reason ?? '', /no way to start threads/);
    await assert.rejects(initBackend({ threads: 0 }), /whole number >= 1/);
  });

  test('a process with an open pool exits when its work is done', () => {
    const script = join(__dirname, 'pool-exit.fixture.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.error, undefined, `did not exit: ${r.error?.message}`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /threads 2, loss \d/);
  });
});
