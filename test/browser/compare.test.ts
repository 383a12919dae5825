/**
 * The built renderer (dist/renderer.js) drawing a comparison (COMPARE_MIME) in a real Chromium:
 * a live comparison streams every planned run into its one chart (Ready for each pending run,
 * a backlog asked for a run it joined late, Stop for the pending runs), and a finished one shows
 * its verdict, chart, table and method; screenshots in light, dark and high contrast go to a
 * temp folder (RNNLAB_SCREENSHOTS names another) for a person to look at.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMPARE_MIME, type CompareOutput, type CompareVariant } from '../../kernels/protocol';
import { compareVariants, METHOD, spread } from '../../kernels/stats';
import { harnessSuite, rendererPage } from './suite';

const BUNDLE = 'dist/renderer.js';
const EPOCHS = 20;
const SEEDS = [0, 1, 2, 3, 4];
const BATCHES = 10;

const PAGE = rendererPage();

/** The question's placements, as an experiment would give them: one clearly better. */
const VARIANTS: Array<{ name: string; description: string; params: number; floor: number }> = [
  {
    name: 'dropout_layer',
    description: 'GRU(32, return_sequences) → Dropout(0.3) → GRU(32) → Dense(1)',
    params: 9889,
    floor: 0.061,
  },
  {
    name: 'gru_dropout',
    description: 'GRU(32, return_sequences) → GRU(32, dropout=0.3) → Dense(1)',
    params: 9889,
    floor: 0.052,
  },
  {
    name: 'recurrent_dropout',
    description: 'GRU(32, return_sequences) → GRU(32, recurrent_dropout=0.3) → Dense(1)',
    params: 9889,
    floor: 0.06,
  },
  {
    name: 'no_dropout',
    description: 'GRU(32, return_sequences) → GRU(32) → Dense(1)',
    params: 9889,
    floor: 0.07,
  },
];

/** A deterministic wobble in [-1, 1]. */
const wobble = (a: number, b: number) => Math.sin(a * 12.9898 + b * 78.233) * Math.cos(a * 3.1 + b);

/** A run's validation loss per epoch: decay to its floor, seed noise, overfitting without dropout. */
function valLoss(v: number, seed: number, epochs = EPOCHS): number[] {
  const { floor } = VARIANTS[v]!;
  return Array.from({ length: epochs }, (_, e) => {
    const overfit = v === 3 ? 0.0012 * Math.max(0, e - 8) : 0;
    return floor + 0.11 * Math.exp(-e / 3.5) + 0.003 * wobble(seed, e + v) + 0.002 * seed + overfit;
  });
}

const runId = (v: number, seed: number) => `x5-${seed * VARIANTS.length + v + 1}`;

function variant(v: number, seeds: readonly number[]): CompareVariant {
  const runs = seeds.map((seed) => {
    const val = valLoss(v, seed);
    return {
      seed,
      run_id: runId(v, seed),
      status: 'done' as const,
      history: { loss: val.map((x, e) => x - 0.004 - 0.0008 * e), val_loss: val },
      epoch_ms: val.map((_, e) => 410 + 30 * v + (e === 0 ? 300 : 0) + 5 * seed),
    };
  });
  const last = (xs: number[]) => xs.at(-1)!;
  return {
    name: VARIANTS[v]!.name,
    model: `sequential_${v}`,
    description: VARIANTS[v]!.description,
    params: VARIANTS[v]!.params,
    runs,
    best_val_loss: spread(runs.map((r) => Math.min(...r.history.val_loss))),
    final_val_loss: spread(runs.map((r) => last(r.history.val_loss))),
    gap: spread(runs.map((r) => last(r.history.val_loss) - last(r.history.loss))),
    epoch_ms: spread(runs.map((r) => [...r.epoch_ms].sort((a, b) => a - b)[EPOCHS / 2]!)),
  };
}

const BASELINE = { val_loss: 0.167, predicts: "the training targets' mean" };
const PLAN = SEEDS.flatMap((seed) =>
  VARIANTS.map((v, i) => ({ variant: v.name, seed, run_id: runId(i, seed) })),
);

/** The output after `done` runs (in plan order) finished; statistics once it is not running. */
function output(status: CompareOutput['status'], done = PLAN.length): CompareOutput {
  const finished = new Set(PLAN.slice(0, done).map((p) => p.run_id));
  const variants = VARIANTS.map((_, v) =>
    variant(
      v,
      SEEDS.filter((s) => finished.has(runId(v, s))),
    ),
  );
  const c =
    status === 'running'
      ? null
      : compareVariants(
          variants.map((v) => ({
            name: v.name,
            bySeed: new Map(v.runs.map((r) => [r.seed, Math.min(...r.history['val_loss']!)])),
          })),
          BASELINE,
        );
  return {
    version: 1,
    status,
    seeds: SEEDS,
    epochs: EPOCHS,
    batch_size: 64,
    loss: 'mse',
    baseline: BASELINE,
    variants,
    plan: PLAN,
    comparisons: c?.pairs ?? [],
    best: c?.best ?? null,
    verdict:
      status === 'interrupted'
        ? `Interrupted during \`gru_dropout\` seed 2: ${done} runs of ${PLAN.length} finished, and the verdict is on those. ${c!.verdict}`
        : (c?.verdict ?? ''),
    method: METHOD,
    stopped:
      status === 'interrupted'
        ? 'stopped by the user during gru_dropout seed 2, epoch 4/20, batch 3/10'
        : null,
  };
}

/** The progress messages of one run's epochs [from, to). */
function stream(v: number, seed: number, from: number, to: number, reset = false) {
  const val = valLoss(v, seed);
  return Array.from({ length: to - from }, (_, k) => {
    const e = from + k;
    return {
      type: 'progress',
      runId: runId(v, seed),
      reset: reset && k === 0,
      epochs: EPOCHS,
      batchesPerEpoch: BATCHES,
      batches: [{ epoch: e, batch: BATCHES - 1, logs: { loss: val[e]! - 0.004 } }],
      epochEnds: [{ epoch: e, logs: { loss: val[e]! - 0.004, val_loss: val[e]! } }],
      etaMs: (EPOCHS - e) * 500,
    };
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let page: any;
const suite = harnessSuite({
  name: 'compare',
  html: PAGE,
  bundle: BUNDLE,
  at: '/renderer.js',
  viewport: { width: 900, height: 900 },
  noFailedRequests: true,
  onPage: (p) => (page = p),
});
const { h, setTheme, shots } = suite;
const plotData = (): Promise<Record<string, string | undefined>> =>
  page.$eval('.rnnlab-plot', (el: { dataset: Record<string, string | undefined> }) => ({
    ...el.dataset,
  }));
const posted = () => page.evaluate('window.harness.posted');
const clearPosted = () => page.evaluate('window.harness.posted.length = 0');

test('a live comparison: Ready for its pending runs, every run streamed into one chart, Stop', async () => {
  await setTheme('dark');
  await h('render', output('running', 0), COMPARE_MIME);
  assert.deepEqual(
    await posted(),
    PLAN.map((p) => ({ type: 'ready', runId: p.run_id })),
    'a Ready for every planned run (the host answers for the one training)',
  );
  assert.match(await page.textContent('.rnnlab-progress'), /^0 of 20 runs finished$/);
  assert.match(await page.textContent('.rnnlab-plot'), /No validation loss yet/);
  // The host's backlog for the first run, then its progress.
  for (const m of stream(0, 0, 0, 6, true)) await h('send', m);
  // Progress of a run of no plan changes nothing.
  await h('send', { ...stream(1, 0, 0, 1)[0], runId: 'other' });
  await h('frame');
  assert.deepEqual(await plotData(), {
    series: '4',
    runs: '1',
    live: '1',
  });
  assert.match(
    await page.textContent('.rnnlab-progress'),
    /0 of 20 runs finished · now dropout_layer seed 0: epoch 6\/20, batch 10\/10 · ETA of this run \d+s/,
  );
  await clearPosted();
  // The output after 5 runs (it is replaced as each finishes), with the sixth training.
  await h('render', output('running', 5), COMPARE_MIME);
  assert.equal((await posted()).length, 15, 'Ready for the 15 runs not finished');
  await clearPosted();
  // The view joined late: progress without its backlog asks for it, once.
  for (const m of stream(1, 1, 7, 9)) await h('send', m);
  assert.deepEqual(await posted(), [{ type: 'ready', runId: runId(1, 1) }]);
  for (const m of stream(1, 1, 0, 9, true)) await h('send', m);
  await h('frame');
  assert.deepEqual(await plotData(), { series: '18', runs: '6', live: '1' });
  assert.match(
    await page.textContent('.rnnlab-progress'),
    /^5 of 20 runs finished · now gru_dropout seed 1/,
  );
  await page.screenshot({ path: join(shots, 'compare-live-dark.png'), fullPage: true });
  await clearPosted();
  await page.click('.rnnlab-compare vscode-button');
  await page.click('.rnnlab-compare vscode-button', { force: true });
  const stops = await posted();
  assert.equal(stops.length, 15, 'one Stop for each pending run, once');
  assert.ok(stops.every((m: { type: string }) => m.type === 'stop'));
  assert.match(await page.textContent('.rnnlab-compare vscode-button'), /Stopping/);
});

test('a finished comparison: the verdict, the chart, the table and the method, in every theme', async () => {
  const done = output('done');
  assert.equal(done.best, 'gru_dropout', 'the synthetic data have a clear winner');
  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    await setTheme(theme);
    await clearPosted();
    await h('render', done, COMPARE_MIME);
    await h('frame');
    assert.deepEqual(await posted(), [], 'a finished comparison asks for nothing');
    assert.equal(await page.isVisible('.rnnlab-compare vscode-button'), false, 'no Stop');
    const verdict = await page.textContent('.rnnlab-verdict');
    assert.match(verdict, /^gru_dropout generalises best of the 4 variants/);
    assert.equal(
      await page.$eval('.rnnlab-verdict code', (el: { textContent: string }) => el.textContent),
      'gru_dropout',
    );
    assert.deepEqual(await plotData(), { series: '32', runs: '20', live: '0' });
    const rows = await page.$$eval(
      '.rnnlab-compare > .rnnlab-table-wrap tbody tr',
      (els: Array<{ textContent: string }>) => els.map((e) => e.textContent),
    );
    assert.equal(rows.length, 5);
    assert.match(rows[1], /^gru_dropout.*9,889\s*0\.05\d+ ± 0\.00\d+/);
    assert.match(rows[4], /trivial baseline: predicting the training targets' mean.*0\.167/);
    assert.match(
      await page.textContent('.rnnlab-key'),
      /thin: each seed · thick: mean over seeds · band: lowest to highest seed · dotted: the trivial baseline/,
    );
    assert.match(await page.textContent('.rnnlab-legend'), /gru_dropout\s*best 0\.05\d+ ± /);
    await page.screenshot({ path: join(shots, `compare-${theme}.png`), fullPage: true });
  }
  // Hovering shows each variant's mean at that epoch.
  await page.hover('.rnnlab-plot .u-over', { position: { x: 200, y: 100 } });
  await h('frame');
  assert.match(await page.textContent('.rnnlab-legend'), /epoch \d+.*mean 0\.\d+/);
  await page.mouse.move(0, 0);
  // The method, with every pairwise test.
  await page.click('.rnnlab-compare summary');
  assert.match(await page.textContent('.rnnlab-method'), /paired t-test/);
  const pairs = await page.$$eval('details tbody tr', (els: unknown[]) => els.length);
  assert.equal(pairs, 6);
  await page.screenshot({ path: join(shots, 'compare-method-high-contrast.png'), fullPage: true });
});

test('an interrupted comparison says so and shows the runs that finished', async () => {
  await setTheme('light');
  await clearPosted();
  const o = output('interrupted', 9);
  await h('render', o, COMPARE_MIME);
  await h('frame');
  assert.deepEqual(await posted(), []);
  assert.match(
    await page.textContent('.rnnlab-progress'),
    /^interrupted: 9 of 20 runs finished \(stopped by the user during gru_dropout seed 2/,
  );
  assert.match(await page.textContent('.rnnlab-verdict'), /^Interrupted during gru_dropout seed 2/);
  assert.deepEqual(await plotData(), { series: '21', runs: '9', live: '0' });
  await page.screenshot({ path: join(shots, 'compare-interrupted-light.png'), fullPage: true });
});

test('what is not a comparison output is said, not drawn', async () => {
  await h('render', { version: 1, variants: 'no' }, COMPARE_MIME);
  assert.match(
    await page.textContent('#out'),
    /RNN Lab cannot draw this comparison: the comparison output has no variants with runs/,
  );
  assert.deepEqual(suite.harness().failed, []);
});
