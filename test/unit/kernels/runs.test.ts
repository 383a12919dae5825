import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { liveRunOutput, type RunOutput, type RunStart } from '../../../kernels/protocol';
import {
  entryOf,
  fitToSize,
  notebookKey,
  RUNS_KEPT,
  runsCsv,
  runsJson,
  RunStore,
  type RunFiles,
} from '../../../kernels/runs';

const roots: string[] = [];
after(() => {
  for (const r of roots) void rm(r, { recursive: true, force: true });
});

/** The store's files in a real temporary folder, as the extension keeps them in its storage. */
function folder(): { root: string; files: RunFiles } {
  const root = mkdtempSync(join(tmpdir(), 'rnnlab-runs-test-'));
  roots.push(root);
  const at = (p: string) => join(root, ...p.split('/'));
  return {
    root,
    files: {
      read: (p) =>
        readFile(at(p)).then(
          (b) => new Uint8Array(b),
          () => undefined,
        ),
      async write(p, data) {
        await mkdir(dirname(at(p)), { recursive: true });
        await writeFile(at(p), data);
      },
      remove: (p) => rm(at(p), { recursive: true, force: true }),
      folders: (p) =>
        readdir(at(p), { withFileTypes: true }).then(
          (es) => es.filter((e) => e.isDirectory()).map((e) => e.name),
          () => [],
        ),
    },
  };
}

const NB = 'file:///work/demo.rnnlab';

function start(runId: string, epochs = 3): RunStart {
  return {
    type: 'runStart',
    execId: 'e1',
    runId,
    model: 'sequential',
    description: 'GRU(32, dropout=0.2) → Dense(1)',
    params: 3297,
    epochs,
    batchesPerEpoch: 10,
    samples: 640,
    validationSamples: 160,
    config: { batch_size: 64 },
  };
}

function done(runId: string, history: Record<string, number[]>, extra: Partial<RunOutput> = {}) {
  return {
    ...liveRunOutput(start(runId)),
    history,
    status: 'done' as const,
    seed: 7,
    epochMs: [120, 100, 110],
    ...extra,
  };
}

describe('run store', () => {
  test('a fit is listed running, then done with its best validation loss, epoch time and seed', async () => {
    const store = new RunStore(folder().files);
    await store.started(NB, 'demo.rnnlab', start('r1'), { startedAt: 1000, cell: 3 });
    let [e] = await store.entries(NB, (id) => id === 'r1');
    assert.equal(e?.status, 'running');
    assert.equal(e?.cell, 3);
    assert.equal(e?.epochsDone, 0);

    await store.finished(
      NB,
      'demo.rnnlab',
      done('r1', { loss: [0.5, 0.3, 0.2], val_loss: [0.6, 0.25, 0.4] }),
      { startedAt: 9999, cell: null },
    );
    [e] = await store.entries(NB);
    assert.equal(e?.status, 'done');
    assert.deepEqual(e?.best, { metric: 'val_loss', value: 0.25, epoch: 1 });
    assert.equal(e?.epochMs, 110);
    assert.equal(e?.seed, 7);
    assert.equal(e?.epochsDone, 3);
    // What the start recorded stays: when it started and which cell ran it.
    assert.equal(e?.startedAt, 1000);
    assert.equal(e?.cell, 3);
    assert.deepEqual((await store.output(NB, 'r1'))?.history['val_loss'], [0.6, 0.25, 0.4]);
  });

  test('a run stored as running that no kernel is running any more reads as lost', async () => {
    const { files } = folder();
    await new RunStore(files).started(NB, 'demo.rnnlab', start('r1'), { startedAt: 1, cell: 1 });
    // A new window: a new store over the same files, and no live run.
    const [e] = await new RunStore(files).entries(NB);
    assert.equal(e?.status, 'lost');
  });

  test('status says how a fit ended', () => {
    const meta = { startedAt: 0, cell: null };
    const status = (extra: Partial<RunOutput>) =>
      entryOf(done('r', { loss: [1] }, extra), meta).status;
    assert.equal(status({}), 'done');
    assert.equal(status({ stopped: 'early-stopping' }), 'done');
    assert.equal(status({ stopped: 'user' }), 'stopped');
    assert.equal(status({ stopped: 'diverged' }), 'diverged');
    assert.equal(status({ status: 'lost' }), 'lost');
  });

  test('best falls back to the training loss, skips NaN, and is null without finite values', () => {
    const meta = { startedAt: 0, cell: null };
    assert.deepEqual(entryOf(done('r', { loss: [NaN, 0.4, 0.5] }), meta).best, {
      metric: 'loss',
      value: 0.4,
      epoch: 1,
    });
    assert.equal(entryOf(done('r', { loss: [NaN] }), meta).best, null);
    // An output from before epoch times were saved (schema version 3).
    assert.equal(entryOf(done('r', { loss: [1] }, { epochMs: undefined }), meta).epochMs, null);
  });

  test(`a notebook keeps its last ${RUNS_KEPT} runs and removes the files of older ones`, async () => {
    const { root, files } = folder();
    const store = new RunStore(files);
    for (let i = 0; i < RUNS_KEPT + 5; i++)
      await store.finished(NB, 'demo.rnnlab', done(`run-${i}`, { loss: [i] }), {
        startedAt: i,
        cell: 1,
      });
    const entries = await store.entries(NB);
    assert.equal(entries.length, RUNS_KEPT);
    assert.equal(entries[0]?.runId, 'run-5');
    assert.equal(entries.at(-1)?.runId, `run-${RUNS_KEPT + 4}`);
    const stored = readdirSync(join(root, 'runs', notebookKey(NB)));
    assert.equal(stored.length, RUNS_KEPT + 1, 'one file a run and the index');
    assert.ok(!stored.includes('run-0.json'));
    assert.equal(await store.output(NB, 'run-0'), undefined);
  });

  test('runs finished at once are all kept (index updates do not overwrite each other)', async () => {
    const store = new RunStore(folder().files);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        store.finished(NB, 'demo.rnnlab', done(`r${i}`, { loss: [1] }), { startedAt: i, cell: 1 }),
      ),
    );
    assert.equal((await store.entries(NB)).length, 12);
  });

  test('a run too big for the limit keeps its per-epoch values and fewer per-batch points', () => {
    const n = 10_000;
    const series = Array.from({ length: n }, (_, i) => Math.sin(i / 50) + (i === 4321 ? 9 : 0));
    const big = done('big', { loss: [0.3, 0.2, 0.1], val_loss: [0.4, 0.3, 0.2] });
    big.batchLogs = { loss: series, mae: series, mse: series };
    big.batchLoss = series;
    const full = fitToSize(big);
    assert.equal(full.trimmed, false, 'under the default limit it is stored as it is');

    const limit = 200_000;
    const cut = fitToSize(big, limit);
    assert.equal(cut.trimmed, true);
    assert.ok(cut.bytes.length <= limit, `${cut.bytes.length} bytes`);
    assert.deepEqual(cut.output.history, big.history);
    const loss = cut.output.batchLogs?.['loss'] ?? [];
    const steps = cut.output.batchSteps?.['loss'] ?? [];
    assert.ok(loss.length > 0 && loss.length < n);
    assert.equal(steps.length, loss.length);
    assert.equal(steps[0], 0);
    assert.equal(steps.at(-1), n - 1);
    assert.ok(loss.includes(series[4321]!), 'the spike survives');

    const bare = fitToSize(big, 2_000);
    assert.deepEqual(bare.output.batchLogs, {});
    assert.deepEqual(bare.output.history, big.history);
  });

  test('deleting runs removes them; deleting the last removes the notebook', async () => {
    const { root, files } = folder();
    const store = new RunStore(files);
    for (const id of ['a', 'b', 'c'])
      await store.finished(NB, 'demo.rnnlab', done(id, { loss: [1] }), { startedAt: 0, cell: 1 });
    assert.equal(await store.delete(NB, ['a', 'c', 'nope']), 2);
    assert.deepEqual(
      (await store.entries(NB)).map((e) => e.runId),
      ['b'],
    );
    assert.deepEqual(await store.notebooks(), [{ uri: NB, label: 'demo.rnnlab', runs: 1 }]);
    await store.delete(NB, ['b']);
    assert.deepEqual(await store.notebooks(), []);
    assert.ok(!existsSync(join(root, 'runs', notebookKey(NB))));
  });

  test("an untitled notebook's runs move to the file it is saved as", async () => {
    const store = new RunStore(folder().files);
    const untitled = 'untitled:Untitled-1';
    await store.finished(untitled, 'Untitled-1', done('u1', { loss: [1] }), {
      startedAt: 5,
      cell: 2,
    });
    await store.finished(NB, 'demo.rnnlab', done('f1', { loss: [1] }), { startedAt: 1, cell: 1 });
    assert.equal(await store.move(untitled, NB, 'demo.rnnlab'), 1);
    assert.deepEqual(
      (await store.entries(NB)).map((e) => e.runId),
      ['f1', 'u1'],
    );
    assert.ok((await store.output(NB, 'u1'))?.history['loss']);
    assert.deepEqual(await store.entries(untitled), []);
    assert.equal(await store.move(untitled, NB, 'demo.rnnlab'), 0, 'nothing left to move');
  });

  test('a broken index file reads as no runs, and the next run starts a new one', async () => {
    const { root, files } = folder();
    const dir = join(root, 'runs', notebookKey(NB));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.json'), '{"notebook": "file:///work/demo.rn');
    const store = new RunStore(files);
    assert.deepEqual(await store.entries(NB), []);
    assert.deepEqual(await store.notebooks(), []);
    await store.finished(NB, 'demo.rnnlab', done('r1', { loss: [1] }), { startedAt: 0, cell: 1 });
    assert.equal((await store.entries(NB)).length, 1);
  });

  test('notebooks with the same name in different folders are kept apart', () => {
    assert.notEqual(notebookKey('file:///a/demo.rnnlab'), notebookKey('file:///b/demo.rnnlab'));
    assert.match(notebookKey(NB), /^[0-9a-f]{16}$/);
  });
});

describe('run export', () => {
  const runs = [
    {
      entry: entryOf(done('r1', { loss: [0.5, 0.25], val_loss: [0.6, NaN], mae: [0.4, 0.3] }), {
        startedAt: 0,
        cell: 1,
      }),
      output: done('r1', { loss: [0.5, 0.25], val_loss: [0.6, NaN], mae: [0.4, 0.3] }),
    },
    {
      entry: {
        ...entryOf(done('r2', { loss: [0.7] }), { startedAt: 0, cell: 2 }),
        model: 'model "a, b"',
      },
      output: done('r2', { loss: [0.7] }),
    },
  ];

  test('CSV: one row per run and epoch, loss first, each metric beside its validation twin', () => {
    const lines = runsCsv(runs).split('\r\n');
    assert.equal(lines[0], 'run_id,model,status,seed,epoch,loss,val_loss,mae,epoch_ms');
    assert.equal(lines[1], 'r1,sequential,done,7,0,0.5,0.6,0.4,120');
    assert.equal(lines[2], 'r1,sequential,done,7,1,0.25,nan,0.3,100');
    // Quoted as RFC 4180 says; a metric the run does not have is empty.
    assert.equal(lines[3], 'r2,"model ""a, b""",done,7,0,0.7,,,120');
    assert.equal(lines.length, 5, 'three rows and the final line break');
  });

  test('JSON: every run with its entry and whole output, readable back', () => {
    const back = JSON.parse(runsJson(runs)) as { runs: Array<{ output: RunOutput }> };
    assert.equal(back.runs.length, 2);
    assert.deepEqual(back.runs[0]?.output.history['loss'], [0.5, 0.25]);
  });
});
