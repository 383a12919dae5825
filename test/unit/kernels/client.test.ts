/**
 * The kernel in its worker thread, driven as the extension and `rnnlab run` drive it: streamed
 * progress, stop, and the three ways a worker can die (JS heap, WebAssembly heap, a stop that
 * does not land) — each reported as such, with the host alive and a fresh kernel after it.
 */
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KernelClient } from '../../../kernels/client';
import { PROTOCOL_VERSION, type Failed, type Progress } from '../../../kernels/protocol';
import { assertBuilt } from '../helpers';

const WORKER = join(process.cwd(), 'dist', 'worker.js');
const IMPORTS = 'import keras\nfrom keras import layers\nfrom rnnlab import datasets\n';

before(() => {
  // The worker runs as the bundle users get (one copy of tfjs-core, the .wasm files beside it).
  assertBuilt();
});

/** Temporary folders of this file, removed when it ends (whether its tests pass or not). */
const temps: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function failed(r: unknown): Failed {
  assert.equal((r as { type: string }).type, 'failed', JSON.stringify(r));
  return r as Failed;
}

describe('kernel worker', () => {
  test('the threads asked of the kernel (rnnlab.kernel.threads) are the ones its ready message reports', async () => {
    for (const threads of [1, 2] as const) {
      const client = new KernelClient({ workerPath: WORKER, seed: 0, threads });
      try {
        const ready = await client.start();
        assert.equal(ready.threads, threads, ready.threadsReason ?? '');
        assert.equal(ready.threadsReason, null);
      } finally {
        await client.terminate();
      }
    }
  });

  test('progress is coalesced to ~20 messages per second and no batch value is dropped', async () => {
    const client = new KernelClient({ workerPath: WORKER, seed: 0 });
    try {
      const ready = await client.start();
      assert.equal(ready.backend, 'wasm', ready.fallbackReason ?? '');
      const progress: Array<{ at: number; msg: Progress }> = [];
      let started = 0;
      const r = await client.run(
        `${IMPORTS}(x, y), _ = datasets.sine(samples=1000, timesteps=10, validation_split=0)
m = keras.Sequential([keras.Input(shape=(10, 1)), layers.LSTM(4), layers.Dense(1)])
m.compile(optimizer="adam", loss="mse")
m.fit(x, y, batch_size=8, epochs=2)`,

        {
          onRunStart: () => (started = performance.now()),
          onProgress: (msg) => progress.push({ at: performance.now(), msg }),
        },
      );
      assert.equal(r.type, 'done');
      const elapsed = progress.at(-1)!.at - started;
      const points = progress.flatMap((p) => p.msg.batches);
      assert.equal(points.length, 2 * 125, 'every batch of both epochs');
      assert.deepEqual(
        points.map((p) => p.epoch * 125 + p.batch),
        Array.from({ length: 250 }, (_, i) => i),
        'in order, none twice',
      );
      assert.ok(
        progress.length <= Math.ceil(elapsed / 50) + 2,
        `${progress.length} messages in ${elapsed.toFixed(0)} ms`,
      );
      assert.equal(progress.flatMap((p) => p.msg.epochEnds).length, 2);
    } finally {
      await client.terminate();
    }
  });

  test('stop lands at the end of a batch, ends the cell as a KeyboardInterrupt; the namespace survives', async () => {
    const client = new KernelClient({ workerPath: WORKER, seed: 0 });
    try {
      let stopped = false;
      let printed = '';
      const r = await client.run(
        `${IMPORTS}(x, y), (vx, vy) = datasets.sine(samples=500, timesteps=20)
m = keras.Sequential([keras.Input(shape=(20, 1)), layers.GRU(8), layers.Dense(1)])
m.compile(optimizer="adam", loss="mse")
m.fit(x, y, epochs=200)
print("after the fit")`,

        {
          onStream: (s) => (printed += s.text),
          onProgress: () => {
            if (!stopped) client.stop();
            stopped = true;
          },
        },
      );
      const f = failed(r);
      assert.equal(f.kind, 'interrupted');
      // 400 training samples in batches of 32: 13 batches an epoch.
      assert.match(
        f.message,
        /^stopped at epoch 1\/200, batch \d+\/13; the weights trained so far are kept/,
      );
      assert.equal(f.line, 7);
      assert.equal(printed, '', 'the rest of the cell did not run');
      const after = await client.run('print(m.evaluate(vx, vy) > 0)', {
        onStream: (s) => (printed += s.text),
      });
      assert.equal(after.type, 'done');
      assert.equal(printed, 'True\n');
    } finally {
      await client.terminate();
    }
  });

  test('a stop that does not land within max(2 s, 3x the last batch) restarts the kernel', async () => {
    const client = new KernelClient({ workerPath: WORKER, seed: 0 });
    try {
      // One batch of 2048 long sequences takes longer than the 2 s grace period.
      const r = await client.run(
        `${IMPORTS}(x, y), _ = datasets.sine(samples=2048, timesteps=100, validation_split=0)
m = keras.Sequential([keras.Input(shape=(100, 1)), layers.LSTM(256), layers.Dense(1)])
m.compile(optimizer="adam", loss="mse")
m.fit(x, y, batch_size=2048, epochs=3)`,

        { onRunStart: () => setTimeout(() => client.stop(), 50) },
      );
      const f = failed(r);
      assert.equal(f.kind, 'restarted');
      assert.match(
        f.message,
        /did not stop within 2\.0 s and was restarted; the namespace is lost/,
      );
      const lost = failed(await client.run('print(m)'));
      assert.match(
        lost.message,
        /name 'm' is not defined/,
        'a fresh kernel: the old namespace is gone',
      );
    } finally {
      await client.terminate();
    }
  });

  test('exhausting the JS heap is reported as such and the kernel restarts', async () => {
    const dir = tempDir('rnnlab-heap-');
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(join(dir, 'big.csv'));
      out.on('error', reject);
      out.write(`${Array.from({ length: 20 }, (_, i) => `c${i}`).join(',')}\n`);
      const row = Array.from({ length: 20 }, (_, i) => (0.1234 + i / 100).toFixed(4)).join(',');
      const chunk = `${row}\n`.repeat(1000);
      for (let i = 0; i < 300; i++) out.write(chunk);
      out.end(resolve);
    });
    const client = new KernelClient({ workerPath: WORKER, seed: 0, heapMb: 96, workspace: dir });
    try {
      const f = failed(
        await client.run(
          'from rnnlab import datasets\n(x, y), _ = datasets.csv("big.csv", window=10, target="c0")',
        ),
      );
      assert.equal(f.kind, 'memory');
      assert.match(f.message, /ran out of JavaScript heap \(limit 96 MB\) and was restarted/);
      let printed = '';
      assert.equal(
        (await client.run('print(1 + 1)', { onStream: (s) => (printed += s.text) })).type,
        'done',
      );
      assert.equal(printed, '2\n');
    } finally {
      await client.terminate();
    }
  });

  test('exhausting WebAssembly memory is reported as such and the next run gets a fresh kernel', async () => {
    const client = new KernelClient({ workerPath: WORKER, seed: 0 });
    try {
      // A (2000, 1,000,000) activation is 8 GB: more than the 4 GB a wasm32 heap can hold.
      const f = failed(
        await client.run(
          `${IMPORTS}(x, y), _ = datasets.sine(samples=2000, timesteps=20, validation_split=0)
m = keras.Sequential([keras.Input(shape=(20, 1)), layers.Flatten(), layers.Dense(1000000)])
p = m.predict(x, batch_size=2000)`,
        ),
      );
      assert.equal(f.kind, 'memory');
      assert.match(f.message, /WebAssembly backend ran out of memory/);
      let printed = '';
      assert.equal(
        (await client.run('print("alive")', { onStream: (s) => (printed += s.text) })).type,
        'done',
      );
      assert.equal(printed, 'alive\n');
    } finally {
      await client.terminate();
    }
  });
});

describe('protocol version', () => {
  test('a worker from another build is refused with a clear error, and so are runs on it', async () => {
    // A worker that announces the next version, as a dist/worker.js from a newer build would.
    const path = join(tempDir('rnnlab-worker-'), 'other-build.mjs');
    writeFileSync(
      path,
      `import { parentPort } from 'node:worker_threads';
parentPort.on('message', () => {});
parentPort.postMessage({ type: 'ready', protocol: ${PROTOCOL_VERSION + 1}, backend: 'wasm', fallbackReason: null });
`,
    );
    const client = new KernelClient({ workerPath: path, seed: 0 });
    const mismatch = new RegExp(
      `speaks protocol version ${PROTOCOL_VERSION + 1}, but this host speaks version ${PROTOCOL_VERSION}.*rebuild`,
    );
    try {
      await assert.rejects(client.start(), mismatch);
      const r = failed(await client.run('print(1)'));
      assert.equal(r.kind, 'internal');
      assert.match(r.message, mismatch);
    } finally {
      await client.terminate();
    }
  });
});
